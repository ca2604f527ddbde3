package io.github.sidecarshutdown.cli;

import io.github.sidecarshutdown.istio.IstioMesh;
import static io.github.sidecarshutdown.cli.ManifestReader.list;
import static io.github.sidecarshutdown.cli.ManifestReader.map;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.config.InvalidSettingException;
import io.github.sidecarshutdown.pod.PodAnnotationException;
import io.github.sidecarshutdown.istio.PodFacts;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What one app container of a workload amounts to, as core sees it: the library's settings from the
 * container's {@code SIDECAR_SHUTDOWN_*} variables (core's parser), the sidecar's facts from the
 * Pod's annotations (core's readers), the timeline from {@link ShutdownPlan#compute}. Built for the
 * manifest as written and, with the fixes' variables applied, for the manifest as fixed, so that a
 * suggested value fits both (see {@link Targets}).
 */
final class ContainerModel {

    /** Sidecars the library releases in a Job's Pod: classic ones, which outlive the app otherwise. */
    static final Set<SidecarMode> RELEASED_IN_A_JOB = Set.of(SidecarMode.ISTIO, SidecarMode.LINKERD, SidecarMode.DAPR,
            SidecarMode.CONSUL, SidecarMode.KUMA);
    static final String LINKERD_INJECT = "linkerd.io/inject";
    static final String LINKERD_NATIVE = "config.alpha.linkerd.io/proxy-enable-native-sidecar";
    static final String DAPR_ENABLED = "dapr.io/enabled";

    private static final Duration KUBERNETES_DEFAULT_GRACE = Duration.ofSeconds(30);
    private static final Pattern SLEEP = Pattern.compile("(?:^|[;&|\\s])sleep\\s+(\\d+(?:\\.\\d+)?)(s|m)?\\b");
    /** A command that ends a sidecar itself: Envoy's or pilot-agent's quitquitquit, Linkerd's or Dapr's shutdown. */
    private static final Pattern RELEASE_CALL = Pattern.compile(
            "quitquitquit|linkerd-await\\b.*--shutdown|:4191/shutdown|/v1\\.0/shutdown", Pattern.CASE_INSENSITIVE);

    final Workload w;
    final Map<?, ?> container;
    final String name;
    /** The container's variables with literal values (as written, or as fixed). */
    final Map<String, String> env;
    /** Whether the container sets any {@code SIDECAR_SHUTDOWN_*} variable. */
    final boolean usesLibrary;
    final PodFacts pod;
    final @Nullable PodAnnotationException podError;
    final ShutdownSettings settings;
    final @Nullable InvalidSettingException settingError;
    /** The library runs as a Job's: said outright, or {@code auto} with the Pod's labels mounted. */
    final boolean jobMode;
    final Duration grace;
    final Duration preStop;
    final Optional<MeshRules> mesh;
    final SidecarFacts facts;
    final ShutdownPlan plan;
    final List<String> assumptions;

    private ContainerModel(Workload w, Map<?, ?> container, Map<String, String> env, boolean usesLibrary) {
        this.w = w;
        this.container = container;
        this.name = String.valueOf(container.get("name"));
        this.env = env;
        this.usesLibrary = usesLibrary;
        List<String> assumed = new ArrayList<>();

        PodFacts podFacts;
        PodAnnotationException podProblem = null;
        try {
            podFacts = PodFacts.fromAnnotations(w.annotations(), "manifest annotations");
        } catch (PodAnnotationException e) {
            podProblem = e;
            podFacts = PodFacts.none("manifest annotations (malformed)");
        }
        this.pod = podFacts;
        this.podError = podProblem;

        Map<String, String> settingsEnv = new HashMap<>(env);
        settingsEnv.put("KUBERNETES_SERVICE_HOST", "10.0.0.1"); // the container runs in Kubernetes
        ShutdownSettings s;
        InvalidSettingException settingProblem = null;
        try {
            s = ShutdownCoordinator.builder().fromEnvironment(settingsEnv).settings();
        } catch (InvalidSettingException e) {
            settingProblem = e;
            s = ShutdownCoordinator.builder().fromEnvironment(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1")).settings();
            assumed.add("settings: library defaults (a variable is invalid)");
        }
        this.settingError = settingProblem;
        // Job mode: said outright, or left to auto with the Pod's labels mounted where the library
        // reads them (the Job controller labels the Pods it creates, not the template).
        this.jobMode = usesLibrary && (s.workload() == io.github.sidecarshutdown.Workload.JOB
                || (s.workload() == io.github.sidecarshutdown.Workload.AUTO && w.isBatch()
                        && downwardApiMounted("metadata.labels", s.labelsFile())));
        if (jobMode && s.workload() == io.github.sidecarshutdown.Workload.AUTO && settingProblem == null) {
            s = ShutdownCoordinator.builder().fromEnvironment(settingsEnv).workload(io.github.sidecarshutdown.Workload.JOB).settings();
            assumed.add("workload: job (the Job controller's job-name label, read from " + s.labelsFile() + ")");
        }
        this.settings = s;

        Object g = w.podSpec().get("terminationGracePeriodSeconds");
        if (g instanceof Number) {
            this.grace = Duration.ofSeconds(((Number) g).longValue());
        } else {
            this.grace = KUBERNETES_DEFAULT_GRACE;
            assumed.add("terminationGracePeriodSeconds: Kubernetes' default 30");
        }
        this.preStop = preStopSleep(container);

        this.mesh = MeshRules.of(w, s.sidecarMode());
        // The mode the linter takes the Pod to run; core's descriptors then read the annotations, as at runtime.
        SidecarMode mode = mesh.isPresent() ? mesh.get().mode() : istioOrOther(s.sidecarMode(), assumed);
        mesh.ifPresent(r -> r.addAssumptions(assumed));

        // The app's cleanup, as the library would plan it: one outbound task of the cleanup budget.
        Duration cleanup = s.cleanupBudget().orElse(s.taskTimeout());
        assumed.add("cleanup: one outbound task of " + Linter.fmt(cleanup) + (s.cleanupBudget().isPresent()
                ? " (cleanup-budget)" : " (task-timeout; set SIDECAR_SHUTDOWN_CLEANUP_BUDGET to say what the app needs)"));
        ShutdownTask task = ShutdownTask.builder("app-cleanup-assumed", ctx -> { })
                .phase(ShutdownPhase.CLEANUP).timeout(cleanup.isZero() ? Duration.ofMillis(1) : cleanup).needsSidecar(true).build();
        this.plan = ShutdownPlan.forPod(withMode(settingsEnv, s, mode), List.of(task), w.annotations());
        this.facts = plan.facts();
        this.assumptions = List.copyOf(assumed);
    }

    /** The settings as read, planned with {@code mode} (what the linter takes the Pod's sidecar to be). */
    private static ShutdownSettings withMode(Map<String, String> env, ShutdownSettings s, SidecarMode mode) {
        try {
            return ShutdownCoordinator.builder().fromEnvironment(env).sidecarMode(mode).workload(s.workload()).settings();
        } catch (InvalidSettingException e) {
            return ShutdownCoordinator.builder().fromEnvironment(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1")).sidecarMode(mode)
                    .workload(s.workload()).settings();
        }
    }

    /** The container as written. */
    static ContainerModel of(Workload w, Map<?, ?> container, boolean usesLibrary) {
        return new ContainerModel(w, container, env(container), usesLibrary);
    }

    /** The container with the fixes' variables applied ({@link Change.Target#ENV} changes to this container). */
    ContainerModel with(List<Change> changes) {
        Map<String, String> fixed = new LinkedHashMap<>(env);
        boolean any = false;
        for (Change c : changes) {
            if (c.target() == Change.Target.ENV && c.path().equals(name)) {
                any = true;
                if (c.value() == null) {
                    fixed.remove(c.key());
                } else {
                    fixed.put(c.key(), c.value());
                }
            }
        }
        return any ? new ContainerModel(w, container, fixed, usesLibrary) : this;
    }

    /**
     * The sidecar mode when no Consul or Kuma injection shows: what core's annotation reader cannot
     * see from a template (a native sidecar listed in the spec, Linkerd or Dapr injection, namespace
     * injection when the app uses the library) decided here, and said.
     */
    private SidecarMode istioOrOther(SidecarMode configured, List<String> assumed) {
        if (configured != SidecarMode.AUTO) {
            return configured;
        }
        boolean nativeInSpec = list(w.podSpec().get("initContainers")).stream().map(ManifestReader::map)
                .anyMatch(m -> "istio-proxy".equals(m.get("name")) && "Always".equals(m.get("restartPolicy")));
        String inject = w.annotations().getOrDefault(PodFacts.INJECT, w.labels().getOrDefault(PodFacts.INJECT, "")).strip();
        boolean injectOff = "false".equalsIgnoreCase(inject);
        boolean injectOn = "true".equalsIgnoreCase(w.labels().getOrDefault(PodFacts.INJECT, "").strip());
        if (nativeInSpec) {
            return SidecarMode.NATIVE;
        }
        if (pod.ambient() && !pod.istioSidecar()) {
            return SidecarMode.AMBIENT;
        }
        if (!pod.istioSidecar() && "enabled".equalsIgnoreCase(w.annotations().getOrDefault(LINKERD_INJECT, "").strip())) {
            assumed.add("sidecar: linkerd (annotation " + LINKERD_INJECT + ": enabled)");
            return SidecarMode.LINKERD;
        }
        if (!pod.istioSidecar() && "true".equalsIgnoreCase(w.annotations().getOrDefault(DAPR_ENABLED, "").strip())) {
            assumed.add("sidecar: dapr (annotation " + DAPR_ENABLED + ": \"true\")");
            return SidecarMode.DAPR;
        }
        if (!pod.istioSidecar() && !injectOff && (usesLibrary || injectOn)) {
            assumed.add(injectOn ? "sidecar: classic Istio (label sidecar.istio.io/inject=true)"
                    : "sidecar: classic Istio (the app uses sidecar-shutdown; namespace-level injection is not visible in a manifest)");
            return SidecarMode.ISTIO;
        }
        return injectOff ? SidecarMode.NONE : SidecarMode.AUTO;
    }

    /** Classic Istio: a window from the Pod's SIGTERM, set in {@code proxy.istio.io/config}. */
    boolean classicIstio() {
        return facts.mode() == SidecarMode.ISTIO;
    }

    /**
     * A sidecar that runs as an ordinary container beside the app (Istio classic, Linkerd, Dapr,
     * Consul, Kuma): it outlives the app in a Job's Pod unless released, and once released (exit 0)
     * it is not restarted. Not a native sidecar (the kubelet stops it after the app, restarts it if
     * it exits) and not ambient (no sidecar).
     */
    boolean classicSidecar() {
        if (!RELEASED_IN_A_JOB.contains(facts.mode())) {
            return false;
        }
        if (facts.mode() == SidecarMode.LINKERD) {
            return !"true".equalsIgnoreCase(w.annotations().getOrDefault(LINKERD_NATIVE, "").strip());
        }
        return mesh.map(m -> !m.isNative()).orElse(true);
    }

    /** The library, in job mode, releases this classic sidecar when the app is done. */
    boolean releasesInJob() {
        return usesLibrary && jobMode && settings.releaseSidecar() && classicSidecar();
    }

    /** The container's command, args or preStop end the sidecar themselves (a shell trap, {@code linkerd-await --shutdown}). */
    boolean commandReleases() {
        StringBuilder sb = new StringBuilder();
        list(container.get("command")).forEach(o -> sb.append(o).append(' '));
        list(container.get("args")).forEach(o -> sb.append(o).append(' '));
        return RELEASE_CALL.matcher(sb).find();
    }

    /** The latest end of the library's whole sequence, from the app's SIGTERM. */
    Duration planEnd() {
        return plan.worstCaseEnd();
    }

    /** The latest end of an outbound call, from the app's SIGTERM. */
    Duration lastOutbound() {
        return plan.steps().stream().filter(ShutdownPlan.Step::needsSidecar).map(ShutdownPlan.Step::end)
                .max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /**
     * How long after the Pod's deletion the app needs its sidecar: the preStop sleep (the sidecar
     * got its SIGTERM when the sleep began), then the end of the inbound drain or of the last
     * outbound call, whichever is later when {@code withInbound}.
     */
    Duration neededAfterDeletion(boolean withInbound) {
        Duration needed = lastOutbound();
        if (withInbound) {
            for (ShutdownPlan.Step s : plan.steps()) {
                if (s.phase() == ShutdownPhase.INBOUND_DRAIN && s.end().compareTo(needed) > 0) {
                    needed = s.end();
                }
            }
        }
        return preStop.plus(needed);
    }

    /** Whether a downward-API volume item with {@code fieldPath} is mounted at {@code file} in this container. */
    boolean downwardApiMounted(String fieldPath, Path file) {
        for (Object v : list(w.podSpec().get("volumes"))) {
            Map<?, ?> vol = map(v);
            for (Object i : list(map(vol.get("downwardAPI")).get("items"))) {
                Map<?, ?> item = map(i);
                if (!fieldPath.equals(map(item.get("fieldRef")).get("fieldPath"))) {
                    continue;
                }
                for (Object mo : list(container.get("volumeMounts"))) {
                    Map<?, ?> mount = map(mo);
                    if (vol.get("name") != null && vol.get("name").equals(mount.get("name")) && mount.get("mountPath") != null
                            && Path.of(String.valueOf(mount.get("mountPath"))).resolve(String.valueOf(item.get("path"))).normalize()
                                    .equals(file.normalize())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    static Map<String, String> env(Map<?, ?> container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object o : list(container.get("env"))) {
            Map<?, ?> e = map(o);
            if (e.get("name") != null && e.get("value") != null) {
                env.put(String.valueOf(e.get("name")), String.valueOf(e.get("value")));
            }
        }
        return env;
    }

    /** A preStop {@code sleep N} (exec) or {@code sleep: {seconds: N}} (Kubernetes 1.29+). */
    static Duration preStopSleep(Map<?, ?> container) {
        Map<?, ?> preStop = map(map(container.get("lifecycle")).get("preStop"));
        Object seconds = map(preStop.get("sleep")).get("seconds");
        if (seconds instanceof Number) {
            return Duration.ofSeconds(((Number) seconds).longValue());
        }
        String command = String.join(" ", list(map(preStop.get("exec")).get("command")).stream().map(String::valueOf).toList());
        Matcher m = SLEEP.matcher(command);
        Duration total = Duration.ZERO;
        while (m.find()) {
            double n = Double.parseDouble(m.group(1));
            long millis = Math.round(n * ("m".equals(m.group(2)) ? 60_000 : 1_000));
            total = total.plusMillis(millis);
        }
        return total;
    }
}
