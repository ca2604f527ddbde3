package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Plays the kubelet for one Pod whose application container and optional sidecar container run
 * as real OS processes.
 *
 * <p>{@link #start()} starts the sidecar, waits for its ready line, starts the application
 * (optionally built from the sidecar's ready line) and waits for it to be ready.
 * {@link #deletePod()} does what the kubelet does when the Pod is deleted:
 * <ul>
 *   <li>{@link SidecarKind#CLASSIC}: SIGTERM to the application and the sidecar at the same
 *       instant;</li>
 *   <li>{@link SidecarKind#NATIVE}: the sidecar's preStop (the preStop file is created), SIGTERM
 *       to the application, and SIGTERM to the sidecar once the application has exited;</li>
 *   <li>{@link SidecarKind#PRESTOP_LOOP}: SIGTERM to the application, and SIGTERM to the
 *       sidecar once its emulated preStop loop sees the application's port refuse connections
 *       (checked every {@link PodSimulatorBuilder#preStopLoopInterval(Duration)});</li>
 *   <li>{@link SidecarKind#AMBIENT}: SIGTERM to the application, and SIGTERM to the ztunnel
 *       stand-in once the application has exited;</li>
 *   <li>{@link SidecarKind#NONE}: SIGTERM to the application;</li>
 * </ul>
 * then SIGKILL to whatever is still alive when the grace period (counted from the deletion) is
 * over. It returns a {@link PodTermination}. {@link #close()} kills whatever is left; use
 * try-with-resources so that tests never leak processes.
 *
 * <pre>{@code
 * try (PodSimulator pod = PodSimulator.builder()
 *         .sidecarKind(SidecarKind.CLASSIC)
 *         .sidecar(ContainerSpec.builder().name("istio-proxy")
 *             .command(JavaProcess.javaCommand(List.of(),
 *                 "io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain",
 *                 List.of("--mode", "ISTIO_1_5", "--termination-drain-duration", "5s",
 *                     "--app-port", "8080")))
 *             .readyPattern("^SIDECAR_EMULATOR_READY ").build())
 *         .app(ready -> ContainerSpec.builder().name("app")
 *             .command(JavaProcess.javaCommand(MyApp.class))
 *             .env("ENVOY_ADMIN_PORT", String.valueOf(ready.port("admin")))
 *             .readyPattern("^APP_READY").build())
 *         .terminationGracePeriod(Duration.ofSeconds(30))
 *         .build()) {
 *     pod.start();
 *     pod.startInboundLoad(InboundLoad.builder()
 *         .url("http://127.0.0.1:" + pod.sidecarReady().port("inbound") + "/").build());
 *     PodTermination termination = pod.deletePod();
 *     System.out.println(termination.toTimelineText());
 * }
 * }</pre>
 *
 * <p>Job Pods: after {@link #start()},
 * {@link #awaitJobCompletion(Duration)} lets the application run to completion by itself (no
 * signal), stops a native sidecar (preStop, then SIGTERM) or tells the ambient stand-in once the
 * application has exited, as the kubelet does, and reports the Pod's phase, the application's exit
 * code, when the Pod completed and the gap after the application's exit in a {@link JobRun}. A
 * classic sidecar is never signalled: unless something releases it (the application calling
 * {@code quitquitquit}), it keeps the Pod {@link PodPhase#RUNNING}, which the run reports once
 * the observation bound ran out. A Job Pod deleted while it runs is {@link #deletePod()}, as for
 * any Pod.
 *
 * <p>Two moments of a Pod's life beyond its deletion: a restart in place
 * ({@link PodSimulatorBuilder#restartPolicy(RestartPolicy)}: the kubelet starts a container again in the
 * same Pod, after a back-off, while the classic sidecar that exited stays exited) and a sidecar that
 * starts after the application ({@link PodSimulatorBuilder#sidecarStartDelay(Duration)}). The Pod's
 * annotations and labels can be mounted for the application as the downward API does
 * ({@link PodSimulatorBuilder#podAnnotations(java.util.Map)}).
 *
 * <p>Every wait is bounded: readiness by each container's start timeout, termination by the
 * grace period plus a short bound after SIGKILL. Blocking methods honour interrupts (the Pod is
 * then killed). Methods other than {@link #close()} are meant for one test thread.
 *
 * <p>Long because it is the kubelet of one Pod: deletion and Job completion share the container
 * processes, the timeline and the cleanup that must run whatever happens; the per-run process
 * handling lives in ContainerProcess, the restarts in RestartingContainer.
 */
public final class PodSimulator implements AutoCloseable {

    /** How long to wait for a process to vanish after SIGKILL. */
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    /** How long to wait for the rest of a process's output after it exited. */
    private static final Duration OUTPUT_DRAIN_TIMEOUT = Duration.ofSeconds(5);
    /** Longest wait for an emulated native preStop hook to return, as a hook's own timeout would. */
    private static final Duration PRESTOP_TIMEOUT = Duration.ofSeconds(2);
    /** Connect and read timeout of the control plane's quit call, in ms. */
    private static final int CONTROL_PLANE_TIMEOUT_MS = 2_000;
    /** The emulator's event line for its native preStop {@code /drain}. */
    private static final String NATIVE_PRESTOP_DONE = "NATIVE_PRESTOP";
    /** Where the library reads the Pod's annotations; the simulator "mounts" them there. */
    private static final String ANNOTATIONS_FILE_VARIABLE = "SIDECAR_SHUTDOWN_ANNOTATIONS_FILE";
    /** Where the library reads the Pod's labels. */
    private static final String LABELS_FILE_VARIABLE = "SIDECAR_SHUTDOWN_LABELS_FILE";

    private enum State { NEW, STARTING, RUNNING, DELETING, COMPLETING, TERMINATED, CLOSED }

    private final SidecarKind sidecarKind;
    private final @Nullable ContainerSpec sidecarSpec;
    private final Function<ReadyLine, ContainerSpec> appFactory;
    private final Duration terminationGracePeriod;
    private final @Nullable Path nativePreStopFile;
    private final List<String> markerPrefixes;
    private final @Nullable Path logDirectory;
    private final @Nullable InboundLoad inboundLoad;
    private final @Nullable ToIntFunction<ReadyLine> preStopLoopPort;
    private final Duration preStopLoopInterval;
    private final @Nullable ToIntFunction<ReadyLine> jobQuitAdminPort;
    private final RestartPolicy restartPolicy;
    private final Duration restartBackoff;
    private final int backoffLimit;
    private final Duration sidecarStartDelay;
    private final Map<String, String> podAnnotations;
    private final Map<String, String> podLabels;

    private final long baseNanos = System.nanoTime();
    private final Instant baseInstant = Instant.now();
    private final List<RawEvent> events = new ArrayList<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final ContainerProcess.EventSink sink = new ContainerProcess.EventSink() {
        @Override
        public void event(long nanos, String source, TimelineEvent.Kind kind, String detail) {
            record(nanos, source, kind, detail);
        }

        @Override
        public Instant instantOf(long nanos) {
            return PodSimulator.this.instantOf(nanos);
        }
    };

    private volatile @Nullable RestartingContainer sidecar;
    private volatile @Nullable RestartingContainer app;
    private volatile @Nullable Path downwardApiDirectory;
    private volatile @Nullable ReadyLine sidecarReady;
    private volatile @Nullable ReadyLine appReady;
    private volatile @Nullable InboundLoadGenerator load;

    PodSimulator(PodSimulatorBuilder builder) {
        this.sidecarKind = builder.sidecarKindValue();
        this.sidecarSpec = builder.sidecarValue();
        ContainerSpec staticApp = builder.appValue();
        Function<ReadyLine, ContainerSpec> factory = builder.appFactoryValue();
        if (staticApp != null) {
            this.appFactory = ready -> staticApp;
        } else {
            this.appFactory = requireNonNull(factory, "appFactory");
        }
        this.terminationGracePeriod = builder.terminationGracePeriodValue();
        this.nativePreStopFile = builder.nativePreStopFileValue();
        this.markerPrefixes = builder.markerPrefixesValue();
        this.logDirectory = builder.logDirectoryValue();
        this.inboundLoad = builder.inboundLoadValue();
        this.preStopLoopPort = builder.preStopLoopPortValue();
        this.preStopLoopInterval = builder.preStopLoopIntervalValue();
        this.jobQuitAdminPort = builder.jobQuitAdminPortValue();
        this.restartPolicy = builder.restartPolicyValue();
        this.restartBackoff = builder.restartBackoffValue();
        this.backoffLimit = builder.backoffLimitValue();
        this.sidecarStartDelay = builder.sidecarStartDelayValue();
        this.podAnnotations = builder.podAnnotationsValue();
        this.podLabels = builder.podLabelsValue();
    }

    /**
     * Returns a new builder.
     *
     * @return a builder with the documented defaults
     */
    public static PodSimulatorBuilder builder() {
        return new PodSimulatorBuilder();
    }

    /**
     * Starts the sidecar (if any), waits for its ready line, then starts the application and
     * waits for its ready line. Each wait is bounded by the container's start timeout. On any
     * failure everything started is killed.
     *
     * <p>With {@link PodSimulatorBuilder#sidecarStartDelay(Duration)} the order is the other one, as
     * in a Pod whose classic sidecar is not held before the app: the application starts first, the
     * sidecar that long after the application's process started; then both ready lines are awaited
     * (the application's may come first, or only once the sidecar answers).
     *
     * <p>With {@link PodSimulatorBuilder#podAnnotations(Map)} or
     * {@link PodSimulatorBuilder#podLabels(Map)}, their downward-API files are written first (see
     * {@link #annotationsFile()}).
     *
     * @throws PodSimulatorException if a container cannot be started, exits before it is ready
     *     or is not ready in time; the message names the container and its ready pattern
     * @throws IllegalStateException if called more than once
     * @throws InterruptedException if interrupted while waiting (the Pod is killed)
     */
    public void start() throws InterruptedException {
        transition(State.NEW, State.STARTING, "start()");
        boolean started = false;
        try {
            prepareFiles();
            ContainerSpec sidecarSpec = this.sidecarSpec;
            boolean sidecarFirst = sidecarStartDelay.isZero();
            ReadyLine sidecarLine = null;
            if (sidecarSpec != null && sidecarFirst) {
                RestartingContainer process = launch(sidecarSpec, ContainerRole.SIDECAR);
                sidecar = process;
                sidecarLine = process.runs().get(0).awaitReady();
                sidecarReady = sidecarLine;
            }
            ContainerSpec appSpec = appSpec(sidecarLine);
            RestartingContainer appProcess = launch(appSpec, ContainerRole.APP);
            app = appProcess;
            ContainerProcess firstAppRun = appProcess.runs().get(0);
            if (sidecarSpec != null && !sidecarFirst) {
                long sidecarStart = firstAppRun.startNanos() + sidecarStartDelay.toNanos();
                long wait = sidecarStart - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                RestartingContainer process = launch(sidecarSpec, ContainerRole.SIDECAR);
                sidecar = process;
                sidecarReady = process.runs().get(0).awaitReady();
            }
            appReady = firstAppRun.awaitReady();
            if (!state.compareAndSet(State.STARTING, State.RUNNING)) {
                throw new PodSimulatorException("the pod was closed while it started");
            }
            started = true;
        } finally {
            if (!started) {
                close();
            }
        }
    }

    /** The app's spec: from the factory, checked, with the downward-API files in its environment. */
    private ContainerSpec appSpec(@Nullable ReadyLine sidecarLine) {
        ContainerSpec appSpec;
        try {
            appSpec = requireNonNull(appFactory.apply(sidecarLine), "app spec");
        } catch (RuntimeException e) {
            throw new PodSimulatorException("cannot build the app's container spec from the "
                    + "sidecar's ready line: " + e.getMessage(), e);
        }
        if (sidecarSpec != null && sidecarSpec.name().equals(appSpec.name())) {
            throw new PodSimulatorException("container name '" + appSpec.name()
                    + "' is used by both the sidecar and the app");
        }
        Path dir = downwardApiDirectory;
        if (dir == null) {
            return appSpec;
        }
        ContainerSpecBuilder mounted = appSpec.toBuilder();
        if (!podAnnotations.isEmpty() && !appSpec.environment().containsKey(ANNOTATIONS_FILE_VARIABLE)) {
            mounted.env(ANNOTATIONS_FILE_VARIABLE, dir.resolve(DownwardApiFile.ANNOTATIONS).toString());
        }
        if (!podLabels.isEmpty() && !appSpec.environment().containsKey(LABELS_FILE_VARIABLE)) {
            mounted.env(LABELS_FILE_VARIABLE, dir.resolve(DownwardApiFile.LABELS).toString());
        }
        return mounted.build();
    }

    private void prepareFiles() {
        try {
            if (nativePreStopFile != null) {
                Files.deleteIfExists(nativePreStopFile);
            }
            if (logDirectory != null) {
                Files.createDirectories(logDirectory);
            }
            if (!podAnnotations.isEmpty() || !podLabels.isEmpty()) {
                Path dir = Files.createTempDirectory("pod-sim-podinfo");
                downwardApiDirectory = dir;
                if (!podAnnotations.isEmpty()) {
                    DownwardApiFile.write(dir.resolve(DownwardApiFile.ANNOTATIONS), podAnnotations);
                }
                if (!podLabels.isEmpty()) {
                    DownwardApiFile.write(dir.resolve(DownwardApiFile.LABELS), podLabels);
                }
            }
        } catch (IOException e) {
            throw new PodSimulatorException("cannot prepare the pod's files: " + e, e);
        }
    }

    private RestartingContainer launch(ContainerSpec spec, ContainerRole role) {
        // The Pod's restartPolicy covers its regular containers: the app and a classic sidecar; a native
        // sidecar has its own (not modelled), the ambient stand-in is no container.
        boolean regular = role == ContainerRole.APP
                || sidecarKind == SidecarKind.CLASSIC || sidecarKind == SidecarKind.PRESTOP_LOOP;
        RestartingContainer process = new RestartingContainer(spec, role, sink, markerPrefixes, logDirectory,
                regular ? restartPolicy : RestartPolicy.NEVER, restartBackoff, backoffLimit);
        try {
            process.start();
        } catch (IOException e) {
            throw new PodSimulatorException("container '" + spec.name() + "' cannot be started ("
                    + spec.command() + "): " + e.getMessage(), e);
        }
        return process;
    }

    /**
     * Starts the inbound load configured on the builder now, instead of at
     * {@link #deletePod()}.
     *
     * @throws IllegalStateException if no load is configured, the Pod is not running, or load
     *     was already started
     */
    public void startInboundLoad() {
        InboundLoad configured = inboundLoad;
        if (configured == null) {
            throw new IllegalStateException("no inbound load configured on the builder");
        }
        startInboundLoad(configured);
    }

    /**
     * Starts inbound load now; {@link #deletePod()} waits for the rest of its lead time, deletes
     * the Pod and stops the load once both containers have exited. Use it when the URL depends on
     * a ready line, e.g. the emulator's inbound port.
     *
     * @param load the load; replaces any load configured on the builder
     * @throws IllegalStateException if the Pod is not running or load was already started
     */
    public synchronized void startInboundLoad(InboundLoad load) {
        requireNonNull(load, "load");
        if (state.get() != State.RUNNING) {
            throw new IllegalStateException(
                    "startInboundLoad(): pod is " + state.get() + " (expected: RUNNING, after start())");
        }
        if (this.load != null) {
            throw new IllegalStateException("startInboundLoad(): load already started");
        }
        InboundLoadGenerator generator =
                new InboundLoadGenerator(load, System::nanoTime, "pod-sim-load");
        this.load = generator;
        generator.start();
        record(generator.startNanos(), TimelineEvent.LOAD, TimelineEvent.Kind.LOAD_STARTED,
                load.clients() + " clients, GET " + load.url());
    }

    /**
     * Deletes the Pod as the kubelet does for the sidecar kind, kills what is left at the grace
     * period and returns what happened. Runs the configured inbound load, if any, from its lead
     * time before the deletion until both containers have exited.
     *
     * <p>Blocks at most the load's lead time, plus the grace period, plus about 10 seconds
     * after SIGKILL, plus the load's request timeout.
     *
     * @return the termination
     * @throws IllegalStateException if the Pod is not running (not started, already deleted,
     *     closed)
     * @throws PodSimulatorException if a process did not exit even after SIGKILL
     * @throws InterruptedException if interrupted while waiting (the Pod is killed)
     */
    public PodTermination deletePod() throws InterruptedException {
        transition(State.RUNNING, State.DELETING, "deletePod()");
        boolean done = false;
        try {
            PodTermination termination = terminate();
            done = true;
            state.compareAndSet(State.DELETING, State.TERMINATED);
            return termination;
        } finally {
            if (!done) {
                close();
            }
        }
    }

    private PodTermination terminate() throws InterruptedException {
        RestartingContainer appContainer = requireNonNull(this.app, "app");
        RestartingContainer sidecarContainer = this.sidecar;
        InboundLoadGenerator generator = startConfiguredLoad();
        if (generator != null) {
            long leadEnd = InboundLoadGenerator.deadlineAfter(generator.startNanos(),
                    generator.config().leadTime());
            long remaining = leadEnd - System.nanoTime();
            if (remaining > 0) {
                TimeUnit.NANOSECONDS.sleep(remaining);
            }
        }

        // The kubelet starts no container again in a Pod that is being deleted.
        appContainer.stopRestarts();
        if (sidecarContainer != null) {
            sidecarContainer.stopRestarts();
        }
        ContainerProcess app = appContainer.currentRun();
        ContainerProcess sidecar = sidecarContainer == null ? null : sidecarContainer.currentRun();
        long deletion = System.nanoTime();
        record(deletion, TimelineEvent.POD, TimelineEvent.Kind.DELETED, sidecarKind
                + ", grace period " + terminationGracePeriod.toMillis() + " ms");
        long graceDeadline = InboundLoadGenerator.deadlineAfter(deletion, terminationGracePeriod);
        switch (sidecarKind) {
            case CLASSIC:
                app.sigterm();
                if (sidecar != null) {
                    sidecar.sigterm();
                }
                break;
            case NATIVE:
                if (sidecar != null) {
                    emulateNativePreStop(sidecar);
                }
                app.sigterm();
                if (app.awaitExit(graceDeadline) && sidecar != null) {
                    sidecar.sigterm();
                }
                break;
            case PRESTOP_LOOP:
                app.sigterm();
                if (sidecar != null && awaitPortRefused(sidecar, graceDeadline)) {
                    sidecar.sigterm();
                }
                break;
            case AMBIENT:
                // ztunnel is no container: only the app is signalled, and ztunnel forgets the Pod
                // once the app (its last container) has exited.
                app.sigterm();
                if (app.awaitExit(graceDeadline) && sidecar != null) {
                    sidecar.sigterm();
                }
                break;
            case NONE:
                app.sigterm();
                break;
            default:
                throw new IllegalStateException("unknown sidecar kind " + sidecarKind);
        }
        List<ContainerProcess> containers = currentRuns();
        for (ContainerProcess container : containers) {
            container.awaitExit(graceDeadline);
        }
        for (ContainerProcess container : containers) {
            container.sigkillAtGrace();
        }
        long killDeadline = InboundLoadGenerator.deadlineAfter(System.nanoTime(), KILL_TIMEOUT);
        List<String> unkillable = new ArrayList<>();
        for (ContainerProcess container : containers) {
            if (!container.awaitExit(killDeadline)) {
                unkillable.add(container.name());
            }
        }
        if (generator != null) {
            generator.stop();
            record(generator.stopNanos(), TimelineEvent.LOAD, TimelineEvent.Kind.LOAD_STOPPED,
                    generator.result(deletion).summary());
        }
        if (!unkillable.isEmpty()) {
            throw new PodSimulatorException("containers " + unkillable + " did not exit within "
                    + KILL_TIMEOUT + " after SIGKILL");
        }
        awaitOutput();
        return new PodTermination(instantOf(deletion), sidecarKind, terminationGracePeriod,
                terminations(appContainer, deletion), terminations(sidecarContainer, deletion),
                generator == null ? InboundLoadResult.empty() : generator.result(deletion),
                timeline(deletion));
    }

    /**
     * Lets a Job Pod run to completion: waits for the application container to exit by itself (it
     * gets no signal) for good, then does what the kubelet does once the main container of a Pod
     * has terminated:
     * <ul>
     *   <li>{@link SidecarKind#NATIVE}: the sidecar's preStop (the preStop file is created), then
     *       SIGTERM to the sidecar;</li>
     *   <li>{@link SidecarKind#AMBIENT}: SIGTERM to the ztunnel stand-in (ztunnel forgets the Pod);</li>
     *   <li>{@link SidecarKind#CLASSIC}, {@link SidecarKind#PRESTOP_LOOP}: nothing: a classic
     *       sidecar is an ordinary container and must exit by itself (released with
     *       {@code quitquitquit}), or the Pod stays {@link PodPhase#RUNNING}; with
     *       {@link PodSimulatorBuilder#controlPlaneQuitsJobSidecar(ToIntFunction)} the mesh's control
     *       plane releases a classic one (Kuma);</li>
     *   <li>{@link SidecarKind#NONE}: nothing.</li>
     * </ul>
     *
     * <p>With {@link PodSimulatorBuilder#restartPolicy(RestartPolicy)} {@code ON_FAILURE} (a Job or
     * CronJob with {@code restartPolicy: OnFailure}) the kubelet restarts a container that exited
     * non-zero in the same Pod, after its back-off; "for good" is then a run that exited 0, or the
     * failure after which {@link PodSimulatorBuilder#backoffLimit(int)} restarts are used up. In that
     * last case the Job has failed and the Job controller deletes the Pod: a classic sidecar still
     * running gets SIGTERM, and SIGKILL after the grace period (within the observation bound). A
     * classic sidecar that exited 0 is not restarted, whatever the application does next.
     *
     * <p>The Pod completes when the application and the sidecar container (classic or native; not
     * the ambient stand-in, which is no container) have exited for good; its phase is then
     * {@link PodPhase#SUCCEEDED} if their last runs all exited with 0 and the Job did not reach its
     * back-off limit, else {@link PodPhase#FAILED} (a native sidecar's or the ztunnel stand-in's exit
     * code does not count, as in Kubernetes). If the Pod has not completed within
     * {@code observationBound} (counted from this call), the phase is {@link PodPhase#RUNNING} and
     * whatever is still alive is killed (SIGKILL) so that nothing leaks; the Pod is done either way.
     * A configured or started inbound load runs until the Pod completed or the bound ran out.
     *
     * <p>Blocks at most {@code observationBound} plus about 10 seconds after SIGKILL.
     *
     * @param observationBound how long to wait for the Pod to complete; must be positive
     * @return what happened
     * @throws IllegalStateException if the Pod is not running (not started, already deleted or
     *     completed, closed)
     * @throws PodSimulatorException if a process did not exit even after SIGKILL
     * @throws InterruptedException if interrupted while waiting (the Pod is killed)
     */
    public JobRun awaitJobCompletion(Duration observationBound) throws InterruptedException {
        requireNonNull(observationBound, "observationBound");
        if (observationBound.isNegative() || observationBound.isZero()) {
            throw new IllegalArgumentException("observationBound: " + observationBound + " (expected: positive)");
        }
        transition(State.RUNNING, State.COMPLETING, "awaitJobCompletion()");
        boolean done = false;
        try {
            JobRun run = runJob(observationBound);
            done = true;
            state.compareAndSet(State.COMPLETING, State.TERMINATED);
            return run;
        } finally {
            if (!done) {
                close();
            }
        }
    }

    private JobRun runJob(Duration observationBound) throws InterruptedException {
        RestartingContainer appContainer = requireNonNull(this.app, "app");
        RestartingContainer sidecarContainer = this.sidecar;
        InboundLoadGenerator generator = startConfiguredLoad();
        long observed = System.nanoTime();
        record(observed, TimelineEvent.POD, TimelineEvent.Kind.OBSERVED, "Job Pod (restartPolicy: "
                + restartPolicy.manifestValue() + (restartPolicy == RestartPolicy.NEVER ? ""
                        : ", backoffLimit " + backoffLimit) + "), " + sidecarKind + ", bound "
                + observationBound.toMillis() + " ms");
        long deadline = InboundLoadGenerator.deadlineAfter(observed, observationBound);
        boolean appExited = appContainer.awaitDone(deadline);
        ContainerProcess app = appContainer.currentRun();
        boolean jobFailed = appExited && appContainer.limitReached();
        if (appExited && sidecarContainer != null) {
            ContainerProcess sidecar = sidecarContainer.currentRun();
            if (sidecarKind == SidecarKind.NATIVE) {
                emulateNativePreStop(sidecar);
                // The kubelet sends SIGTERM only once the preStop hook returned: wait (bounded) for
                // the emulator to report the hook's drain, else SIGTERM would overtake it.
                sidecar.awaitLineContaining(NATIVE_PRESTOP_DONE, Math.min(deadline,
                        InboundLoadGenerator.deadlineAfter(System.nanoTime(), PRESTOP_TIMEOUT)));
                sidecar.sigterm();
            } else if (sidecarKind == SidecarKind.AMBIENT) {
                sidecar.sigterm();
            } else if (sidecarKind == SidecarKind.CLASSIC && jobQuitAdminPort != null) {
                controlPlaneQuit(sidecar, jobQuitAdminPort);
            }
            if (jobFailed && sidecar.isAlive()
                    && (sidecarKind == SidecarKind.CLASSIC || sidecarKind == SidecarKind.PRESTOP_LOOP)) {
                deleteFailedJobPod(sidecarContainer, deadline);
            }
        }
        List<RestartingContainer> containers = containers();
        for (RestartingContainer container : containers) {
            container.awaitDone(deadline);
        }
        // Every container must be gone for the Pod to complete (a native sidecar too); only a
        // classic sidecar's exit code counts towards the phase; the ambient stand-in is no container.
        RestartingContainer counted = sidecarKind != SidecarKind.AMBIENT ? sidecarContainer : null;
        boolean sidecarCodeCounts = counted != null && sidecarKind != SidecarKind.NATIVE;
        boolean completed = appExited && (counted == null || counted.awaitDone(System.nanoTime()));
        containers.forEach(RestartingContainer::stopRestarts);
        Duration completedAt = null;
        PodPhase phase = PodPhase.RUNNING;
        if (completed) {
            long end = app.exitNanos();
            boolean failed = app.exitCode() != 0 || jobFailed;
            if (counted != null) {
                ContainerProcess sidecar = counted.currentRun();
                end = Math.max(end, sidecar.exitNanos());
                if (sidecarCodeCounts) {
                    failed |= sidecar.exitCode() != 0;
                }
            }
            phase = failed ? PodPhase.FAILED : PodPhase.SUCCEEDED;
            completedAt = Duration.ofNanos(end - observed);
            record(end, TimelineEvent.POD, TimelineEvent.Kind.COMPLETED, phase.name()
                    + (jobFailed ? " (backoffLimit reached)" : ""));
        } else {
            record(System.nanoTime(), TimelineEvent.POD, TimelineEvent.Kind.NOT_COMPLETED,
                    "still Running after " + observationBound.toMillis() + " ms"
                            + (appExited ? ": the app exited, the sidecar did not" : ": the app did not exit"));
        }
        List<ContainerProcess> runs = currentRuns();
        for (ContainerProcess container : runs) {
            container.sigkillBecause(completed ? "Pod completed, sidecar left" : "observation bound over");
        }
        long killDeadline = InboundLoadGenerator.deadlineAfter(System.nanoTime(), KILL_TIMEOUT);
        List<String> unkillable = new ArrayList<>();
        for (ContainerProcess container : runs) {
            if (!container.awaitExit(killDeadline)) {
                unkillable.add(container.name());
            }
        }
        if (generator != null) {
            generator.stop();
            record(generator.stopNanos(), TimelineEvent.LOAD, TimelineEvent.Kind.LOAD_STOPPED,
                    generator.result(observed).summary());
        }
        if (!unkillable.isEmpty()) {
            throw new PodSimulatorException("containers " + unkillable + " did not exit within "
                    + KILL_TIMEOUT + " after SIGKILL");
        }
        awaitOutput();
        return new JobRun(instantOf(observed), sidecarKind, observationBound, phase,
                terminations(appContainer, observed), appExited, terminations(sidecarContainer, observed),
                jobFailed, completedAt,
                generator == null ? InboundLoadResult.empty() : generator.result(observed),
                timeline(observed));
    }

    /**
     * The Job controller's end of a Job past its {@code backoffLimit}: it deletes the Pod, so the
     * classic sidecar still running gets SIGTERM, and SIGKILL after the grace period (or at the bound).
     */
    private void deleteFailedJobPod(RestartingContainer sidecarContainer, long deadline)
            throws InterruptedException {
        sidecarContainer.stopRestarts();
        ContainerProcess sidecar = sidecarContainer.currentRun();
        record(System.nanoTime(), TimelineEvent.POD, TimelineEvent.Kind.DELETED, "Job failed (backoffLimit "
                + backoffLimit + " reached): the Job controller deletes the Pod, grace period "
                + terminationGracePeriod.toMillis() + " ms");
        sidecar.sigterm();
        long graceDeadline = Math.min(deadline,
                InboundLoadGenerator.deadlineAfter(System.nanoTime(), terminationGracePeriod));
        if (!sidecar.awaitExit(graceDeadline)) {
            sidecar.sigkillAtGrace();
        }
    }

    private synchronized @Nullable InboundLoadGenerator startConfiguredLoad() {
        InboundLoadGenerator generator = this.load;
        if (generator == null && inboundLoad != null) {
            generator = new InboundLoadGenerator(inboundLoad, System::nanoTime, "pod-sim-load");
            this.load = generator;
            generator.start();
            record(generator.startNanos(), TimelineEvent.LOAD, TimelineEvent.Kind.LOAD_STARTED,
                    inboundLoad.clients() + " clients, GET " + inboundLoad.url());
        }
        return generator;
    }

    /** The control plane's {@code POST /quitquitquit} to the sidecar's Envoy admin (one bounded call). */
    private void controlPlaneQuit(ContainerProcess sidecar, ToIntFunction<ReadyLine> adminPort) {
        int port = adminPort.applyAsInt(sidecarReady());
        String detail;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONTROL_PLANE_TIMEOUT_MS);
            socket.setSoTimeout(CONTROL_PLANE_TIMEOUT_MS);
            socket.getOutputStream().write(("POST /quitquitquit HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            detail = "POST :" + port + "/quitquitquit -> " + status;
        } catch (IOException e) {
            detail = "POST :" + port + "/quitquitquit failed: " + e;
        }
        record(System.nanoTime(), sidecar.name(), TimelineEvent.Kind.CONTROL_PLANE_QUIT, detail);
    }

    private void emulateNativePreStop(ContainerProcess sidecar) {
        Path file = nativePreStopFile;
        if (file == null) {
            record(System.nanoTime(), sidecar.name(), TimelineEvent.Kind.PRESTOP,
                    "(no preStop file configured)");
            return;
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                // Created by someone else already: the preStop has happened either way.
            }
        } catch (IOException e) {
            throw new PodSimulatorException("cannot create the native preStop file " + file
                    + " for container '" + sidecar.name() + "': " + e, e);
        }
        record(System.nanoTime(), sidecar.name(), TimelineEvent.Kind.PRESTOP, "created " + file);
    }

    /**
     * The preStop loop: checks the app's port, and while it still accepts, sleeps one interval
     * and checks again (the loop's {@code sleep 1}). Returns whether the port refused before the
     * grace deadline.
     */
    private boolean awaitPortRefused(ContainerProcess sidecar, long graceDeadline)
            throws InterruptedException {
        int port = requireNonNull(preStopLoopPort, "preStopLoopPort")
                .applyAsInt(requireNonNull(appReady, "appReady"));
        record(System.nanoTime(), sidecar.name(), TimelineEvent.Kind.PRESTOP,
                "loop: SIGTERM once 127.0.0.1:" + port + " refuses, checked every "
                        + preStopLoopInterval.toMillis() + " ms");
        while (true) {
            if (refuses(port)) {
                return true;
            }
            long left = graceDeadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, preStopLoopInterval.toNanos()));
        }
    }

    /** Whether nothing listens on the port any more; a slow accept counts as listening. */
    private static boolean refuses(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException slow) {
            return false;
        }
    }

    /** Every run of the container that has exited, first first; empty without the container. */
    private static List<ContainerTermination> terminations(@Nullable RestartingContainer container, long zero) {
        if (container == null) {
            return List.of();
        }
        List<ContainerTermination> runs = new ArrayList<>();
        for (ContainerProcess run : container.runs()) {
            if (run.hasExited()) {
                runs.add(termination(run, zero));
            }
        }
        return runs;
    }

    private static ContainerTermination termination(ContainerProcess container, long deletion) {
        long sigterm = container.sigtermNanos();
        return new ContainerTermination(container.name(), container.role(), container.exitCode(),
                sigterm == 0 ? null : Duration.ofNanos(sigterm - deletion),
                Duration.ofNanos(container.exitNanos() - deletion),
                container.killedAtGrace(), container.lines());
    }

    private List<TimelineEvent> timeline(long deletion) {
        List<RawEvent> snapshot;
        synchronized (events) {
            snapshot = new ArrayList<>(events);
        }
        snapshot.sort(Comparator.comparingLong((RawEvent e) -> e.nanos - deletion)
                .thenComparingLong(e -> e.sequence));
        List<TimelineEvent> timeline = new ArrayList<>(snapshot.size());
        for (RawEvent event : snapshot) {
            timeline.add(new TimelineEvent(Duration.ofNanos(event.nanos - deletion), event.source,
                    event.kind, event.detail));
        }
        return timeline;
    }

    /**
     * Kills (SIGKILL) every process of the Pod that is still alive, and their descendants, stops
     * the inbound load and waits briefly for the processes to vanish. Idempotent; safe to call
     * from any thread at any time, also while {@link #start()} or {@link #deletePod()} runs.
     */
    @Override
    public void close() {
        state.set(State.CLOSED);
        InboundLoadGenerator generator = load;
        if (generator != null) {
            generator.abort();
        }
        List<RestartingContainer> restarting = containers();
        restarting.forEach(RestartingContainer::destroyForcibly);
        List<ContainerProcess> containers = allRuns();
        long deadline = InboundLoadGenerator.deadlineAfter(System.nanoTime(), KILL_TIMEOUT);
        boolean interrupted = false;
        for (ContainerProcess container : containers) {
            ProcessHandle handle = container.handle();
            while (handle != null && handle.isAlive() && System.nanoTime() - deadline < 0) {
                try {
                    handle.onExit().get(Math.max(1, deadline - System.nanoTime()),
                            TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                } catch (Exception e) {
                    // Timed out or failed: the loop re-checks liveness and the deadline.
                }
            }
            container.closeLog();
        }
        Path podinfo = downwardApiDirectory;
        if (podinfo != null) {
            DownwardApiFile.deleteDirectory(podinfo);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Returns the sidecar's ready line, e.g. to read its ports with {@link ReadyLine#port(String)}.
     *
     * @return the ready line
     * @throws IllegalStateException if there is no sidecar or it is not ready yet
     */
    public ReadyLine sidecarReady() {
        ReadyLine line = sidecarReady;
        if (line == null) {
            throw new IllegalStateException(sidecarSpec == null
                    ? "sidecarReady(): the pod has no sidecar"
                    : "sidecarReady(): the sidecar is not ready (call start() first)");
        }
        return line;
    }

    /**
     * Returns the application's ready line.
     *
     * @return the ready line
     * @throws IllegalStateException if the application is not ready yet
     */
    public ReadyLine appReady() {
        ReadyLine line = appReady;
        if (line == null) {
            throw new IllegalStateException("appReady(): the app is not ready (call start() first)");
        }
        return line;
    }

    /**
     * Returns the application's process (its current run, after a restart in place), for its pid or
     * liveness.
     *
     * @return the process handle, empty before the application was started
     */
    public Optional<ProcessHandle> appProcess() {
        RestartingContainer container = app;
        return container == null || !container.isStarted() ? Optional.empty()
                : Optional.ofNullable(container.currentRun().handle());
    }

    /**
     * Returns the sidecar's process, for its pid or liveness.
     *
     * @return the process handle, empty without sidecar or before it was started
     */
    public Optional<ProcessHandle> sidecarProcess() {
        RestartingContainer container = sidecar;
        return container == null || !container.isStarted() ? Optional.empty()
                : Optional.ofNullable(container.currentRun().handle());
    }

    /**
     * Returns the lines captured so far from both containers (every run), ordered by time.
     *
     * @return a snapshot of the captured lines
     */
    public List<OutputLine> lines() {
        List<OutputLine> all = new ArrayList<>();
        allRuns().forEach(c -> all.addAll(c.lines()));
        all.sort(Comparator.comparing(OutputLine::time));
        return List.copyOf(all);
    }

    /**
     * Returns how the kubelet treats the sidecar.
     *
     * @return the sidecar kind
     */
    public SidecarKind sidecarKind() {
        return sidecarKind;
    }

    /**
     * Returns the grace period after which the simulator kills what is left.
     *
     * @return the grace period
     */
    public Duration terminationGracePeriod() {
        return terminationGracePeriod;
    }

    /**
     * Returns the file created at deletion to emulate the native sidecar's preStop hook.
     *
     * @return the file, if configured
     */
    public Optional<Path> nativePreStopFile() {
        return Optional.ofNullable(nativePreStopFile);
    }

    /**
     * Returns the Pod's restart policy.
     *
     * @return the policy of its regular containers
     */
    public RestartPolicy restartPolicy() {
        return restartPolicy;
    }

    /**
     * Returns the file holding the Pod's annotations as the downward API writes it, which the
     * application finds through {@code SIDECAR_SHUTDOWN_ANNOTATIONS_FILE}.
     *
     * @return the file, once {@link #start()} wrote it; empty without
     *     {@link PodSimulatorBuilder#podAnnotations(Map)}
     */
    public Optional<Path> annotationsFile() {
        Path dir = downwardApiDirectory;
        return dir == null || podAnnotations.isEmpty() ? Optional.empty()
                : Optional.of(dir.resolve(DownwardApiFile.ANNOTATIONS));
    }

    /**
     * Returns the file holding the Pod's labels as the downward API writes it, which the
     * application finds through {@code SIDECAR_SHUTDOWN_LABELS_FILE}.
     *
     * @return the file, once {@link #start()} wrote it; empty without
     *     {@link PodSimulatorBuilder#podLabels(Map)}
     */
    public Optional<Path> labelsFile() {
        Path dir = downwardApiDirectory;
        return dir == null || podLabels.isEmpty() ? Optional.empty()
                : Optional.of(dir.resolve(DownwardApiFile.LABELS));
    }

    private List<RestartingContainer> containers() {
        List<RestartingContainer> list = new ArrayList<>(2);
        RestartingContainer s = sidecar;
        RestartingContainer a = app;
        if (s != null) {
            list.add(s);
        }
        if (a != null) {
            list.add(a);
        }
        return list;
    }

    /** The run of each started container that is alive, or its last. */
    private List<ContainerProcess> currentRuns() {
        List<ContainerProcess> list = new ArrayList<>(2);
        for (RestartingContainer container : containers()) {
            if (container.isStarted()) {
                list.add(container.currentRun());
            }
        }
        return list;
    }

    /** Every run of every container, for output, kills and cleanup. */
    private List<ContainerProcess> allRuns() {
        List<ContainerProcess> list = new ArrayList<>();
        containers().forEach(c -> list.addAll(c.runs()));
        return list;
    }

    /** Waits (bounded) until every run's output was read to its end. */
    private void awaitOutput() throws InterruptedException {
        long outputDeadline = InboundLoadGenerator.deadlineAfter(System.nanoTime(), OUTPUT_DRAIN_TIMEOUT);
        for (ContainerProcess container : allRuns()) {
            container.awaitOutput(outputDeadline);
        }
    }

    private void transition(State from, State to, String operation) {
        if (!state.compareAndSet(from, to)) {
            throw new IllegalStateException(
                    operation + ": pod is " + state.get() + " (expected: " + from + ")");
        }
    }

    private void record(long nanos, String source, TimelineEvent.Kind kind, String detail) {
        synchronized (events) {
            events.add(new RawEvent(nanos, events.size(), source, kind, detail));
        }
    }

    private Instant instantOf(long nanos) {
        return baseInstant.plusNanos(nanos - baseNanos);
    }

    private record RawEvent(long nanos, long sequence, String source, TimelineEvent.Kind kind,
            String detail) {
    }
}
