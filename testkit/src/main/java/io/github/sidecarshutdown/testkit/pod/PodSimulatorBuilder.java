package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link PodSimulator}. Obtained from {@link PodSimulator#builder()}.
 *
 * <p>Mutable and not thread-safe; {@link #build()} copies everything.
 */
public final class PodSimulatorBuilder {

    /** Default {@link #terminationGracePeriod(Duration)}: 30 seconds, as in Kubernetes. */
    public static final Duration DEFAULT_TERMINATION_GRACE_PERIOD = Duration.ofSeconds(30);

    /** Default {@link #markerPrefixes(List)}: the emulator's and the fixtures' event lines. */
    public static final List<String> DEFAULT_MARKER_PREFIXES =
            List.of("SIDECAR_EMULATOR_EVENT", "APP_EVENT");

    private SidecarKind sidecarKind = SidecarKind.CLASSIC;
    private @Nullable ContainerSpec sidecar;
    private @Nullable ContainerSpec app;
    private @Nullable Function<ReadyLine, ContainerSpec> appFactory;
    private Duration terminationGracePeriod = DEFAULT_TERMINATION_GRACE_PERIOD;
    private @Nullable Path nativePreStopFile;
    private List<String> markerPrefixes = DEFAULT_MARKER_PREFIXES;
    private @Nullable Path logDirectory;
    private @Nullable InboundLoad inboundLoad;
    private @Nullable ToIntFunction<ReadyLine> preStopLoopPort;
    private Duration preStopLoopInterval = DEFAULT_PRESTOP_LOOP_INTERVAL;
    private @Nullable ToIntFunction<ReadyLine> jobQuitAdminPort;
    private RestartPolicy restartPolicy = RestartPolicy.NEVER;
    private Duration restartBackoff = DEFAULT_RESTART_BACKOFF;
    private int backoffLimit = DEFAULT_BACKOFF_LIMIT;
    private Duration sidecarStartDelay = Duration.ZERO;
    private Map<String, String> podAnnotations = Map.of();
    private Map<String, String> podLabels = Map.of();

    /** Default {@link #preStopLoopInterval(Duration)}: 1 second, the loop's {@code sleep 1}. */
    public static final Duration DEFAULT_PRESTOP_LOOP_INTERVAL = Duration.ofSeconds(1);

    /**
     * Default {@link #restartBackoff(Duration)}: 100 ms, the kubelet's 10 s crash-loop back-off scaled
     * down 100 times.
     */
    public static final Duration DEFAULT_RESTART_BACKOFF = Duration.ofMillis(100);

    /** Default {@link #backoffLimit(int)}: 6, a Job's default {@code backoffLimit}. */
    public static final int DEFAULT_BACKOFF_LIMIT = 6;

    PodSimulatorBuilder() {
    }

    /**
     * Sets how the kubelet treats the sidecar at deletion. Default: {@link SidecarKind#CLASSIC}.
     *
     * @param sidecarKind the kind; {@link SidecarKind#NONE} runs the application alone
     * @return this builder
     */
    public PodSimulatorBuilder sidecarKind(SidecarKind sidecarKind) {
        this.sidecarKind = requireNonNull(sidecarKind, "sidecarKind");
        return this;
    }

    /**
     * Sets the sidecar container, started first. Required unless the kind is
     * {@link SidecarKind#NONE}, where it must not be set.
     *
     * @param sidecar the sidecar's spec, normally with ready pattern
     *     {@code ^SIDECAR_EMULATOR_READY }
     * @return this builder
     */
    public PodSimulatorBuilder sidecar(ContainerSpec sidecar) {
        this.sidecar = requireNonNull(sidecar, "sidecar");
        return this;
    }

    /**
     * Sets the application container. Required (this or {@link #app(Function)}).
     *
     * @param app the application's spec
     * @return this builder
     */
    public PodSimulatorBuilder app(ContainerSpec app) {
        this.app = requireNonNull(app, "app");
        this.appFactory = null;
        return this;
    }

    /**
     * Sets the application container as a function of the sidecar's ready line, called once the
     * sidecar is ready; use it to pass the sidecar's ports (see {@link ReadyLine#port(String)})
     * in the application's environment. Not allowed with {@link SidecarKind#NONE}.
     *
     * @param appFactory builds the application's spec from the sidecar's ready line
     * @return this builder
     */
    public PodSimulatorBuilder app(Function<ReadyLine, ContainerSpec> appFactory) {
        this.appFactory = requireNonNull(appFactory, "appFactory");
        this.app = null;
        return this;
    }

    /**
     * Sets {@code terminationGracePeriodSeconds}: what is still alive this long after the
     * deletion is killed with SIGKILL. Default: 30 seconds.
     *
     * @param terminationGracePeriod the grace period, &gt;= 0 (0 kills at once)
     * @return this builder
     */
    public PodSimulatorBuilder terminationGracePeriod(Duration terminationGracePeriod) {
        requireNonNull(terminationGracePeriod, "terminationGracePeriod");
        if (terminationGracePeriod.isNegative()) {
            throw new IllegalArgumentException(
                    "terminationGracePeriod: " + terminationGracePeriod + " (expected: >= 0)");
        }
        this.terminationGracePeriod = terminationGracePeriod;
        return this;
    }

    /**
     * Sets the file the simulator creates at deletion to emulate the native sidecar's preStop
     * hook (pass the same path to the emulator as {@code --native-prestop-file}). The file is
     * deleted at {@link PodSimulator#start()} if it exists. Default: none, the preStop is only
     * recorded in the timeline. Only used with {@link SidecarKind#NATIVE}.
     *
     * @param nativePreStopFile the file path
     * @return this builder
     */
    public PodSimulatorBuilder nativePreStopFile(Path nativePreStopFile) {
        this.nativePreStopFile = requireNonNull(nativePreStopFile, "nativePreStopFile");
        return this;
    }

    /**
     * Sets the texts that put an output line into the timeline: a line containing one of them
     * becomes an {@link TimelineEvent.Kind#OUTPUT} event. Default:
     * {@code SIDECAR_EMULATOR_EVENT}, {@code APP_EVENT}.
     *
     * @param markerPrefixes the markers, possibly empty
     * @return this builder
     */
    public PodSimulatorBuilder markerPrefixes(List<String> markerPrefixes) {
        requireNonNull(markerPrefixes, "markerPrefixes");
        for (String marker : markerPrefixes) {
            requireNonNull(marker, "marker");
            if (marker.isEmpty()) {
                throw new IllegalArgumentException("markerPrefixes: '' (expected: non-empty texts)");
            }
        }
        this.markerPrefixes = List.copyOf(markerPrefixes);
        return this;
    }

    /**
     * Sets the texts that put an output line into the timeline.
     *
     * @param markerPrefixes the markers
     * @return this builder
     * @see #markerPrefixes(List)
     */
    public PodSimulatorBuilder markerPrefixes(String... markerPrefixes) {
        return markerPrefixes(List.of(markerPrefixes));
    }

    /**
     * Sets a directory to which each container's output is also written, as
     * {@code <name>.log} with a timestamp and the stream on each line. Created if missing.
     * Default: none, output is kept in memory only.
     *
     * @param logDirectory the directory
     * @return this builder
     */
    public PodSimulatorBuilder logDirectory(Path logDirectory) {
        this.logDirectory = requireNonNull(logDirectory, "logDirectory");
        return this;
    }

    /**
     * Sets inbound load with a fixed URL, started by {@link PodSimulator#deletePod()} (or earlier
     * by {@link PodSimulator#startInboundLoad()}). When the URL depends on a ready line, use
     * {@link PodSimulator#startInboundLoad(InboundLoad)} after {@link PodSimulator#start()}
     * instead. Default: no load.
     *
     * @param inboundLoad the load
     * @return this builder
     */
    public PodSimulatorBuilder inboundLoad(InboundLoad inboundLoad) {
        this.inboundLoad = requireNonNull(inboundLoad, "inboundLoad");
        return this;
    }

    /**
     * Sets the port the {@link SidecarKind#PRESTOP_LOOP} preStop polls on loopback: the sidecar
     * gets SIGTERM once a connection to it is refused. Required with that kind, ignored otherwise.
     *
     * @param fromAppReadyLine the port, read from the application's ready line (e.g.
     *     {@code ready -> ready.port("http")})
     * @return this builder
     */
    public PodSimulatorBuilder preStopLoopPort(ToIntFunction<ReadyLine> fromAppReadyLine) {
        this.preStopLoopPort = requireNonNull(fromAppReadyLine, "fromAppReadyLine");
        return this;
    }

    /**
     * Sets a fixed port for the {@link SidecarKind#PRESTOP_LOOP} preStop to poll.
     *
     * @param port the application's listening port on loopback, 1-65535
     * @return this builder
     * @see #preStopLoopPort(ToIntFunction)
     */
    public PodSimulatorBuilder preStopLoopPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("preStopLoopPort: " + port + " (expected: 1-65535)");
        }
        return preStopLoopPort(ready -> port);
    }

    /**
     * Sets how often the {@link SidecarKind#PRESTOP_LOOP} preStop checks the application's port.
     * Default: 1 second.
     *
     * @param interval the pause between two checks, &gt; 0
     * @return this builder
     */
    public PodSimulatorBuilder preStopLoopInterval(Duration interval) {
        requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("preStopLoopInterval: " + interval + " (expected: > 0)");
        }
        this.preStopLoopInterval = interval;
        return this;
    }

    /**
     * Makes the mesh's control plane release a finished Job's classic sidecar, as Kuma's does
     * (docs/emulator-meshes.md, section Kuma: its Pod status controller, {@code kumahq/kuma#1497}): in
     * {@link PodSimulator#awaitJobCompletion(Duration)}, once the application container has exited
     * ({@code restartPolicy: Never}), the simulator sends {@code POST /quitquitquit} to the sidecar's
     * Envoy admin on loopback, at the port this function reads from the sidecar's ready line (the
     * emulator's {@code "admin"}). Only used with {@link SidecarKind#CLASSIC}. Default: none, as in
     * Istio, Linkerd and Consul, whose control planes leave a Job's sidecar running.
     *
     * @param envoyAdminPort the sidecar's Envoy admin port, from its ready line
     * @return this builder
     */
    public PodSimulatorBuilder controlPlaneQuitsJobSidecar(ToIntFunction<ReadyLine> envoyAdminPort) {
        this.jobQuitAdminPort = requireNonNull(envoyAdminPort, "envoyAdminPort");
        return this;
    }

    /**
     * Sets the Pod's {@code restartPolicy} for its regular containers: the application and a
     * {@link SidecarKind#CLASSIC} or {@link SidecarKind#PRESTOP_LOOP} sidecar. A container whose run
     * ends is started again in the same Pod (a restart in place, with the same spec) when the policy
     * says so, after a back-off ({@link #restartBackoff(Duration)}), at most
     * {@link #backoffLimit(int)} times; never once the Pod is being deleted or has completed. Every
     * run shows in the timeline ({@link TimelineEvent.Kind#RESTARTING}, {@code STARTED ... restart n})
     * and in the result ({@link JobRun#appRuns()}, {@link PodTermination#appRuns()}). A native
     * sidecar and the ambient stand-in are never restarted. Default: {@link RestartPolicy#NEVER}.
     *
     * @param restartPolicy the policy; {@link RestartPolicy#ON_FAILURE} is a Job's or CronJob's
     *     {@code restartPolicy: OnFailure}
     * @return this builder
     */
    public PodSimulatorBuilder restartPolicy(RestartPolicy restartPolicy) {
        this.restartPolicy = requireNonNull(restartPolicy, "restartPolicy");
        return this;
    }

    /**
     * Sets the wait before the first restart in place; each next restart waits twice as long as the
     * one before, at most 30 times this (the kubelet: 10 s doubling up to 5 min). Default: 100 ms.
     *
     * @param restartBackoff the first back-off, &gt;= 0
     * @return this builder
     */
    public PodSimulatorBuilder restartBackoff(Duration restartBackoff) {
        requireNonNull(restartBackoff, "restartBackoff");
        if (restartBackoff.isNegative()) {
            throw new IllegalArgumentException("restartBackoff: " + restartBackoff + " (expected: >= 0)");
        }
        this.restartBackoff = restartBackoff;
        return this;
    }

    /**
     * Sets how many times a container is restarted in place at most: a Job's {@code backoffLimit}.
     * When the application fails once more after that, the Job has failed:
     * {@link PodSimulator#awaitJobCompletion(Duration)} then deletes the Pod as the Job controller
     * does and reports {@link JobRun#backoffLimitReached()}. Default: 6, Kubernetes' default.
     *
     * @param backoffLimit the most restarts, &gt;= 0
     * @return this builder
     */
    public PodSimulatorBuilder backoffLimit(int backoffLimit) {
        if (backoffLimit < 0) {
            throw new IllegalArgumentException("backoffLimit: " + backoffLimit + " (expected: >= 0)");
        }
        this.backoffLimit = backoffLimit;
        return this;
    }

    /**
     * Starts the sidecar this long after the application, instead of before it: a classic sidecar
     * that Kubernetes starts beside the application without holding it back (Istio with
     * {@code holdApplicationUntilProxyStarts} off, the default; Consul and Kuma the same), slowed by
     * its image pull or its configuration. Until the sidecar's process has started nothing listens
     * on its ports; to also keep it starting once it listens, use the emulator's
     * {@code --time-to-live}. The application is then started from {@link #app(ContainerSpec)} (there is
     * no ready line to build it from): choose the sidecar's ports in advance, e.g. with
     * {@link EmulatorPorts#pick()}. Only with {@link SidecarKind#CLASSIC} or
     * {@link SidecarKind#PRESTOP_LOOP} (a native sidecar always starts first). Default: 0, the sidecar
     * starts first and the application once the sidecar printed its ready line.
     *
     * @param sidecarStartDelay the delay after the application's process started, &gt;= 0
     * @return this builder
     */
    public PodSimulatorBuilder sidecarStartDelay(Duration sidecarStartDelay) {
        requireNonNull(sidecarStartDelay, "sidecarStartDelay");
        if (sidecarStartDelay.isNegative()) {
            throw new IllegalArgumentException("sidecarStartDelay: " + sidecarStartDelay + " (expected: >= 0)");
        }
        this.sidecarStartDelay = sidecarStartDelay;
        return this;
    }

    /**
     * Sets the Pod's annotations, mounted for the application as a downward-API volume item
     * ({@code fieldPath: metadata.annotations}): {@link PodSimulator#start()} writes them in the
     * kubelet's format to a file ({@link PodSimulator#annotationsFile()}) and sets
     * {@code SIDECAR_SHUTDOWN_ANNOTATIONS_FILE} in the application's environment, unless its spec sets
     * it. Typical: what an injector writes, {@code sidecar.istio.io/status}, Consul's
     * {@code consul.hashicorp.com/connect-inject-status: injected}, Kuma's
     * {@code kuma.io/sidecar-injected: "true"}. Default: none, nothing is mounted.
     *
     * @param annotations the annotations, keys and values as in the manifest
     * @return this builder
     */
    public PodSimulatorBuilder podAnnotations(Map<String, String> annotations) {
        this.podAnnotations = copyMetadata(annotations, "podAnnotations");
        return this;
    }

    /**
     * Sets the Pod's labels, mounted for the application like {@link #podAnnotations(Map)}
     * ({@code fieldPath: metadata.labels}, {@code SIDECAR_SHUTDOWN_LABELS_FILE},
     * {@link PodSimulator#labelsFile()}), e.g. the Job controller's
     * {@code batch.kubernetes.io/job-name}. Default: none, nothing is mounted.
     *
     * @param labels the labels
     * @return this builder
     */
    public PodSimulatorBuilder podLabels(Map<String, String> labels) {
        this.podLabels = copyMetadata(labels, "podLabels");
        return this;
    }

    private static Map<String, String> copyMetadata(Map<String, String> entries, String what) {
        requireNonNull(entries, what);
        entries.forEach((key, value) -> {
            requireNonNull(key, what + " key");
            requireNonNull(value, what + " value of " + key);
            if (!key.matches("[A-Za-z0-9][A-Za-z0-9._/-]*")) {
                throw new IllegalArgumentException(what + ": key '" + key
                        + "' (expected: a Kubernetes key such as sidecar.istio.io/status)");
            }
        });
        return Map.copyOf(entries);
    }

    /**
     * Builds the simulator (nothing is started yet).
     *
     * @return a new simulator
     * @throws IllegalStateException if the containers do not fit the sidecar kind
     */
    public PodSimulator build() {
        if (app == null && appFactory == null) {
            throw new IllegalStateException("app: not set (expected: the application's spec)");
        }
        if (sidecarKind == SidecarKind.NONE) {
            if (sidecar != null) {
                throw new IllegalStateException("sidecar: set but sidecarKind is NONE "
                        + "(expected: no sidecar, or sidecarKind CLASSIC or NATIVE)");
            }
            if (appFactory != null) {
                throw new IllegalStateException("app: built from the sidecar's ready line but "
                        + "sidecarKind is NONE (expected: app(ContainerSpec))");
            }
        } else if (sidecar == null) {
            throw new IllegalStateException(
                    "sidecar: not set (expected: the sidecar's spec for sidecarKind " + sidecarKind + ")");
        }
        if (sidecarKind == SidecarKind.PRESTOP_LOOP && preStopLoopPort == null) {
            throw new IllegalStateException("preStopLoopPort: not set (expected: the app's port "
                    + "for sidecarKind PRESTOP_LOOP)");
        }
        if (!sidecarStartDelay.isZero()) {
            if (sidecarKind != SidecarKind.CLASSIC && sidecarKind != SidecarKind.PRESTOP_LOOP) {
                throw new IllegalStateException("sidecarStartDelay: " + sidecarStartDelay + " with sidecarKind "
                        + sidecarKind + " (expected: a CLASSIC or PRESTOP_LOOP sidecar; a native sidecar starts "
                        + "before the app)");
            }
            if (appFactory != null) {
                throw new IllegalStateException("app: built from the sidecar's ready line, but the sidecar starts "
                        + sidecarStartDelay.toMillis() + " ms after the app (expected: app(ContainerSpec), with the "
                        + "sidecar's ports chosen in advance, e.g. EmulatorPorts.pick())");
            }
        }
        if (sidecar != null && app != null && sidecar.name().equals(app.name())) {
            throw new IllegalStateException(
                    "app: name '" + app.name() + "' is the sidecar's (expected: distinct names)");
        }
        return new PodSimulator(this);
    }

    SidecarKind sidecarKindValue() {
        return sidecarKind;
    }

    @Nullable ContainerSpec sidecarValue() {
        return sidecar;
    }

    @Nullable ContainerSpec appValue() {
        return app;
    }

    @Nullable Function<ReadyLine, ContainerSpec> appFactoryValue() {
        return appFactory;
    }

    Duration terminationGracePeriodValue() {
        return terminationGracePeriod;
    }

    @Nullable Path nativePreStopFileValue() {
        return nativePreStopFile;
    }

    List<String> markerPrefixesValue() {
        return markerPrefixes;
    }

    @Nullable Path logDirectoryValue() {
        return logDirectory;
    }

    @Nullable InboundLoad inboundLoadValue() {
        return inboundLoad;
    }

    @Nullable ToIntFunction<ReadyLine> preStopLoopPortValue() {
        return preStopLoopPort;
    }

    Duration preStopLoopIntervalValue() {
        return preStopLoopInterval;
    }

    @Nullable ToIntFunction<ReadyLine> jobQuitAdminPortValue() {
        return jobQuitAdminPort;
    }

    RestartPolicy restartPolicyValue() {
        return restartPolicy;
    }

    Duration restartBackoffValue() {
        return restartBackoff;
    }

    int backoffLimitValue() {
        return backoffLimit;
    }

    Duration sidecarStartDelayValue() {
        return sidecarStartDelay;
    }

    Map<String, String> podAnnotationsValue() {
        return podAnnotations;
    }

    Map<String, String> podLabelsValue() {
        return podLabels;
    }
}
