package io.github.sidecarshutdown.cli;

import io.github.sidecarshutdown.cli.Finding.Severity;
import io.github.sidecarshutdown.pod.MeshAnnotations;
import io.github.sidecarshutdown.pod.PodAnnotationException;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The checks of Consul's and Kuma's timing annotations (docs/sidecar-protocol.md §10): whether the
 * Pod runs one of them, the window its annotations give, what does not fit, and the window a fix
 * sets. The sidecar's facts come from core's annotation reader, the timeline from core's plan, as
 * for Istio in {@link ContainerModel}.
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
    private final @Nullable PodAnnotationException error;

    private MeshRules(SidecarMode mode, MeshAnnotations pod, @Nullable PodAnnotationException error) {
        this.mode = mode;
        this.pod = pod;
        this.error = error;
    }

    /**
     * Consul or Kuma, when the settings name it or the template's annotations and labels show its
     * injector; empty otherwise. A malformed timing annotation is kept for {@link #check} and its
     * default used.
     */
    static Optional<MeshRules> of(Workload w, SidecarMode configured) {
        MeshAnnotations pod;
        PodAnnotationException error = null;
        try {
            pod = MeshAnnotations.fromAnnotations(w.annotations(), "manifest annotations");
        } catch (PodAnnotationException e) {
            error = e;
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
            return Optional.of(new MeshRules(SidecarMode.CONSUL, pod, error));
        }
        return kuma ? Optional.of(new MeshRules(SidecarMode.KUMA, pod, error)) : Optional.empty();
    }

    /** Consul or Kuma: the mode core plans this Pod with (its descriptor then reads the annotations). */
    SidecarMode mode() {
        return mode;
    }

    /** The defaults the sidecar's window falls back to, as assumptions the linter prints. */
    void addAssumptions(List<String> assumptions) {
        if (mode == SidecarMode.CONSUL) {
            if (pod.consulGracePeriod().isEmpty() && pod.consulLifecycle().orElse(true) && !pod.consulNative().orElse(false)) {
                assumptions.add("consul grace period: consul-k8s's default " + Linter.fmt(MeshAnnotations.CONSUL_DEFAULT_GRACE_PERIOD)
                        + " (no " + MeshAnnotations.CONSUL_GRACE_PERIOD + ")");
            }
        } else if (pod.kumaDrainTime().isEmpty()) {
            assumptions.add("kuma drain time: Kuma's default " + Linter.fmt(MeshAnnotations.KUMA_DEFAULT_DRAIN_TIME)
                    + " (no " + MeshAnnotations.KUMA_DRAIN_TIME + ")");
        }
    }

    /** A native consul-dataplane: no window, never released. (A native kuma-dp cannot be told from a template.) */
    boolean isNative() {
        return mode == SidecarMode.CONSUL && pod.consulNative().orElse(false);
    }

    private boolean lifecycleOff() {
        return mode == SidecarMode.CONSUL && !pod.consulLifecycle().orElse(true) && !pod.consulNative().orElse(false);
    }

    /** The window goes past the grace period: every deletion ends in SIGKILL. */
    private boolean exceedsGrace(ContainerModel m) {
        Optional<Duration> window = m.facts.guaranteedWindow();
        return window.isPresent() && !lifecycleOff() && window.get().compareTo(m.grace) >= 0;
    }

    /** The library in a service keeps the Pod this long past what the app needs (nothing ends the window early). */
    private boolean wasteful(ContainerModel m) {
        Optional<Duration> window = m.facts.guaranteedWindow();
        boolean released = m.jobMode && m.settings.releaseSidecar();
        return m.usesLibrary && !released && window.isPresent() && !lifecycleOff() && window.get().compareTo(m.grace) < 0
                && window.get().minus(m.neededAfterDeletion(true)).compareTo(SLACK) > 0;
    }

    /**
     * The window the fixes set, in seconds, when a rule asks for one: with the library, what the app
     * needs after the Pod's deletion plus one second (in the manifest as written or as fixed,
     * whichever needs more); without it, the grace period minus the safety margin when the window
     * does not fit.
     */
    Optional<Targets.Window> targetWindow(ContainerModel now, ContainerModel fixed) {
        Optional<Duration> window = now.facts.guaranteedWindow();
        if (window.isEmpty()) {
            return Optional.empty();
        }
        Duration need = now.neededAfterDeletion(true).compareTo(fixed.neededAfterDeletion(true)) >= 0
                ? now.neededAfterDeletion(true) : fixed.neededAfterDeletion(true);
        long fit = Targets.ceil(need) + 1;
        boolean tooShort = now.usesLibrary && (now.neededAfterDeletion(false).compareTo(window.get()) > 0
                || fixed.neededAfterDeletion(false).compareTo(window.get()) > 0);
        if (lifecycleOff() || (now.usesLibrary && (exceedsGrace(now) || tooShort || wasteful(now)))) {
            return Optional.of(window(fit));
        }
        if (exceedsGrace(now)) {
            return Optional.of(window(Math.max(1, now.grace.toSeconds() - Math.max(1, Targets.ceil(now.settings.safetyMargin())))));
        }
        return Optional.empty();
    }

    private Targets.Window window(long seconds) {
        List<Change> changes = new ArrayList<>();
        if (lifecycleOff()) {
            changes.add(Change.annotation(MeshAnnotations.CONSUL_LIFECYCLE, null));
        }
        changes.add(mode == SidecarMode.CONSUL ? Change.annotation(MeshAnnotations.CONSUL_GRACE_PERIOD, Long.toString(seconds))
                : Change.annotation(MeshAnnotations.KUMA_DRAIN_TIME, seconds + "s"));
        return new Targets.Window(seconds, changes);
    }

    /** The checks for one app container. */
    void check(ContainerModel m, Targets targets, List<Finding> findings) {
        if (error != null) {
            findings.add(Finding.manual(Rule.MALFORMED_ANNOTATION, Severity.ERROR, error.getMessage(),
                    "Write the annotation as its injector reads it (the message says how); until then its default applies"));
        }
        String mesh = mode.name().toLowerCase(Locale.ROOT);
        String knob = m.facts.windowName();
        Optional<Duration> window = m.facts.guaranteedWindow();
        if (lifecycleOff()) {
            findings.add(Finding.fixedBy(Rule.CONSUL_LIFECYCLE_OFF, m.usesLibrary ? Severity.ERROR : Severity.WARNING,
                    MeshAnnotations.CONSUL_LIFECYCLE + "=false: consul-dataplane quits Envoy the moment it gets SIGTERM, so "
                            + "container " + m.name + " has no outbound (and no inbound drain) during its shutdown",
                    targets.windowChanges(), "(consul-k8s enables the lifecycle by default)"));
        }
        if (exceedsGrace(m)) {
            findings.add(Finding.fixedBy(Rule.MESH_WINDOW_EXCEEDS_GRACE, Severity.ERROR,
                    knob + "=" + Linter.fmt(window.get()) + " is not shorter than terminationGracePeriodSeconds=" + m.grace.toSeconds()
                            + ": the " + mesh + " sidecar waits out its window after SIGTERM, so every Pod deletion takes the whole "
                            + "grace period and ends in the kubelet's SIGKILL",
                    targets.windowChanges(), ""));
        }
        if (wasteful(m)) {
            findings.add(Finding.fixedBy(Rule.MESH_WINDOW_LONGER_THAN_NEEDED, Severity.WARNING,
                    "container " + m.name + " needs the " + mesh + " sidecar for " + Linter.fmt(m.neededAfterDeletion(true))
                            + " after the Pod's deletion, but " + knob + "=" + Linter.fmt(window.get()) + " keeps the Pod that long: "
                            + "the sidecar waits out its window whatever the app does (nothing can release it early in a service's Pod)",
                    targets.windowChanges(), ""));
        }
    }
}
