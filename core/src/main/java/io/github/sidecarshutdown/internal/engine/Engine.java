package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.InFlightTracker;
import io.github.sidecarshutdown.ReadinessGate;
import io.github.sidecarshutdown.ShutdownListener;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.ShutdownTrigger;
import io.github.sidecarshutdown.SidecarReadiness;
import io.github.sidecarshutdown.envoy.AdminCallListener;
import io.github.sidecarshutdown.internal.Loggers;
import io.github.sidecarshutdown.internal.StartupLog;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.pod.PodAnnotations;
import io.github.sidecarshutdown.sidecar.Meshes;
import io.github.sidecarshutdown.sidecar.MeshContext;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.helpers.NOPLogger;

/**
 * The engine of one {@link io.github.sidecarshutdown.ShutdownCoordinator}: what the coordinator
 * delegates to, and all it reaches of the engine. It holds the resolved sidecar and the settings,
 * starts the sequence ({@link SequenceRun}), computes the plan from the same phase objects
 * ({@link Planner}), and runs the startup wait ({@link SidecarStartup}). Not API.
 */
public final class Engine {


    private final ShutdownSettings settings;
    private final Sidecar sidecar;
    private final List<String> notes;
    private final List<ShutdownListener> listeners;
    private final TimeSource time;
    private final InFlightTracker inFlight;
    private final ReadinessGate readiness;
    private final ProcessRelease processes;
    /** Null: the coordinator's logger, looked up at first use, so that SLF4J starts off the app's path to Ready. */
    private final @Nullable Logger log;
    private volatile boolean terminated;
    /** A sequence was started: the startup wait stops waiting. */
    private volatile boolean started;
    private @Nullable StartupWork startupWork; // guarded by this
    private final StartupLog startupLog = new StartupLog();

    /**
     * @param settings  the validated settings
     * @param sidecar   the sidecar to talk to
     * @param notes     what the plan says about the sidecar, once
     * @param listeners the coordinator's live list of listeners
     * @param time      the clock
     * @param inFlight  the app's in-flight tracker
     * @param readiness the app's readiness gate
     */
    public Engine(ShutdownSettings settings, Sidecar sidecar, List<String> notes, List<ShutdownListener> listeners, TimeSource time,
            InFlightTracker inFlight, ReadinessGate readiness) {
        this(settings, sidecar, notes, listeners, time, inFlight, readiness, ProcessRelease.INSTANCE, null);
    }

    /** @param log where the sequence logs; null for the coordinator's logger, looked up at first use */
    Engine(ShutdownSettings settings, Sidecar sidecar, List<String> notes, List<ShutdownListener> listeners, TimeSource time,
            InFlightTracker inFlight, ReadinessGate readiness, ProcessRelease processes, @Nullable Logger log) {
        this.settings = settings;
        this.sidecar = sidecar;
        this.notes = List.copyOf(notes);
        this.listeners = listeners;
        this.time = time;
        this.inFlight = inFlight;
        this.readiness = readiness;
        this.processes = processes;
        this.log = log;
    }

    /**
     * The sidecar for these settings and the Pod's annotations, through the mesh descriptors, with
     * what the plan should say about it.
     *
     * @return the sidecar and the plan's notes
     */
    public static Resolution resolve(ShutdownSettings settings, PodAnnotations pod, AdminCallListener listener) {
        MeshResolution.Resolved r = MeshResolution.resolve(settings, pod, listener);
        return new Resolution(r.sidecar(), r.notes());
    }

    /**
     * A resolved sidecar.
     *
     * @param sidecar what the coordinator talks to
     * @param notes   what the plan says about it
     */
    public record Resolution(Sidecar sidecar, List<String> notes) {
    }

    /** The settings. */
    public ShutdownSettings settings() {
        return settings;
    }

    /** The sidecar. */
    public Sidecar sidecar() {
        return sidecar;
    }

    ProcessRelease processes() {
        return processes;
    }

