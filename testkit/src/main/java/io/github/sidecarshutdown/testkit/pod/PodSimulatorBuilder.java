package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    /** Default {@link #preStopLoopInterval(Duration)}: 1 second, the loop's {@code sleep 1}. */
    public static final Duration DEFAULT_PRESTOP_LOOP_INTERVAL = Duration.ofSeconds(1);

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
}
