package io.github.sidecarshutdown;

import static java.util.Objects.requireNonNull;

import io.github.sidecarshutdown.config.InvalidSettingException;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.config.SettingKey;
import io.github.sidecarshutdown.config.SettingParser;
import io.github.sidecarshutdown.consul.ConsulMesh;
import io.github.sidecarshutdown.dapr.DaprMesh;
import io.github.sidecarshutdown.envoy.AdminCallListener;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.LogSafe;
import io.github.sidecarshutdown.internal.Loggers;
import io.github.sidecarshutdown.internal.RuntimeHooks;
import io.github.sidecarshutdown.internal.StartupLog;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.internal.UnknownVariables;
import io.github.sidecarshutdown.internal.engine.Engine;
import io.github.sidecarshutdown.istio.IstioMesh;
import io.github.sidecarshutdown.kuma.KumaMesh;
import io.github.sidecarshutdown.linkerd.LinkerdMesh;
import io.github.sidecarshutdown.pod.PodAnnotations;
import io.github.sidecarshutdown.pod.PodLabels;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.Meshes;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link ShutdownCoordinator}. Every setter validates its value and states its default;
 * {@link #build()} checks the rules that span settings. {@link #fromEnvironment()} applies the
 * {@code SIDECAR_SHUTDOWN_*} variables on top of what was set, and errors then name the variable.
 * Not thread-safe; {@code build()} copies everything, so a builder can be reused.
 *
 * <p>Long because it is the one place every setting enters from every front end (a setter, its
 * environment variable, its validation naming the source); splitting it by setting would scatter
 * the rules that span settings.
 */
public final class ShutdownCoordinatorBuilder {

    /** Kubernetes sets this in every container; used to decide the default propagation delay. */
    static final String KUBERNETES_MARKER = "KUBERNETES_SERVICE_HOST";

    /** Where {@code examples/kubernetes} mounts the Pod's annotations with the downward API. */
    public static final Path DEFAULT_ANNOTATIONS_FILE = Path.of("/etc/podinfo/annotations");

    /** Where {@code examples/kubernetes} mounts the Pod's labels with the downward API. */
    public static final Path DEFAULT_LABELS_FILE = Path.of("/etc/podinfo/labels");

    private boolean enabled = true;
    private Duration gracePeriod = Duration.ofSeconds(30);
    private Duration safetyMargin = Duration.ofSeconds(2);
    private @Nullable Duration propagationDelay;
    private Duration quietPeriod = Duration.ZERO;
    private Duration drainTimeout = Duration.ofSeconds(10);
    private @Nullable Duration cleanupBudget;
    private Duration taskTimeout = Duration.ofSeconds(5);
    private Duration minimumTaskWindow = Duration.ofMillis(250);
    private SidecarMode sidecarMode = SidecarMode.AUTO;
    private boolean allowNonLoopback;
    private Duration adminTimeout = Duration.ofSeconds(1);
    private boolean releaseSidecar = true;
    private Duration startupWait = Duration.ofSeconds(60);
    private StartupPolicy startupPolicy = StartupPolicy.OPTIONAL;
    private Path annotationsFile = DEFAULT_ANNOTATIONS_FILE;
    /** Every mesh setting's value: its default until set; a URI or a Duration. */
    private final Map<MeshSetting, Object> mesh = new LinkedHashMap<>();
    /** Mesh settings set explicitly: then, for instance, a port in the Pod's annotations does not replace them. */
    private final Set<MeshSetting> meshSet = new HashSet<>();
    private Workload workload = Workload.AUTO;
    private Path labelsFile = DEFAULT_LABELS_FILE;

    private final Map<SettingKey, String> sources = new HashMap<>();
    /** The text each setting read from a variable or a property was given in, to show it as written. */
    private final Map<SettingKey, String> texts = new HashMap<>();
    /** The duration settings given a value, by a builder method or from text: the others hold their defaults. */
    private final Set<SettingKey> given = new HashSet<>();
    private Map<String, String> environment = System.getenv();
    private final List<ShutdownTask> tasks = new ArrayList<>();
    private final List<ShutdownListener> listeners = new ArrayList<>();
    private AdminCallListener adminCallListener = AdminCallListener.none();
    private @Nullable Sidecar sidecar;
    private TimeSource time = TimeSource.system();
    private RuntimeHooks hooks = RuntimeHooks.jvm();

    ShutdownCoordinatorBuilder() {
        for (MeshSetting m : Meshes.settings()) {
            mesh.put(m, m.kind() == Setting.Kind.URL ? URI.create(m.defaultValue())
                    : SettingParser.duration(m, m.builderMethod(), m.defaultValue()));
        }
    }

    private String source(SettingKey s) {
        return sources.getOrDefault(s, s.builderMethod());
    }

    /**
     * How an error names {@code other}, a setting it compares with one the user set under
     * {@code userSource}: as the user named it, or, when it was never set, in the same front end
     * (its variable, its property or its builder method).
     */
    private String nameBeside(Setting other, String userSource) {
        if (sources.containsKey(other)) {
            return sources.get(other);
        }
        if (userSource.startsWith("SIDECAR_SHUTDOWN_")) {
            return other.envName();
        }
        if (userSource.startsWith("sidecar.shutdown.")) {
            return other.propertyName();
        }
        return other.builderMethod();
    }

    /**
     * A duration setting's value as the user wrote it: the text of its variable or property while
     * the value still is what that text says (a later builder call may have replaced it), the
     * {@link Duration} given to the builder, or the default, said to be one.
     */
    private String written(Setting s, Duration value) {
        String text = texts.get(s);
        if (text != null && SettingParser.durationFor(s, source(s), text).equals(value)) {
            return text;
        }
        return given.contains(s) ? value.toString() : Durations.format(value) + " (the default)";
    }

    private Duration duration(SettingKey s, Duration d) {
        requireNonNull(d, s.builderMethod());
        Duration checked = SettingParser.checkDuration(s, source(s), d, d);
        given.add(s);
        return checked;
    }

    private Duration positive(Setting s, Duration d) {
        duration(s, d);
        if (d.isZero()) {
            throw new InvalidSettingException(s, source(s), d.toString(), "must be greater than 0");
        }
        return d;
    }

    /** Whether the library does anything; when false, {@code install()} adds no hook. Default true. */
    public ShutdownCoordinatorBuilder enabled(boolean enabled) {
        this.enabled = enabled;
        return this;
    }

    /** The Pod's {@code terminationGracePeriodSeconds}, which no container can see. Default 30 s. */
    public ShutdownCoordinatorBuilder gracePeriod(Duration gracePeriod) {
        this.gracePeriod = positive(Setting.GRACE_PERIOD, gracePeriod);
        return this;
    }

    /** Left free at the end of the grace period for the JVM to exit. Default 2 s. */
    public ShutdownCoordinatorBuilder safetyMargin(Duration safetyMargin) {
        this.safetyMargin = duration(Setting.SAFETY_MARGIN, safetyMargin);
        return this;
    }

    /**
     * Time to keep serving after readiness went off, while endpoints and Envoy clusters forget the
     * Pod. Default 5 s inside Kubernetes ({@code KUBERNETES_SERVICE_HOST} set), 0 elsewhere, so a
     * local run adds no delay; 0 in the {@link Workload#JOB} workload (a Job's Pod is behind no
     * Service, so there are no endpoints to forget it).
     */
    public ShutdownCoordinatorBuilder propagationDelay(Duration propagationDelay) {
        this.propagationDelay = duration(Setting.PROPAGATION_DELAY, propagationDelay);
        return this;
    }

    /** Ends the propagation delay once no request arrived for this long; 0 turns it off. Default 0. */
    public ShutdownCoordinatorBuilder quietPeriod(Duration quietPeriod) {
        this.quietPeriod = duration(Setting.QUIET_PERIOD, quietPeriod);
        return this;
    }

    /** Longest wait for in-flight inbound requests. Default 10 s. */
    public ShutdownCoordinatorBuilder drainTimeout(Duration drainTimeout) {
        this.drainTimeout = duration(Setting.DRAIN_TIMEOUT, drainTimeout);
        return this;
    }

    /** Cap on the whole cleanup phase. Default: whatever is left of the deadline. */
    public ShutdownCoordinatorBuilder cleanupBudget(Duration cleanupBudget) {
        this.cleanupBudget = positive(Setting.CLEANUP_BUDGET, cleanupBudget);
        return this;
    }

    /** Timeout of a task that sets none. Default 5 s. */
    public ShutdownCoordinatorBuilder taskTimeout(Duration taskTimeout) {
        this.taskTimeout = positive(Setting.TASK_TIMEOUT, taskTimeout);
        return this;
    }

    /** A network task with less of the sidecar's window left is skipped. Default 250 ms. */
    public ShutdownCoordinatorBuilder minimumTaskWindow(Duration minimumTaskWindow) {
        this.minimumTaskWindow = duration(Setting.MINIMUM_TASK_WINDOW, minimumTaskWindow);
        return this;
    }

    /**
     * Which sidecar: one of {@link Meshes#modes()}. Default {@link SidecarMode#AUTO}.
     *
     * @throws IllegalArgumentException for a mode no registered mesh answers to
     */
    public ShutdownCoordinatorBuilder sidecarMode(SidecarMode sidecarMode) {
        requireNonNull(sidecarMode, "sidecarMode");
        if (!Meshes.modes().contains(sidecarMode)) {
            throw new IllegalArgumentException("sidecarMode: " + sidecarMode + " (expected: one of " + Meshes.modes() + ")");
        }
        this.sidecarMode = sidecarMode;
        return this;
    }

    /** Envoy admin URL. Default {@code http://127.0.0.1:15000}; loopback only unless {@link #allowNonLoopback(boolean)}. */
    public ShutdownCoordinatorBuilder adminUrl(URI adminUrl) {
        return meshUrl(IstioMesh.ADMIN_URL, adminUrl);
    }

    /** pilot-agent URL. Default {@code http://127.0.0.1:15020}; loopback only unless {@link #allowNonLoopback(boolean)}. */
    public ShutdownCoordinatorBuilder agentUrl(URI agentUrl) {
        return meshUrl(IstioMesh.AGENT_URL, agentUrl);
    }

    /** Whether admin and agent URLs may name another host than loopback. Default false. */
    public ShutdownCoordinatorBuilder allowNonLoopback(boolean allowNonLoopback) {
        this.allowNonLoopback = allowNonLoopback;
        return this;
    }

    /** Timeout of one admin or agent call. Default 1 s. */
    public ShutdownCoordinatorBuilder adminTimeout(Duration adminTimeout) {
        this.adminTimeout = positive(Setting.ADMIN_TIMEOUT, adminTimeout);
        return this;
    }

    /**
     * Whether to tell a classic Istio sidecar to exit once the app is done ({@code POST
     * /quitquitquit}), so the Pod ends with the app instead of at {@code terminationDrainDuration}.
     * Sent only when the sidecar is seen terminating (or live too, in the {@link Workload#JOB}
     * workload), never in native or ambient mode. Default true.
     */
    public ShutdownCoordinatorBuilder releaseSidecar(boolean releaseSidecar) {
        this.releaseSidecar = releaseSidecar;
        return this;
    }

    /** The outbound window assumed when {@code /server_info} does not say. Default 5 s (Istio's default). */
    public ShutdownCoordinatorBuilder terminationDrainDuration(Duration terminationDrainDuration) {
        return meshDuration(IstioMesh.TERMINATION_DRAIN_DURATION, terminationDrainDuration);
    }

    /** Longest wait for the sidecar in {@link ShutdownCoordinator#awaitSidecarReady()}. Default 60 s. */
    public ShutdownCoordinatorBuilder startupWait(Duration startupWait) {
        this.startupWait = duration(Setting.STARTUP_WAIT, startupWait);
        return this;
    }

    /** What happens when no sidecar answers at startup. Default {@link StartupPolicy#OPTIONAL}. */
    public ShutdownCoordinatorBuilder startupPolicy(StartupPolicy startupPolicy) {
        this.startupPolicy = requireNonNull(startupPolicy, "startupPolicy");
        return this;
    }

    /**
     * The downward-API file with the Pod's annotations ({@code fieldPath: metadata.annotations}).
     * Read once by {@link #build()}: {@code proxy.istio.io/config} gives the window before Envoy
     * answers, {@code sidecar.istio.io/status} tells a native sidecar from a classic one. A missing
     * or malformed file logs one line and changes nothing. Default {@code /etc/podinfo/annotations}.
     */
    public ShutdownCoordinatorBuilder annotationsFile(Path annotationsFile) {
        this.annotationsFile = requireNonNull(annotationsFile, "annotationsFile");
        return this;
    }

    /**
     * What the Pod runs. {@link Workload#JOB}: the JVM's exit is the Pod's end, so after the cleanup
     * tasks a classic Istio (or Linkerd, Dapr, Consul, Kuma) sidecar is released even while live, and the Job
     * completes. {@link Workload#AUTO} decides from the Pod's labels ({@link #labelsFile}) once, at
     * {@link #build()}. Default {@link Workload#AUTO}.
     */
    public ShutdownCoordinatorBuilder workload(Workload workload) {
        this.workload = requireNonNull(workload, "workload");
        return this;
    }

    /**
     * The downward-API file with the Pod's labels ({@code fieldPath: metadata.labels}), read by
     * {@link #build()} when the workload is {@link Workload#AUTO}: a {@code batch.kubernetes.io/job-name}
     * or {@code job-name} label makes it a job; a missing or malformed file logs one line and makes it
     * a service. Default {@code /etc/podinfo/labels}.
     */
    public ShutdownCoordinatorBuilder labelsFile(Path labelsFile) {
        this.labelsFile = requireNonNull(labelsFile, "labelsFile");
        return this;
    }

    /** linkerd-proxy admin URL. Default {@code http://127.0.0.1:4191}; loopback only unless {@link #allowNonLoopback(boolean)}. */
    public ShutdownCoordinatorBuilder linkerdAdminUrl(URI linkerdAdminUrl) {
        return meshUrl(LinkerdMesh.ADMIN_URL, linkerdAdminUrl);
    }

    /** daprd HTTP API URL. Default {@code http://127.0.0.1:3500}; loopback only unless {@link #allowNonLoopback(boolean)}. */
    public ShutdownCoordinatorBuilder daprUrl(URI daprUrl) {
        return meshUrl(DaprMesh.URL, daprUrl);
    }

    /** Envoy admin URL under consul-dataplane. Default {@code http://127.0.0.1:19000}; loopback only unless {@link #allowNonLoopback(boolean)}. */
    public ShutdownCoordinatorBuilder consulAdminUrl(URI consulAdminUrl) {
        return meshUrl(ConsulMesh.ADMIN_URL, consulAdminUrl);
    }

    /**
     * consul-dataplane's lifecycle server URL, asked only to tell the dataplane from another Envoy.
     * Default {@code http://127.0.0.1:20600} (consul-k8s's graceful port), or the port in the Pod's
     * {@code consul.hashicorp.com/sidecar-proxy-lifecycle-graceful-port} annotation; loopback only unless
     * {@link #allowNonLoopback(boolean)}.
     */
    public ShutdownCoordinatorBuilder consulLifecycleUrl(URI consulLifecycleUrl) {
        return meshUrl(ConsulMesh.LIFECYCLE_URL, consulLifecycleUrl);
    }

    /**
     * Envoy admin URL under kuma-dp. Default {@code http://127.0.0.1:9901}, or the port Kuma's injector
     * wrote in the Pod's {@code kuma.io/envoy-admin-port} annotation; loopback only unless
     * {@link #allowNonLoopback(boolean)}.
     */
    public ShutdownCoordinatorBuilder kumaAdminUrl(URI kumaAdminUrl) {
        return meshUrl(KumaMesh.ADMIN_URL, kumaAdminUrl);
    }

    /**
     * Sets a URL setting of a mesh ({@link Meshes#settings()}); loopback only unless
     * {@link #allowNonLoopback(boolean)}. The default is the setting's own.
     *
     * @throws IllegalArgumentException for a setting that is not a URL setting of a registered mesh
     */
    public ShutdownCoordinatorBuilder meshUrl(MeshSetting setting, URI url) {
        requireNonNull(setting, "setting");
        checkMeshSetting(setting, Setting.Kind.URL);
        mesh.put(setting, SettingParser.checkUrl(setting, source(setting), requireNonNull(url, setting.builderMethod())));
        meshSet.add(setting);
        return this;
    }

    /**
     * Sets a duration setting of a mesh ({@link Meshes#settings()}). The default is the setting's own.
     *
     * @throws IllegalArgumentException for a setting that is not a duration setting of a registered mesh
     */
    public ShutdownCoordinatorBuilder meshDuration(MeshSetting setting, Duration value) {
        requireNonNull(setting, "setting");
        checkMeshSetting(setting, Setting.Kind.DURATION);
        mesh.put(setting, duration(setting, value));
        meshSet.add(setting);
        return this;
    }

    private void checkMeshSetting(MeshSetting setting, Setting.Kind kind) {
        if (!mesh.containsKey(setting) || setting.kind() != kind) {
            throw new IllegalArgumentException("setting: " + setting.key() + " (expected: a " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + " setting of a registered mesh: " + Meshes.settings().stream().map(MeshSetting::key).toList() + ")");
        }
    }

    /** Adds a task; tasks of a phase run in the order they were added. */
    public ShutdownCoordinatorBuilder task(ShutdownTask task) {
        tasks.add(requireNonNull(task, "task"));
        return this;
    }

    /** Adds a {@link ShutdownPhase#CLEANUP} task with the default timeout. */
    public ShutdownCoordinatorBuilder task(String name, ShutdownAction action) {
        return task(ShutdownTask.of(name, action));
    }

    /** Adds a listener (e.g. {@code SidecarShutdownMetrics}). */
    public ShutdownCoordinatorBuilder listener(ShutdownListener listener) {
        listeners.add(requireNonNull(listener, "listener"));
        return this;
    }

    /** Told about every admin call (e.g. {@code SidecarShutdownMetrics}). Default: none. */
    public ShutdownCoordinatorBuilder adminCallListener(AdminCallListener adminCallListener) {
        this.adminCallListener = requireNonNull(adminCallListener, "adminCallListener");
        return this;
    }

    /** A sidecar of your own (another mesh, a test double); replaces mode and URLs. */
    public ShutdownCoordinatorBuilder sidecar(Sidecar sidecar) {
        this.sidecar = requireNonNull(sidecar, "sidecar");
        return this;
    }

    ShutdownCoordinatorBuilder timeSource(TimeSource time) {
        this.time = requireNonNull(time, "time");
        return this;
    }

    ShutdownCoordinatorBuilder runtimeHooks(RuntimeHooks hooks) {
        this.hooks = requireNonNull(hooks, "hooks");
        return this;
    }

    /** Applies the process's {@code SIDECAR_SHUTDOWN_*} environment variables. */
    public ShutdownCoordinatorBuilder fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Applies {@code SIDECAR_SHUTDOWN_*} variables from {@code env} on top of what was set; a
     * variable that is absent leaves the setting alone.
     *
     * @throws InvalidSettingException naming the variable, its value and the accepted forms
     */
    public ShutdownCoordinatorBuilder fromEnvironment(Map<String, String> env) {
        requireNonNull(env, "env");
        this.environment = Map.copyOf(env);
        List<SettingKey> all = new ArrayList<>(List.of(Setting.values()));
        all.addAll(Meshes.settings());
        Set<String> known = new HashSet<>();
        for (SettingKey s : all) {
            known.add(s.envName());
            String raw = env.get(s.envName());
            if (raw != null) {
                sources.put(s, s.envName());
                apply(s, raw);
                texts.put(s, raw);
            }
        }
        for (String name : env.keySet()) {
            if (name.startsWith(UnknownVariables.PREFIX) && !known.contains(name)) {
                warnUnknown(env.keySet(), known);
                break;
            }
        }
        return this;
    }

    /** One warning per variable that has the prefix but names no setting; at once, as every warning. */
    private static void warnUnknown(Set<String> names, Set<String> known) {
        for (String name : UnknownVariables.in(names, known)) {
            Loggers.of(ShutdownCoordinator.class).warn("{}", UnknownVariables.describe(name, known));
        }
    }

    /**
     * Applies one setting from text, as read from an environment variable or a property; errors
     * name {@code source}.
     */
    public ShutdownCoordinatorBuilder setting(SettingKey s, String source, String raw) {
        requireNonNull(raw, source);
        sources.put(s, source);
        apply(s, raw);
        texts.put(s, raw);
        return this;
    }

    private void apply(SettingKey key, String raw) {
        String src = source(key);
        if (key instanceof MeshSetting m) {
            if (m.kind() == Setting.Kind.URL) {
                meshUrl(m, SettingParser.url(m, src, raw));
            } else {
                meshDuration(m, SettingParser.durationFor(m, src, raw));
            }
            return;
        }
        Setting s = (Setting) key;
        switch (s) {
            case ENABLED: enabled(SettingParser.bool(s, src, raw)); break;
            case GRACE_PERIOD: gracePeriod(SettingParser.durationFor(s, src, raw)); break;
            case SAFETY_MARGIN: safetyMargin(SettingParser.durationFor(s, src, raw)); break;
            case PROPAGATION_DELAY: propagationDelay(SettingParser.durationFor(s, src, raw)); break;
            case QUIET_PERIOD: quietPeriod(SettingParser.durationFor(s, src, raw)); break;
            case DRAIN_TIMEOUT: drainTimeout(SettingParser.durationFor(s, src, raw)); break;
            case CLEANUP_BUDGET:
                if (raw.isBlank()) {
                    cleanupBudget = null;
                } else {
                    cleanupBudget(SettingParser.durationFor(s, src, raw));
                }
                break;
            case TASK_TIMEOUT: taskTimeout(SettingParser.durationFor(s, src, raw)); break;
            case MINIMUM_TASK_WINDOW: minimumTaskWindow(SettingParser.durationFor(s, src, raw)); break;
            case SIDECAR_MODE:
                sidecarMode(SidecarMode.of(SettingParser.oneOf(s, src, raw,
                        Meshes.modes().stream().map(SidecarMode::name).toList())));
                break;
            case ALLOW_NON_LOOPBACK: allowNonLoopback(SettingParser.bool(s, src, raw)); break;
            case ADMIN_TIMEOUT: adminTimeout(SettingParser.durationFor(s, src, raw)); break;
            case RELEASE_SIDECAR: releaseSidecar(SettingParser.bool(s, src, raw)); break;
            case STARTUP_WAIT: startupWait(SettingParser.durationFor(s, src, raw)); break;
            case STARTUP_POLICY: startupPolicy(SettingParser.oneOf(s, src, raw, StartupPolicy.class)); break;
            case ANNOTATIONS_FILE: annotationsFile(SettingParser.path(s, src, raw)); break;
            case WORKLOAD: workload(SettingParser.oneOf(s, src, raw, Workload.class)); break;
            case LABELS_FILE: labelsFile(SettingParser.path(s, src, raw)); break;
            default: throw new IllegalStateException("unhandled setting " + s);
        }
    }

    /**
     * The settings as they would be built, validated. The workload is as configured: {@link #build()}
     * resolves {@link Workload#AUTO} from the Pod's labels, this does not read any file.
     */
    public ShutdownSettings settings() {
        return settings(workload);
    }

    private ShutdownSettings settings(Workload resolved) {
        if (safetyMargin.compareTo(gracePeriod) >= 0) {
            // Blame the value the user set: a short grace period against the default margin is the
            // grace period's problem, not the margin's.
            if (given.contains(Setting.GRACE_PERIOD) && !given.contains(Setting.SAFETY_MARGIN)) {
                String grace = source(Setting.GRACE_PERIOD);
                throw new InvalidSettingException(Setting.GRACE_PERIOD, grace, written(Setting.GRACE_PERIOD, gracePeriod),
                        "must be longer than " + nameBeside(Setting.SAFETY_MARGIN, grace) + "="
                                + written(Setting.SAFETY_MARGIN, safetyMargin)
                                + ", the time kept free for the JVM to exit; match terminationGracePeriodSeconds, or lower the margin");
            }
            String margin = source(Setting.SAFETY_MARGIN);
            throw new InvalidSettingException(Setting.SAFETY_MARGIN, margin, written(Setting.SAFETY_MARGIN, safetyMargin),
                    "must be shorter than " + nameBeside(Setting.GRACE_PERIOD, margin) + "=" + written(Setting.GRACE_PERIOD, gracePeriod)
                            + "; lower the margin or raise the grace period to match terminationGracePeriodSeconds");
        }
        if (!allowNonLoopback) {
            for (Map.Entry<MeshSetting, Object> e : mesh.entrySet()) {
                if (e.getValue() instanceof URI u) {
                    checkLoopback(e.getKey(), u);
                }
            }
        }
        // A Job's Pod is in no Service's endpoints: nothing has to forget it, so no delay by default.
        Duration delay = propagationDelay != null ? propagationDelay
                : resolved == Workload.JOB ? Duration.ZERO
                : environment.containsKey(KUBERNETES_MARKER) ? Duration.ofSeconds(5) : Duration.ZERO;
        Map<String, String> names = new HashMap<>();
        for (Map.Entry<SettingKey, String> e : sources.entrySet()) {
            names.put(e.getKey().key(), e.getValue());
        }
        boolean properties = false;
        for (String v : sources.values()) {
            properties |= v.startsWith("sidecar.shutdown.");
        }
        return new ShutdownSettings(enabled, gracePeriod, safetyMargin, delay, quietPeriod, drainTimeout,
                Optional.ofNullable(cleanupBudget), taskTimeout, minimumTaskWindow, sidecarMode,
                allowNonLoopback, adminTimeout, releaseSidecar, startupWait, startupPolicy,
                annotationsFile, resolved, labelsFile, mesh, meshSet, names, properties);
    }

    private void checkLoopback(MeshSetting s, URI url) {
        if (!SettingParser.isLoopback(url.getHost())) {
            throw new InvalidSettingException(s, source(s), url.toString(), "is not a loopback address; the sidecar's " + s.listens()
                    + " inside the Pod, and its API can stop the sidecar. Use a loopback URL, or set "
                    + nameBeside(Setting.ALLOW_NON_LOOPBACK, source(s)) + "=true if you really mean another host");
        }
    }

    /**
     * The workload, with {@code AUTO} decided from the Pod's labels: only the Job controller's own
     * label makes a job, so a Deployment's Pod (or a Pod whose labels cannot be read) is never
     * released as one.
     */
    private Workload resolveWorkload(StartupLog log) {
        if (workload != Workload.AUTO) {
            return workload;
        }
        PodLabels labels;
        if (Files.notExists(labelsFile)) {
            // Held, not logged: SLF4J starts after the app is Ready (docs/timeline.md, "Off the startup path").
            log.info(PodLabels.class, "No Pod labels at {} (mount metadata.labels with the downward API to let sidecar-shutdown "
                    + "recognise a Job's Pod, or set SIDECAR_SHUTDOWN_WORKLOAD); workload service", labelsFile);
            labels = new PodLabels(Map.of(), "no labels file");
        } else {
            labels = PodLabels.read(labelsFile); // a file that cannot be read logs its own warning
        }
        Optional<String> job = labels.jobName();
        if (job.isPresent()) {
            log.info(ShutdownCoordinator.class,
                    "Workload job (Job {} per {}): the app's exit ends the Pod, so the sidecar is released after cleanup",
                    LogSafe.of(job.get()), labels.source());
            return Workload.JOB;
        }
        return Workload.SERVICE;
    }

    /** The Pod's annotations; a missing file is held in {@code log} like the labels'. */
    private static PodAnnotations annotations(Path file, StartupLog log) {
        if (Files.notExists(file)) {
            log.info(PodAnnotations.class, "No Pod annotations at {} (mount metadata.annotations with the downward API so that "
                    + "sidecar-shutdown sees an injected sidecar before it answers, native mode and the Pod's proxy config); "
                    + "using what the sidecar answers and the defaults", file);
            return PodAnnotations.none("no annotations file");
        }
        return PodAnnotations.read(file);
    }

    /**
     * Builds the coordinator (no hook yet: call {@link ShutdownCoordinator#install()}).
     *
     * @throws InvalidSettingException if settings contradict each other
     */
    public ShutdownCoordinator build() {
        settings(workload); // settings errors first, before any file is read
        StartupLog log = new StartupLog();
        ShutdownSettings s = settings(resolveWorkload(log));
        ShutdownCoordinator c;
        if (sidecar != null) {
            c = new ShutdownCoordinator(s, sidecar, List.of(), List.copyOf(tasks), List.copyOf(listeners), time, hooks);
        } else {
            // The Pod's annotations are read once, for every mesh's descriptor to interpret.
            PodAnnotations pod = s.sidecarMode().equals(SidecarMode.NONE) ? PodAnnotations.none("sidecar-mode none")
                    : annotations(s.annotationsFile(), log);
            Engine.Resolution r = Engine.resolve(s, pod, adminCallListener);
            c = new ShutdownCoordinator(s, r.sidecar(), r.notes(), List.copyOf(tasks), List.copyOf(listeners), time, hooks);
        }
        c.holdStartupLines(log);
        return c;
    }
}
