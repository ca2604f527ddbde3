package io.github.sidecarshutdown.cli;

import static io.github.sidecarshutdown.cli.ManifestReader.list;
import static io.github.sidecarshutdown.cli.ManifestReader.map;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.cli.Finding.Severity;
import io.github.sidecarshutdown.config.InvalidSettingException;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.pod.PodAnnotationException;
import io.github.sidecarshutdown.pod.PodFacts;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The checks. Everything about time comes from core: the settings from the container's
 * {@code SIDECAR_SHUTDOWN_*} variables through the core builder and its parser, the sidecar facts
 * from the Pod's annotations through core's annotation reader, the timeline from
 * {@link ShutdownPlan#compute}.
 *
 * <p>Long because each rule of the linter table in README.md is one short method here, next to the
 * others it shares the workload model with.
 */
final class Linter {

    /** What the linter concluded for one app container of one workload. */
    record Result(Workload workload, String container, List<Finding> findings, @Nullable ShutdownPlan plan,
            Duration preStop, List<String> assumptions) {

        boolean hasErrors() {
            return findings.stream().anyMatch(f -> f.severity() == Severity.ERROR);
        }
    }

    private static final Duration KUBERNETES_DEFAULT_GRACE = Duration.ofSeconds(30);
    private static final Pattern SLEEP = Pattern.compile("(?:^|[;&|\\s])sleep\\s+(\\d+(?:\\.\\d+)?)(s|m)?\\b");
    private static final Pattern OUTBOUND_VALUE = Pattern.compile(
            "^(?:https?|grpcs?|amqps?|redis|rediss|mongodb(?:\\+srv)?|nats|kafka|postgres(?:ql)?|mysql)://.+|^jdbc:.+",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern OUTBOUND_NAME = Pattern.compile(
            ".*(?:_URL|_URI|_ENDPOINT|_ADDR|_ADDRESS|_HOST|BOOTSTRAP_SERVERS|_DSN)$", Pattern.CASE_INSENSITIVE);

    /** Sidecar endpoints an ambient Pod does not have: Envoy admin, pilot-agent, their release calls. */
    private static final Pattern SIDECAR_CALL = Pattern.compile(
            "(?:localhost|127\\.0\\.0\\.1|\\[::1\\]):15000\\b|:15020\\b|quitquitquit|pilot-agent", Pattern.CASE_INSENSITIVE);

    private Linter() {
    }

    static List<Result> lint(Workload w) {
        List<Map<?, ?>> containers = new ArrayList<>();
        for (Object c : list(w.podSpec().get("containers"))) {
            Map<?, ?> m = map(c);
            // the sidecars themselves, when a rendered Pod lists them
            if (!List.of("istio-proxy", "consul-dataplane", "kuma-sidecar").contains(String.valueOf(m.get("name")))) {
                containers.add(m);
            }
        }
        List<Map<?, ?>> app = new ArrayList<>();
        for (Map<?, ?> c : containers) {
            if (env(c).keySet().stream().anyMatch(k -> k.startsWith("SIDECAR_SHUTDOWN_"))) {
                app.add(c);
            }
        }
        boolean usesLibrary = !app.isEmpty();
        if (app.isEmpty() && !containers.isEmpty()) {
            app.add(containers.get(0));
        }
        List<Result> out = new ArrayList<>();
        for (Map<?, ?> c : app) {
            out.add(lintContainer(w, c, usesLibrary));
        }
        return out;
    }

    private static Result lintContainer(Workload w, Map<?, ?> container, boolean usesLibrary) {
        List<Finding> findings = new ArrayList<>();
        List<String> assumptions = new ArrayList<>();
        String name = String.valueOf(container.get("name"));
        Map<String, String> env = env(container);

        // ---- facts, as core reads them ----
        PodFacts pod;
        try {
            pod = PodFacts.fromAnnotations(w.annotations(), "manifest annotations");
        } catch (PodAnnotationException e) {
            findings.add(new Finding(Rule.MALFORMED_ANNOTATION, Severity.ERROR, e.getMessage(),
                    "Write proxy.istio.io/config as a YAML map, or as JSON such as '{\"terminationDrainDuration\": \"25s\"}', "
                            + "with plain values in the fields the library reads (terminationDrainDuration, "
                            + "holdApplicationUntilProxyStarts, proxyMetadata.EXIT_ON_ZERO_ACTIVE_CONNECTIONS and "
                            + "proxyMetadata.MINIMUM_DRAIN_DURATION); lists and block scalars elsewhere are fine"));
            pod = PodFacts.none("manifest annotations (malformed)");
        }
        Map<String, String> settingsEnv = new HashMap<>(env);
        settingsEnv.put("KUBERNETES_SERVICE_HOST", "10.0.0.1"); // the container runs in Kubernetes
        ShutdownSettings settings;
        try {
            settings = ShutdownCoordinator.builder().fromEnvironment(settingsEnv).settings();
        } catch (InvalidSettingException e) {
            findings.add(new Finding(Rule.INVALID_SETTING, Severity.ERROR, e.getMessage(),
                    "Fix the value of " + e.source() + " in container " + name + "; the app would fail at startup"));
            settings = ShutdownCoordinator.builder().fromEnvironment(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1")).settings();
            assumptions.add("settings: library defaults (a variable is invalid)");
        }

        // Job mode: said outright, or left to auto with the Pod's labels mounted where the library
        // reads them (the Job controller labels the Pods it creates, not the template).
        boolean jobMode = usesLibrary && (settings.workload() == io.github.sidecarshutdown.Workload.JOB
                || (settings.workload() == io.github.sidecarshutdown.Workload.AUTO && w.isBatch()
                        && downwardApiMounted(w, container, "metadata.labels", settings.labelsFile())));
        if (jobMode && settings.workload() == io.github.sidecarshutdown.Workload.AUTO) {
            try {
                settings = ShutdownCoordinator.builder().fromEnvironment(settingsEnv).workload(io.github.sidecarshutdown.Workload.JOB).settings();
                assumptions.add("workload: job (the Job controller's job-name label, read from " + settings.labelsFile() + ")");
            } catch (InvalidSettingException e) {
                // already reported above; the defaults stay
            }
        }

        Duration grace = graceOf(w, assumptions);
        Duration preStop = preStopSleep(container);
        boolean nativeInSpec = list(w.podSpec().get("initContainers")).stream().map(ManifestReader::map)
                .anyMatch(m -> "istio-proxy".equals(m.get("name")) && "Always".equals(m.get("restartPolicy")));
        boolean injectOff = "false".equalsIgnoreCase(w.annotations().getOrDefault(PodFacts.INJECT,
                w.labels().getOrDefault(PodFacts.INJECT, "")).strip());
        boolean injectOn = "true".equalsIgnoreCase(w.labels().getOrDefault(PodFacts.INJECT, "").strip());

        SidecarMode mode = settings.sidecarMode();
        Optional<MeshRules> mesh = MeshRules.of(w, mode, findings);
        if (mesh.isPresent()) {
            mode = SidecarMode.AUTO; // Consul or Kuma: their facts come from MeshRules below
        } else if (mode == SidecarMode.AUTO && nativeInSpec) {
            mode = SidecarMode.NATIVE;
        } else if (mode == SidecarMode.AUTO && pod.ambient() && !pod.istioSidecar()) {
            mode = SidecarMode.AMBIENT;
        } else if (mode == SidecarMode.AUTO && !pod.istioSidecar() && !injectOff && (usesLibrary || injectOn)) {
            mode = SidecarMode.ISTIO;
            assumptions.add(injectOn ? "sidecar: classic Istio (label sidecar.istio.io/inject=true)"
                    : "sidecar: classic Istio (the app uses sidecar-shutdown; namespace-level injection is not visible in a manifest)");
        } else if (injectOff && mode == SidecarMode.AUTO) {
            mode = SidecarMode.NONE;
        }
        SidecarFacts facts = mesh.isPresent() ? mesh.get().facts(assumptions)
                : pod.toSidecarFacts(mode, settings.terminationDrainDuration());
        boolean classic = facts.mode() == SidecarMode.ISTIO;

        // ---- the library's plan, from core ----
        Duration cleanup = settings.cleanupBudget().orElse(settings.taskTimeout());
        assumptions.add("cleanup: one outbound task of " + fmt(cleanup) + (settings.cleanupBudget().isPresent()
                ? " (cleanup-budget)" : " (task-timeout; set SIDECAR_SHUTDOWN_CLEANUP_BUDGET to say what the app needs)"));
        ShutdownTask task = ShutdownTask.builder("app-cleanup-assumed", ctx -> { })
                .phase(ShutdownPhase.CLEANUP).timeout(cleanup.isZero() ? Duration.ofMillis(1) : cleanup).needsSidecar(true).build();
        ShutdownPlan plan = ShutdownPlan.compute(settings, List.of(task), facts);
        Duration planEnd = plan.worstCaseEnd();
        Duration lastOutbound = plan.steps().stream().filter(ShutdownPlan.Step::needsSidecar).map(ShutdownPlan.Step::end)
                .max(Duration::compareTo).orElse(Duration.ZERO);
        Optional<Duration> window = facts.guaranteedWindow();

        // 1. grace period vs the sidecar's drain window
        if (classic && window.isPresent() && grace.compareTo(window.get()) < 0) {
            findings.add(new Finding(Rule.GRACE_SHORTER_THAN_DRAIN, Severity.ERROR,
                    "terminationGracePeriodSeconds=" + grace.toSeconds() + " is shorter than the sidecar's drain window "
                            + fmt(window.get()) + ": the kubelet SIGKILLs the Pod before Envoy's window ends",
                    "set spec.terminationGracePeriodSeconds: " + (ceil(window.get()) + ceil(settings.safetyMargin()))
                            + (usesLibrary ? " (and SIDECAR_SHUTDOWN_GRACE_PERIOD to match)" : "")
                            + ", or lower terminationDrainDuration in proxy.istio.io/config to "
                            + Math.max(1, grace.toSeconds() - ceil(settings.safetyMargin())) + "s"));
        }
        if (usesLibrary) {
            // 2. preStop sleep + the app's shutdown vs the grace period
            if (!preStop.isZero() && preStop.plus(planEnd).plus(settings.safetyMargin()).compareTo(grace) > 0) {
                findings.add(new Finding(Rule.PRESTOP_EXCEEDS_GRACE, Severity.ERROR,
                        "container " + name + ": the preStop sleep (" + fmt(preStop) + ") runs before SIGTERM, and the library's "
                                + "plan then needs up to " + fmt(planEnd) + " plus safety-margin " + fmt(settings.safetyMargin())
                                + ": " + fmt(preStop.plus(planEnd).plus(settings.safetyMargin())) + " > terminationGracePeriodSeconds="
                                + grace.toSeconds(),
                        "remove the preStop sleep and set SIDECAR_SHUTDOWN_PROPAGATION_DELAY: \"" + ceil(preStop) + "s\" instead "
                                + "(the library keeps serving during that delay), or set spec.terminationGracePeriodSeconds: "
                                + ceil(preStop.plus(planEnd).plus(settings.safetyMargin()))));
            }
            if (classic && !preStop.isZero() && window.isPresent() && !facts.exitOnZeroActiveConnections()
                    && preStop.plus(lastOutbound).compareTo(window.get()) > 0) {
                findings.add(new Finding(Rule.PRESTOP_EATS_WINDOW, Severity.ERROR,
                        "container " + name + ": a classic sidecar gets SIGTERM when the preStop starts, not after it; its "
                                + fmt(window.get()) + " window is over before the cleanup ends at " + fmt(preStop) + " + "
                                + fmt(lastOutbound) + " = " + fmt(preStop.plus(lastOutbound)),
                        "remove the preStop sleep and set SIDECAR_SHUTDOWN_PROPAGATION_DELAY: \"" + ceil(preStop) + "s\" instead, "
                                + "or set proxy.istio.io/config terminationDrainDuration: " + (ceil(preStop.plus(lastOutbound)) + 1) + "s"));
            }
            // 3. the library's budget vs the window, and the whole plan vs its budget: core's plan check
            for (String warning : plan.warnings()) {
                if (warning.startsWith("Outbound cleanup may run until")) {
                    findings.add(new Finding(Rule.CLEANUP_EXCEEDS_WINDOW, Severity.ERROR, beforeFix(warning), afterFix(warning)));
                } else if (warning.startsWith("The plan may need")) {
                    findings.add(new Finding(Rule.PLAN_EXCEEDS_GRACE, Severity.ERROR, beforeFix(warning), afterFix(warning)));
                }
                // "grace-period=... is shorter than terminationDrainDuration" is checked above against the Pod itself.
            }
            // 7. the library's grace period vs the Pod's
            Duration expected = grace.minus(preStop);
            if (!settings.gracePeriod().equals(expected)) {
                boolean set = env.containsKey(Setting.GRACE_PERIOD.envName());
                boolean longer = settings.gracePeriod().compareTo(expected) > 0;
                findings.add(new Finding(Rule.GRACE_PERIOD_MISMATCH, longer ? Severity.ERROR : Severity.WARNING,
                        "container " + name + ": " + (set ? Setting.GRACE_PERIOD.envName() + "=" + env.get(Setting.GRACE_PERIOD.envName())
                                : Setting.GRACE_PERIOD.envName() + " is not set, so the library assumes " + fmt(settings.gracePeriod()))
                                + ", but the app has " + fmt(expected) + " from SIGTERM (terminationGracePeriodSeconds=" + grace.toSeconds()
                                + (preStop.isZero() ? "" : " minus the " + fmt(preStop) + " preStop sleep") + ")"
                                + (longer ? ": its deadline lies after the kubelet's SIGKILL" : ": it gives up earlier than it must"),
                        "set " + Setting.GRACE_PERIOD.envName() + ": \"" + ceil(expected) + "s\" in container " + name));
            }
            // annotations file mounted?
            if (!annotationsMounted(w, container, settings.annotationsFile())) {
                findings.add(new Finding(Rule.ANNOTATIONS_NOT_MOUNTED, Severity.WARNING,
                        "container " + name + ": nothing mounts the Pod's annotations at " + settings.annotationsFile()
                                + ", so the library cannot see native mode or the Pod's proxy config before Envoy answers",
                        "add a downwardAPI volume with items [{path: " + settings.annotationsFile().getFileName()
                                + ", fieldRef: {fieldPath: metadata.annotations}}] mounted at " + settings.annotationsFile().getParent()
                                + " (see examples/kubernetes/plain-java.yaml)"));
            }
        }
        // 9. Consul's and Kuma's timing annotations
        if (mesh.isPresent()) {
            mesh.get().check(name, usesLibrary, settings, grace, plan, findings);
        }
        // 4. EXIT_ON_ZERO without a minimum
        if (classic && facts.exitOnZeroActiveConnections() && facts.minimumDrainDuration().isEmpty()) {
            long want = Math.max(5, ceil(lastOutbound) + 1);
            findings.add(new Finding(Rule.EXIT_ON_ZERO_WITHOUT_MINIMUM, Severity.WARNING,
                    "EXIT_ON_ZERO_ACTIVE_CONNECTIONS is on without MINIMUM_DRAIN_DURATION: only the default 5s of outbound "
                            + "is guaranteed, after which Envoy exits as soon as no connection is open, even between two cleanup calls",
                    "add to proxy.istio.io/config: proxyMetadata: {MINIMUM_DRAIN_DURATION: \"" + want + "s\"}"));
        }
        // 5. hold-until-proxy-starts off for an app that calls out at startup (heuristic)
        if (classic && !pod.holdApplicationUntilProxyStarts().orElse(false)) {
            Optional<String> caller = outboundVariable(env);
            if (caller.isPresent()) {
                findings.add(new Finding(Rule.HOLD_OFF_WITH_STARTUP_CALLS, Severity.WARNING,
                        "container " + name + " seems to call out (heuristic: " + caller.get() + " looks like the address of "
                                + "a service or database) while holdApplicationUntilProxyStarts is off: a call made before "
                                + "Envoy is ready at startup is refused",
                        "add to proxy.istio.io/config: holdApplicationUntilProxyStarts: true (or call "
                                + "coordinator.awaitSidecarReady() before the first outbound call)"));
            }
        }
        // 6. Jobs behind a classic sidecar that nothing releases
        if (w.isBatch() && classic && !mentionsQuit(container) && !jobMode) {
            if (usesLibrary) {
                String set = env.get(Setting.WORKLOAD.envName());
                findings.add(new Finding(Rule.JOB_WITHOUT_JOB_WORKLOAD, Severity.ERROR,
                        w.kind() + " with a classic Istio sidecar: container " + name + " uses sidecar-shutdown "
                                + (set != null ? "with " + Setting.WORKLOAD.envName() + "=" + set
                                        : "without the job workload (no " + Setting.WORKLOAD.envName() + ", and no downward-API "
                                                + "volume puts metadata.labels at " + settings.labelsFile() + ")")
                                + ", so it leaves the live sidecar running when the app exits and the Job never completes",
                        "set " + Setting.WORKLOAD.envName() + ": \"job\" in container " + name
                                + " (or mount metadata.labels at " + settings.labelsFile() + " with the downward API and leave "
                                + Setting.WORKLOAD.envName() + " unset; see examples/kubernetes/batch-job-classic.yaml)"));
            } else {
                findings.add(new Finding(Rule.JOB_WITHOUT_SIDECAR_RELEASE, Severity.ERROR,
                        w.kind() + " with a classic Istio sidecar: when container " + name + " exits, istio-proxy keeps running and "
                                + "the Job never completes",
                        "annotate the Pod template with sidecar.istio.io/nativeSidecar: \"true\" (Kubernetes >= 1.29, Istio >= 1.24), "
                                + "or use sidecar-shutdown with " + Setting.WORKLOAD.envName() + ": \"job\" (it releases the sidecar "
                                + "after the app's cleanup and keeps its exit code), "
                                + "or end the command with: trap 'curl -sf -XPOST http://127.0.0.1:15020/quitquitquit' EXIT"));
            }
        }
        // 8. ambient Pods calling a sidecar that is not there
        if (facts.mode() == SidecarMode.AMBIENT) {
            Optional<String> call = sidecarCall(container);
            if (call.isPresent()) {
                findings.add(new Finding(Rule.AMBIENT_SIDECAR_CALL, Severity.WARNING,
                        "container " + name + " is in an ambient Pod (" + PodFacts.AMBIENT_REDIRECTION + ": enabled) but its "
                                + call.get() + " calls a sidecar endpoint; ambient Pods have no sidecar, so the call fails or "
                                + "hangs (and with `set -e` or `&&` skips what follows)",
                        "remove the call from container " + name + ": ztunnel on the node carries the Pod's traffic until every "
                                + "container exited, so there is nothing to drain or release; keep only a delay before exit "
                                + "(SIDECAR_SHUTDOWN_PROPAGATION_DELAY with sidecar-shutdown, or a preStop sleep)"));
            }
        }
        return new Result(w, name, List.copyOf(findings), plan, preStop, List.copyOf(assumptions));
    }

    private static String beforeFix(String warning) {
        int i = warning.indexOf(" Fix: ");
        return i < 0 ? warning : warning.substring(0, i);
    }

    private static String afterFix(String warning) {
        int i = warning.indexOf(" Fix: ");
        return i < 0 ? "" : warning.substring(i + 6);
    }

    private static Duration graceOf(Workload w, List<String> assumptions) {
        Object g = w.podSpec().get("terminationGracePeriodSeconds");
        if (g instanceof Number) {
            return Duration.ofSeconds(((Number) g).longValue());
        }
        assumptions.add("terminationGracePeriodSeconds: Kubernetes' default 30");
        return KUBERNETES_DEFAULT_GRACE;
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

    private static Optional<String> outboundVariable(Map<String, String> env) {
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getKey().startsWith("SIDECAR_SHUTDOWN_")) {
                continue;
            }
            String v = e.getValue().strip();
            if (OUTBOUND_VALUE.matcher(v).matches()) {
                return Optional.of(e.getKey() + "=" + v);
            }
            if (OUTBOUND_NAME.matcher(e.getKey()).matches() && !v.isEmpty() && !v.startsWith("127.") && !v.startsWith("localhost")) {
                return Optional.of(e.getKey() + "=" + v);
            }
        }
        return Optional.empty();
    }

    private static boolean mentionsQuit(Map<?, ?> container) {
        StringBuilder sb = new StringBuilder();
        list(container.get("command")).forEach(o -> sb.append(o).append(' '));
        list(container.get("args")).forEach(o -> sb.append(o).append(' '));
        return sb.toString().contains("quitquitquit");
    }

    /** Where the container calls a sidecar endpoint (preStop, command, args), if it does. */
    private static Optional<String> sidecarCall(Map<?, ?> container) {
        Map<?, ?> preStop = map(map(container.get("lifecycle")).get("preStop"));
        StringBuilder hook = new StringBuilder();
        list(map(preStop.get("exec")).get("command")).forEach(o -> hook.append(o).append(' '));
        Map<?, ?> http = map(preStop.get("httpGet"));
        if (!http.isEmpty()) {
            hook.append(":").append(http.get("port")).append(' ').append(http.get("path"));
        }
        if (SIDECAR_CALL.matcher(hook).find()) {
            return Optional.of("preStop");
        }
        StringBuilder command = new StringBuilder();
        list(container.get("command")).forEach(o -> command.append(o).append(' '));
        list(container.get("args")).forEach(o -> command.append(o).append(' '));
        return SIDECAR_CALL.matcher(command).find() ? Optional.of("command") : Optional.empty();
    }

    private static boolean annotationsMounted(Workload w, Map<?, ?> container, Path file) {
        return downwardApiMounted(w, container, "metadata.annotations", file);
    }

    /** Whether a downward-API volume item with {@code fieldPath} is mounted at {@code file} in the container. */
    private static boolean downwardApiMounted(Workload w, Map<?, ?> container, String fieldPath, Path file) {
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

    private static long ceil(Duration d) {
        return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    }

    static String fmt(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        return d.toSeconds() + "s";
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
