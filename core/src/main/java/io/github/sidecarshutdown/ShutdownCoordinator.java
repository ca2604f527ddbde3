package io.github.sidecarshutdown;

import static java.util.Objects.requireNonNull;

import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.Loggers;
import io.github.sidecarshutdown.internal.RuntimeHooks;
import io.github.sidecarshutdown.internal.StartupLog;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.internal.engine.Engine;
import io.github.sidecarshutdown.internal.engine.SequenceRun;
import io.github.sidecarshutdown.internal.engine.StartupWork;
import io.github.sidecarshutdown.sidecar.Sidecar;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Runs the app's exit as ordered phases under one deadline, knowing the sidecar (docs/timeline.md):
 * readiness off, propagation delay (early outbound tasks meanwhile), inbound drain, cleanup
 * tasks guarded by the sidecar check, release tasks, sidecar release, report.
 *
 * <pre>{@code
 * ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
 *     .fromEnvironment()                                   // SIDECAR_SHUTDOWN_* variables
 *     .task("deregister", ctx -> registry.deregister())    // outbound, guarded by the sidecar check
 *     .build()
 *     .install();                                          // one JVM shutdown hook, idempotent
 * coordinator.awaitSidecarReady();                         // before serving or calling out
 * }</pre>
 *
 * <p>Guarantees: the sequence ends by the deadline ({@code grace-period - safety-margin}) plus a
 * small bound, whatever the tasks do (a hung task is interrupted and abandoned, one that calls
 * {@code System.exit} is abandoned too); every task ends with exactly one {@link TaskOutcome};
 * nothing thrown escapes the hook; the sidecar is released at most once. Thread-safe: the first
 * caller of {@link #shutdown()} (or the hook) runs the sequence, later and concurrent callers wait,
 * bounded, for the same report.
 */
public final class ShutdownCoordinator {

    /** Looked up at each use, not at class load: SLF4J then starts off the app's path to Ready (docs/timeline.md). */
    private static Logger logger() {
        return Loggers.of(ShutdownCoordinator.class);
    }

    /** The coordinator's lifecycle; each state only moves forward. */
    public enum State {
        /** Built; no hook yet. */
        NEW,
        /** The JVM hook is registered. */
        INSTALLED,
        /** The shutdown sequence runs. */
        STOPPING,
        /** The sequence ended; the report is final. */
        TERMINATED
    }

    private final Engine engine;
    private final List<ShutdownTask> tasks;
    private final List<ShutdownListener> listeners;
    private final RuntimeHooks hooks;
    private final InFlightTracker inFlight;
    private final ReadinessGate readiness;
    private final AtomicBoolean hookRegistered = new AtomicBoolean();
    private final Object lock = new Object();
    private @Nullable SequenceRun run; // guarded by lock

    ShutdownCoordinator(ShutdownSettings settings, Sidecar sidecar, List<ShutdownTask> tasks, List<ShutdownListener> listeners,
            TimeSource time, RuntimeHooks hooks) {
        this(settings, sidecar, List.of(), tasks, listeners, time, hooks);
    }

    /** @param notes what the plan says about the sidecar, once (from the builder's mesh resolution) */
    ShutdownCoordinator(ShutdownSettings settings, Sidecar sidecar, List<String> notes, List<ShutdownTask> tasks,
            List<ShutdownListener> listeners, TimeSource time, RuntimeHooks hooks) {
        this.tasks = new CopyOnWriteArrayList<>(tasks);
        this.listeners = new CopyOnWriteArrayList<>(listeners);
        this.hooks = hooks;
        this.inFlight = new InFlightTracker();
        this.readiness = new ReadinessGate();
        this.engine = new Engine(settings, sidecar, notes, this.listeners, time, inFlight, readiness);
    }

    /** A builder with the defaults of a classic Istio sidecar and a 30 s grace period. */
    public static ShutdownCoordinatorBuilder builder() {
        return new ShutdownCoordinatorBuilder();
    }

    /** The validated settings. */
    public ShutdownSettings settings() {
        return engine.settings();
    }

    /** The sidecar this coordinator talks to. */
    public Sidecar sidecar() {
        return engine.sidecar();
    }

    /** The in-flight tracker the app's server should wrap requests with. */
    public InFlightTracker inFlight() {
        return inFlight;
    }

    /** The app's readiness: serve the readiness endpoint from it. */
    public ReadinessGate readiness() {
        return readiness;
    }

    /** The registered tasks, in order. */
    public List<ShutdownTask> tasks() {
        return List.copyOf(tasks);
    }

    /** Where the coordinator is in its lifecycle. */
    public State state() {
        synchronized (lock) {
            if (run != null) {
                return run.isDone() ? State.TERMINATED : State.STOPPING;
            }
        }
        return hookRegistered.get() ? State.INSTALLED : State.NEW;
    }

    /**
     * Registers the one JVM shutdown hook (idempotent) and returns. Once the app's readiness turned on
     * ({@link #awaitSidecarReady()}, or at most a second later), a daemon thread that ends when it is
     * done logs the shutdown plan once, with a WARN and its fix for everything that cannot fit
     * (docs/timeline.md, "Off the startup path"). A shutdown that starts meanwhile cancels that work
     * and does not wait for it. Does nothing when the library is disabled.
     *
     * @return this
     */
    public ShutdownCoordinator install() {
        if (!settings().enabled()) {
            engine.startupLog().flush();
            logger().info("sidecar-shutdown is disabled ({}=false): no shutdown hook installed",
                    settings().nameOf(Setting.ENABLED));
            return this;
        }
        if (hookRegistered.compareAndSet(false, true)) {
            // A class, not a lambda: a lambda's first link costs a fresh JVM more (docs/timeline.md, "Off the startup path").
            hooks.addShutdownHook(new Thread("sidecar-shutdown-hook") {
                @Override
                public void run() {
                    runFromHook();
                }
            });
            if (hooks.runAtJvmExit()) {
                engine.hooked();
            }
            // The plan need not delay the app's Ready: it is logged after it, on one thread that ends
            // with it, and the start of a sequence cancels what is left (docs/timeline.md, "Off the
            // startup path").
            synchronized (lock) {
                if (run == null) {
                    engine.startupWork(List.copyOf(tasks));
                }
            }
        }
        return this;
    }

    /** Holds the builder's informational lines with this coordinator's, for the startup work (or the startup wait) to log. */
    void holdStartupLines(StartupLog lines) {
        engine.startupLog().take(lines);
    }

    /** The work {@link #install()} left running after it returned, once it did (tests await it). */
    Optional<StartupWork> startupWork() {
        return engine.startupWork();
    }

    /** Whether {@link #install()} registered the hook. */
    public boolean isInstalled() {
        return hookRegistered.get();
    }

    /**
     * The plan for the tasks registered so far and what the sidecar says now: computed from the same
     * phase objects and sidecar the shutdown runs with.
     */
    public ShutdownPlan plan() {
        return engine.plan(List.copyOf(tasks));
    }

    /**
     * Adds a task before shutdown begins.
     *
     * @throws IllegalStateException once shutdown has begun (a task registered then could not be
     *     given a place in the running sequence)
     */
    public void register(ShutdownTask task) {
        requireNonNull(task, "task");
        synchronized (lock) {
            if (run != null) {
                throw new IllegalStateException("Cannot register task '" + task.name() + "': shutdown began "
                        + Durations.format(run.elapsed()) + " ago (" + run.trigger().tagValue()
                        + "). Register tasks at startup, before the app can receive SIGTERM.");
            }
            tasks.add(task);
        }
    }

    /** Adds a listener; see {@link #register(ShutdownTask)} for when. */
    public void addListener(ShutdownListener listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    /**
     * Runs the shutdown sequence now, or waits for the one already running, and returns its report.
     * The wait is bounded by the sequence's deadline plus one second; past it, an incomplete
     * snapshot is returned.
     */
    public ShutdownReport shutdown() {
        return startOrJoin(ShutdownTrigger.PROGRAMMATIC, ShutdownPhase.REPORT).await();
    }

    /**
     * Lets the sequence run through {@code phase} and every phase before it, starting it if it has
     * not started ({@link ShutdownTrigger#FRAMEWORK}); the sequence then waits before the next
     * phase until a later call, {@link #shutdown()}, or that phase's deadline. For frameworks that
     * run the slice of the sequence they own from their own lifecycle callbacks, e.g. readiness off
     * and the propagation delay before their web server drains, cleanup while their beans still
     * live, the sidecar release after their context closed. The JVM hook runs the sequence end to end.
     *
     * @return completes once {@code phase} ended, or the sequence did, at the latest at the
     *     sequence's deadline plus one second; never exceptionally
     */
    public CompletableFuture<Void> runThrough(ShutdownPhase phase) {
        requireNonNull(phase, "phase");
        return startOrJoin(ShutdownTrigger.FRAMEWORK, phase).runThrough(phase);
    }

    /** Starts the sequence (or joins the running one) without waiting; for asynchronous lifecycles. */
    public CompletableFuture<ShutdownReport> shutdownAsync() {
        return startOrJoin(ShutdownTrigger.PROGRAMMATIC, ShutdownPhase.REPORT).result();
    }

    /** The report: final once the sequence ended, a snapshot while it runs, empty before. */
    public Optional<ShutdownReport> report() {
        SequenceRun r;
        synchronized (lock) {
            r = run;
        }
        if (r == null) {
            return Optional.empty();
        }
        return Optional.of(r.finalReport().orElseGet(r::snapshot));
    }

    /** {@link #awaitSidecarReady(Duration)} with {@code startup-wait}. */
    public SidecarReadiness awaitSidecarReady() throws InterruptedException {
        return awaitSidecarReady(settings().startupWait());
    }

    /**
     * Waits until the sidecar can carry traffic, polling its readiness every few milliseconds (so
     * the app is released within a few ms of the sidecar being ready), then marks the
     * {@link #readiness()} gate ready. With no sidecar in {@code auto} mode and the
     * {@code optional} policy, returns at once.
     *
     * @throws SidecarNotReadyException when the wait runs out and {@code startup-policy} is {@code required}
     */
    public SidecarReadiness awaitSidecarReady(Duration timeout) throws InterruptedException {
        requireNonNull(timeout, "timeout");
        return engine.awaitSidecarReady(timeout);
    }

    private void runFromHook() {
        try {
            ShutdownReport report = startOrJoin(ShutdownTrigger.JVM_HOOK, ShutdownPhase.REPORT).await();
            if (!report.complete()) {
                logger().warn("Shutdown hook returning before the sequence ended: {}", report.summaryLine());
            }
        } catch (Throwable t) {
            // Nothing may escape a shutdown hook: the JVM would print it and other hooks would race on.
            logger().error("sidecar-shutdown hook failed", t);
        }
    }

    private SequenceRun startOrJoin(ShutdownTrigger trigger, ShutdownPhase target) {
        SequenceRun r;
        synchronized (lock) {
            if (run == null) {
                run = engine.start(trigger, target, List.copyOf(tasks));
                return run;
            }
            r = run;
        }
        r.runThrough(target);
        return r;
    }
}