    Logger log() {
        return log != null ? log : Loggers.of(io.github.sidecarshutdown.ShutdownCoordinator.class);
    }

    boolean isRehearsal() {
        return log == NOPLogger.NOP_LOGGER;
    }

    TimeSource time() {
        return time;
    }

    InFlightTracker inFlight() {
        return inFlight;
    }

    ReadinessGate readiness() {
        return readiness;
    }

    List<ShutdownListener> listeners() {
        return listeners;
    }

    /** Whether a sequence was started. */
    boolean hasStarted() {
        return started;
    }

    /** Whether its sequence ended. */
    boolean isTerminated() {
        return terminated;
    }

    void terminated() {
        terminated = true;
    }

    /** The phase objects for {@code tasks}, as the plan and the run share them. */
    Planner.Phases phases(List<ShutdownTask> tasks, long t0, @Nullable ReportRecorder report) {
        TaskPhase taskPhase = new TaskPhase(tasks, new TaskRunner(time, settings.taskTimeout(), t0, this), report, this);
        return new Planner.Phases(taskPhase, new PropagationDelay(settings, inFlight, sidecar, time),
                new InboundDrain(settings, sidecar, inFlight, time), new SidecarRelease(this, settings, sidecar, time));
    }

    /** The plan for {@code tasks} and what the sidecar says now (within the admin timeout). */
    public ShutdownPlan plan(List<ShutdownTask> tasks) {
        return plan(tasks, sidecar.facts(settings.adminTimeout()));
    }

    ShutdownPlan plan(List<ShutdownTask> tasks, SidecarFacts facts) {
        return Planner.plan(settings, phases(tasks, time.nanoTime(), null), facts, notes);
    }

    /**
     * The plan for a Pod described by its settings and annotations, asking the sidecar nothing: the
     * facts are what the annotations and the settings give (what the linter checks a manifest with).
     */
    public static ShutdownPlan planForPod(ShutdownSettings settings, List<ShutdownTask> tasks, PodAnnotations pod) {
        MeshResolution.Resolved r = MeshResolution.resolve(settings, pod, AdminCallListener.none());
        SidecarFacts facts = factsFromPod(settings, pod);
        Engine e = new Engine(settings, r.sidecar(), r.notes(), List.of(), TimeSource.system(), new InFlightTracker(),
                new ReadinessGate(), new ProcessRelease(false), NOPLogger.NOP_LOGGER);
        return e.plan(tasks, facts);
    }

    private static SidecarFacts factsFromPod(ShutdownSettings settings, PodAnnotations pod) {
        SidecarMode mode = settings.sidecarMode();
        if (mode.equals(SidecarMode.NONE)) {
            return SidecarFacts.none("sidecar-mode none");
        }
        MeshContext context = new MeshContext(settings, pod, AdminCallListener.none(), mode);
        if (mode.equals(SidecarMode.AUTO)) {
            for (var mesh : Meshes.all()) {
                var injected = MeshResolution.injected(mesh, pod);
                if (injected.isPresent()) {
                    return mesh.facts(context, injected.get());
                }
            }
            return Meshes.all().get(0).facts(context, SidecarMode.AUTO);
        }
        return Meshes.forMode(mode).orElseThrow().facts(context, mode);
    }

    /**
     * Starts the sequence on its own daemon thread, running through {@code target}. The startup work
     * still running is cancelled first (the sequence does not wait for it); the lines it held are
     * logged by the sequence, once readiness is off.
     */
    public SequenceRun start(ShutdownTrigger trigger, ShutdownPhase target, List<ShutdownTask> tasks) {
        started = true;
        if (!isRehearsal()) {
            StartupWork w;
            synchronized (this) {
                w = startupWork;
            }
            if (w != null) {
                w.cancel();
            }
        }
        SequenceRun run = new SequenceRun(this, trigger, target, tasks);
        run.start();
        return run;
    }

