package io.github.sidecarshutdown.cli;

import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.cli.Finding.Severity;
import io.github.sidecarshutdown.pod.MeshAnnotations;
import io.github.sidecarshutdown.pod.PodAnnotationException;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The checks of Consul's and Kuma's timing annotations (docs/sidecar-protocol.md §10): whether the
 * Pod runs one of them, the window its annotations give, and what does not fit. The sidecar's facts
 * come from core's annotation reader, the timeline from core's plan, as for Istio in {@link Linter}.
 */
final class MeshRules {

    /** Consul's injection request on a Pod template; the injector adds the status annotation itself. */
    static final String CONSUL_INJECT = "consul.hashicorp.com/connect-inject";
    /** Kuma's injection switch, as a Pod label or annotation (a namespace label is not visible here). */
    static final String KUMA_INJECTION = "kuma.io/sidecar-injection";
    /** More slack than this between what the app needs and the window, and the Pod waits for nothing. */
    private static final Duration SLACK = Duration.ofSeconds(5);

    private final SidecarMode mode;
    private final MeshAnnotations pod;

    private MeshRules(SidecarMode mode, MeshAnnotations pod) {
        this.mode = mode;
        this.pod = pod;
    }

    /**
     * Consul or Kuma, when the settings name it or the template's annotations and labels show its
     * injector; empty otherwise. A malformed timing annotation is reported and its default used.
     */
    static Optional<MeshRules> of(Workload w, SidecarMode configured, List<Finding> findings) {
        MeshAnnotations pod;
        try {
            pod = MeshAnnotations.fromAnnotations(w.annotations(), "manifest annotations");
        } catch (PodAnnotationException e) {
            findings.add(new Finding(Rule.MALFORMED_ANNOTATION, Severity.ERROR, e.getMessage(),
                    "Write the annotation as its injector reads it (the message says how); until then its default applies"));
            pod = MeshAnnotations.none("manifest annotations (malformed)");
        }
        boolean auto = configured == SidecarMode.AUTO;
        boolean consul = configured == SidecarMode.CONSUL || (auto && (pod.consulInjected()
                || "true".equalsIgnoreCase(w.annotations().getOrDefault(CONSUL_INJECT, "").strip())
                || w.annotations().keySet().stream().anyMatch(k -> k.startsWith("consul.hashicorp.com/sidecar-proxy-lifecycle"))));
        String injection = w.annotations().getOrDefault(KUMA_INJECTION, w.labels().getOrDefault(KUMA_INJECTION, "")).strip();
        boolean kuma = configured == SidecarMode.KUMA || (auto && (pod.kumaInjected() || pod.kumaDrainTime().isPresent()
                || injection.equalsIgnoreCase("enabled") || injection.equalsIgnoreCase("true")));
        if (consul) {
            return Optional.of(new MeshRules(SidecarMode.CONSUL, pod));
        }
        return kuma ? Optional.of(new MeshRules(SidecarMode.KUMA, pod)) : Optional.empty();
    }

    /** The sidecar's facts as core would see them from these annotations alone. */
    SidecarFacts facts(List<String> assumptions) {
        Optional<Duration> window;
        if (mode == SidecarMode.CONSUL) {
            window = pod.consulWindow(MeshAnnotations.CONSUL_DEFAULT_GRACE_PERIOD);
            if (pod.consulGracePeriod().isEmpty() && pod.consulLifecycle().orElse(true) && !pod.consulNative().orElse(false)) {
                assumptions.add("consul grace period: consul-k8s's default " + Linter.fmt(MeshAnnotations.CONSUL_DEFAULT_GRACE_PERIOD)
                        + " (no " + MeshAnnotations.CONSUL_GRACE_PERIOD + ")");
            }
        } else {
            window = Optional.of(pod.kumaDrainTime().orElse(MeshAnnotations.KUMA_DEFAULT_DRAIN_TIME));
            if (pod.kumaDrainTime().isEmpty()) {
                assumptions.add("kuma drain time: Kuma's default " + Linter.fmt(MeshAnnotations.KUMA_DEFAULT_DRAIN_TIME)
                        + " (no " + MeshAnnotations.KUMA_DRAIN_TIME + ")");
            }
        }
        return new SidecarFacts(mode, Optional.empty(), window, false, Optional.empty(), "manifest annotations");
    }