    /**
     * Starts what {@code install()} leaves for later (docs/timeline.md, "Off the startup path"), on
     * one daemon thread that ends with it: waits until the app's readiness turned on (the startup wait
     * returned), at most {@link StartupWork#READY_WAIT}, so that none of it competes with the app's
     * own path to Ready; rehearses the sequence once per JVM; then logs the lines held on the way to
     * Ready and the plan for {@code tasks} (with a WARN and its fix for each problem). At most once
     * per engine.
     *
     * @return the work, to await in tests
     */
    public synchronized StartupWork startupWork(List<ShutdownTask> tasks) {
        if (startupWork != null) {
            return startupWork;
        }
        startupWork = StartupWork.start(List.of(new StartupSteps(tasks)));
        return startupWork;
    }

    /**
     * The startup work's steps in order, each skipped once the shutdown began. One class rather than
     * a lambda per step: on the app's path to Ready a lambda's first link costs a fresh JVM more than
     * a small class does (docs/timeline.md, "Off the startup path"). No warm-up here: the rehearsal
     * and the hook scan's warm-up run when a shutdown starts ({@link ProcessRelease#begin}), so that a
     * new Pod spends no CPU on them while others start beside it.
     */
    private final class StartupSteps implements StartupWork.Step {
        private final List<ShutdownTask> tasks;

        StartupSteps(List<ShutdownTask> tasks) {
            this.tasks = tasks;
        }

        @Override
        public void run(StartupWork work) {
            awaitReadiness(work);
            if (!work.isCancelled()) {
                logPlan(tasks, work);
            }
        }
    }

    /** Waits until the app's readiness left STARTING, at most {@link StartupWork#READY_WAIT}; an interrupt ends the wait. */
    private void awaitReadiness(StartupWork work) {
        CountDownLatch changed = new CountDownLatch(1);
        readiness.onChange(s -> changed.countDown());
        if (readiness.state() != ReadinessGate.State.STARTING) {
            return;
        }
        try {
            changed.await(StartupWork.READY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // cancelled: the next steps are skipped
        }
    }

    /** The startup work, once {@link #startupWork} started it. */
    public synchronized Optional<StartupWork> startupWork() {
        return Optional.ofNullable(startupWork);
    }

    /**
     * Logs the lines held on the way to Ready, then the plan: information, and one WARN line per
     * problem so that a log search for WARN finds the fix.
     */
    private void logPlan(List<ShutdownTask> tasks, StartupWork work) {
        ShutdownPlan p = plan(tasks);
        if (work.isCancelled()) {
            return; // the sequence's start line stands for it (and the sequence logs the held lines)
        }
        startupLog.flush();
        log().info("{}", p.render());
        for (String w : p.warnings()) {
            log().warn("Shutdown plan: {}", w);
        }
    }

    /** The lines held on the app's path to Ready, logged by the startup work, the startup wait or the sequence. */
    public StartupLog startupLog() {
        return startupLog;
    }

    /** The startup wait. */
    public SidecarReadiness awaitSidecarReady(Duration timeout) throws InterruptedException {
        try {
            return new SidecarStartup(this).await(timeout);
        } finally {
            boolean work;
            synchronized (this) {
                work = startupWork != null;
            }
            if (!work) {
                startupLog.flush(); // no startup work to log them (never installed): now, on the caller's thread
            }
        }
    }

    /** This coordinator registered a real JVM shutdown hook: during a JVM shutdown it counts as working before it starts. */
    public void hooked() {
        processes.hooked(this);
    }

    /**
     * One rehearsal now, whatever ran before, and its report (the install-time rehearsal's checks
     * use it).
     */
    public static Optional<io.github.sidecarshutdown.ShutdownReport> rehearse(ShutdownSettings settings) {
        return Rehearsal.run(settings);
    }

    /** Whether this JVM's one rehearsal has begun (a shutdown of a coordinator that may release started it); for tests. */
    public static boolean rehearsalBegun() {
        return Rehearsal.begun();
    }

}