    /** The timing checks for one app container. */
    void check(String container, boolean usesLibrary, ShutdownSettings settings, Duration grace, ShutdownPlan plan,
            List<Finding> findings) {
        String mesh = mode.name().toLowerCase(Locale.ROOT);
        String knob = mode.windowKnob();
        Optional<Duration> window = plan.facts().guaranteedWindow();
        boolean lifecycleOff = mode == SidecarMode.CONSUL && !pod.consulLifecycle().orElse(true) && !pod.consulNative().orElse(false);
        if (lifecycleOff) {
            findings.add(new Finding(Rule.CONSUL_LIFECYCLE_OFF, usesLibrary ? Severity.ERROR : Severity.WARNING,
                    MeshAnnotations.CONSUL_LIFECYCLE + "=false: consul-dataplane quits Envoy the moment it gets SIGTERM, so "
                            + "container " + container + " has no outbound (and no inbound drain) during its shutdown",
                    "remove " + MeshAnnotations.CONSUL_LIFECYCLE + " (consul-k8s enables it by default) and set "
                            + mode.windowAnnotation(Math.max(5, ceil(neededWindow(plan)) + 1))));
        }
        if (window.isPresent() && !lifecycleOff && window.get().compareTo(grace) >= 0) {
            long fits = Math.max(1, grace.toSeconds() - ceil(settings.safetyMargin()));
            findings.add(new Finding(Rule.MESH_WINDOW_EXCEEDS_GRACE, Severity.ERROR,
                    knob + "=" + Linter.fmt(window.get()) + " is not shorter than terminationGracePeriodSeconds=" + grace.toSeconds()
                            + ": the " + mesh + " sidecar waits out its window after SIGTERM, so every Pod deletion takes the whole "
                            + "grace period and ends in the kubelet's SIGKILL",
                    "annotate the Pod with " + mode.windowAnnotation(fits) + ", or set spec.terminationGracePeriodSeconds: "
                            + (ceil(window.get()) + ceil(settings.safetyMargin()))));
        }
        boolean released = settings.workload() == io.github.sidecarshutdown.Workload.JOB && settings.releaseSidecar();
        if (usesLibrary && !released && window.isPresent() && !lifecycleOff && window.get().compareTo(grace) < 0) {
            Duration needed = neededWindow(plan);
            if (window.get().minus(needed).compareTo(SLACK) > 0) {
                findings.add(new Finding(Rule.MESH_WINDOW_LONGER_THAN_NEEDED, Severity.WARNING,
                        "container " + container + " needs the " + mesh + " sidecar for " + Linter.fmt(needed) + " after SIGTERM, but "
                                + knob + "=" + Linter.fmt(window.get()) + " keeps the Pod that long: the sidecar waits out its window "
                                + "whatever the app does (nothing can release it early in a service's Pod)",
                        "annotate the Pod with " + mode.windowAnnotation(ceil(needed) + 1)));
            }
        }
    }

    /** Until when the app needs the sidecar: the end of its inbound drain or of its last outbound task. */
    private static Duration neededWindow(ShutdownPlan plan) {
        Duration needed = Duration.ZERO;
        for (ShutdownPlan.Step s : plan.steps()) {
            if (s.needsSidecar() || s.phase() == ShutdownPhase.INBOUND_DRAIN) {
                needed = needed.compareTo(s.end()) < 0 ? s.end() : needed;
            }
        }
        return needed;
    }

    private static long ceil(Duration d) {
        return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    }
}
