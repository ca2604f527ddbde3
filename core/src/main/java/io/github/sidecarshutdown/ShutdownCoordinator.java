package io.github.sidecarshutdown;

import static java.util.Objects.requireNonNull;

import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.LogSafe;
import io.github.sidecarshutdown.internal.RuntimeHooks;
import io.github.sidecarshutdown.internal.Threads;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the app's exit as ordered phases under one deadline, knowing the sidecar (design.md section
 * 1): readiness off, propagation delay (early outbound tasks meanwhile), inbound drain, cleanup
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

    private static final Logger logger = LoggerFactory.getLogger(ShutdownCoordinator.class);

    /** How long past its deadline a caller waits for a sequence before taking a snapshot. */
    static final Duration OVERRUN_BOUND = Duration.ofSeconds(1);

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

    private final ShutdownSettings settings;
    private final Sidecar sidecar;
    private final List<ShutdownTask> tasks;
    private final List<ShutdownListener> listeners;
    private final TimeSource time;
    private final RuntimeHooks hooks;
    private final InFlightTracker inFlight = new InFlightTracker();
    private final ReadinessGate readiness = new ReadinessGate();
    private final AtomicBoolean hookRegistered = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();
    private final java.util.Map<ShutdownPhase, CompletableFuture<Void>> signals = new java.util.EnumMap<>(ShutdownPhase.class);
    private final Object lock = new Object();
    private @Nullable Run run; // guarded by lock

    ShutdownCoordinator(ShutdownSettings settings, Sidecar sidecar, List<ShutdownTask> tasks, List<ShutdownListener> listeners,
            TimeSource time, RuntimeHooks hooks, Set<ShutdownPhase> signalledPhases) {
        this.settings = settings;
        this.sidecar = sidecar;
        this.tasks = new CopyOnWriteArrayList<>(tasks);
        this.listeners = new CopyOnWriteArrayList<>(listeners);
        this.time = time;
        this.hooks = hooks;
        for (ShutdownPhase p : signalledPhases) {
            signals.put(p, new CompletableFuture<>());
        }
    }

    /** A builder with the defaults of a classic Istio sidecar and a 30 s grace period. */
    public static ShutdownCoordinatorBuilder builder() {
        return new ShutdownCoordinatorBuilder();
    }

    /** The validated settings. */
    public ShutdownSettings settings() {
        return settings;
    }

    /** The sidecar this coordinator talks to. */
    public Sidecar sidecar() {
        return sidecar;
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
                return run.future.isDone() ? State.TERMINATED : State.STOPPING;
            }
        }
        return hookRegistered.get() ? State.INSTALLED : State.NEW;
    }

    /**
     * Registers the one JVM shutdown hook (idempotent) and logs the shutdown plan once, with a WARN
     * and its fix for everything that cannot fit. Does nothing when the library is disabled.
     *
     * @return this
     */
    public ShutdownCoordinator install() {
        if (!settings.enabled()) {
            logger.info("sidecar-shutdown is disabled ({}=false): no shutdown hook installed",
                    io.github.sidecarshutdown.config.Setting.ENABLED.envName());
            return this;
        }
        if (hookRegistered.compareAndSet(false, true)) {
            hooks.addShutdownHook(new Thread(this::runFromHook, "sidecar-shutdown-hook"));
            if (hooks.runAtJvmExit()) {
                ProcessRelease.INSTANCE.hooked(this);
            }
            ShutdownPlan p = plan();
            if (p.fits()) {
                logger.info("{}", p.render());
            } else {
                logger.warn("{}", p.render());
            }
        }
        return this;
    }

    /** Whether {@link #install()} registered the hook. */
    public boolean isInstalled() {
        return hookRegistered.get();
    }

    /** The plan for the tasks registered so far and what the sidecar says now. */
    public ShutdownPlan plan() {
        return ShutdownPlan.compute(settings, tasks, sidecar.facts(settings.adminTimeout()));
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
                        + Durations.format(Duration.ofNanos(time.nanoTime() - run.t0)) + " ago (" + run.trigger.tagValue()
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
        return startOrJoin(ShutdownTrigger.PROGRAMMATIC).await();
    }

    /**
     * Lets the sequence enter {@code phase}, which the builder's {@code awaitSignalBefore} made it
     * wait for. May come before the sequence reaches the phase; idempotent.
     *
     * @throws IllegalArgumentException if the coordinator was not built to wait for {@code phase}
     */
    public void signal(ShutdownPhase phase) {
        CompletableFuture<Void> gate = signals.get(requireNonNull(phase, "phase"));
        if (gate == null) {
            throw new IllegalArgumentException("phase: " + phase + " (expected: one given to awaitSignalBefore: " + signals.keySet() + ")");
        }
        gate.complete(null);
    }

    /** The phases that wait for {@link #signal(ShutdownPhase)} (set by the builder's {@code awaitSignalBefore}). */
    public Set<ShutdownPhase> signalledPhases() {
        return Set.copyOf(signals.keySet());
    }

    /** Starts the sequence (or joins the running one) without waiting; for asynchronous lifecycles. */
    public CompletableFuture<ShutdownReport> shutdownAsync() {
        return startOrJoin(ShutdownTrigger.PROGRAMMATIC).future.copy();
    }

    /** The report: final once the sequence ended, a snapshot while it runs, empty before. */
    public Optional<ShutdownReport> report() {
        Run r;
        synchronized (lock) {
            r = run;
        }
        if (r == null) {
            return Optional.empty();
        }
        ShutdownReport done = r.future.getNow(null);
        return Optional.of(done != null ? done : r.snapshot(false));
    }

    /** {@link #awaitSidecarReady(Duration)} with {@code startup-wait}. */
    public SidecarReadiness awaitSidecarReady() throws InterruptedException {
        return awaitSidecarReady(settings.startupWait());
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
        if (!settings.enabled() || settings.sidecarMode() == SidecarMode.NONE) {
            readiness.markReady();
            return SidecarReadiness.NO_SIDECAR;
        }
        Deadline deadline = Deadline.after(time, timeout);
        long start = time.nanoTime();
        Duration interval = Duration.ofMillis(2);
        boolean mayBeAbsent = settings.sidecarMode() == SidecarMode.AUTO && settings.startupPolicy() == StartupPolicy.OPTIONAL;
        SidecarState last = SidecarState.UNKNOWN;
        while (true) {
            if (isShuttingDown()) {
                return SidecarReadiness.SHUTTING_DOWN;
            }
            if (sidecar.isReady(deadline.cap(settings.adminTimeout()))) {
                readiness.markReady();
                logger.info("Sidecar ready after {} ({})", Durations.format(Duration.ofNanos(time.nanoTime() - start)),
                        sidecar.describe());
                return SidecarReadiness.READY;
            }
            if (mayBeAbsent) {
                last = sidecar.probe(deadline.cap(settings.adminTimeout()));
                if (last == SidecarState.ABSENT) {
                    readiness.markReady();
                    logger.info("No sidecar answers ({}); going on without one", sidecar.describe());
                    return SidecarReadiness.NO_SIDECAR;
                }
            }
            if (deadline.isExpired()) {
                String message = "The sidecar was not ready within " + Durations.format(timeout) + " (" + sidecar.describe()
                        + (last == SidecarState.UNKNOWN ? "" : ", last state " + last.name().toLowerCase(java.util.Locale.ROOT))
                        + "). Raise " + io.github.sidecarshutdown.config.Setting.STARTUP_WAIT.envName() + ", or set "
                        + io.github.sidecarshutdown.config.Setting.STARTUP_POLICY.envName() + "=optional to start without it.";
                if (settings.startupPolicy() == StartupPolicy.REQUIRED) {
                    throw new SidecarNotReadyException(message);
                }
                logger.warn("{} Going on (startup-policy optional).", message);
                readiness.markReady();
                return SidecarReadiness.TIMED_OUT;
            }
            time.sleep(deadline.cap(interval));
            interval = Durations.min(interval.multipliedBy(2), Duration.ofMillis(20));
        }
    }

    private boolean isShuttingDown() {
        synchronized (lock) {
            return run != null;
        }
    }

    private void runFromHook() {
        try {
            ShutdownReport report = startOrJoin(ShutdownTrigger.JVM_HOOK).await();
            if (!report.complete()) {
                logger.warn("Shutdown hook returning before the sequence ended: {}", report.summaryLine());
            }
        } catch (Throwable t) {
            // Nothing may escape a shutdown hook: the JVM would print it and other hooks would race on.
            logger.error("sidecar-shutdown hook failed", t);
        }
    }

    private Run startOrJoin(ShutdownTrigger trigger) {
        synchronized (lock) {
            if (run == null) {
                run = new Run(trigger, List.copyOf(tasks));
                run.start();
            }
            return run;
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** One execution of the sequence. */
    private final class Run {
        final ShutdownTrigger trigger;
        final List<ShutdownTask> plannedTasks;
        final long t0;
        final Instant startedAt;
        final Deadline deadline;
        final CompletableFuture<ShutdownReport> future = new CompletableFuture<>();
        final List<PhaseResult> phases = new CopyOnWriteArrayList<>();
        final List<TaskResult> results = new CopyOnWriteArrayList<>();
        volatile SidecarFacts facts = SidecarFacts.none("not yet discovered");
        volatile SidecarState atStart = SidecarState.UNKNOWN;
        volatile @Nullable String stopReason;

        Run(ShutdownTrigger trigger, List<ShutdownTask> plannedTasks) {
            this.trigger = trigger;
            this.plannedTasks = plannedTasks;
            this.t0 = time.nanoTime();
            this.startedAt = Instant.now();
            this.deadline = Deadline.after(time, settings.budget());
        }

        void start() {
            ProcessRelease.INSTANCE.begin(ShutdownCoordinator.this);
            Threads.daemon("sidecar-shutdown", this::execute).start();
        }

        ShutdownReport await() {
            Duration wait = deadline.remaining().plus(OVERRUN_BOUND);
            try {
                if (!time.awaitDone(future, wait)) {
                    return snapshot(false);
                }
                return future.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return snapshot(false);
            }
        }

        Duration since(long nanos) {
            return Duration.ofNanos(Math.max(0, nanos - t0));
        }

        ShutdownReport snapshot(boolean complete) {
            String mode = facts.mode().name().toLowerCase(java.util.Locale.ROOT);
            // The version already names the mesh ("istio 1.26.2"); a bare mode says the rest.
            String sc = facts.version().map(v -> v.startsWith(mode) ? v : mode + " (" + v + ")").orElse(mode);
            return new ShutdownReport(trigger, startedAt, since(time.nanoTime()), settings.budget(), complete, sc, atStart,
                    released.get(), phases, results);
        }

        void execute() {
            try {
                if (!settings.enabled()) {
                    stopReason = "disabled (" + io.github.sidecarshutdown.config.Setting.ENABLED.envName() + "=false)";
                    return;
                }
                sequence();
            } catch (InterruptedException e) {
                stopReason = "interrupted";
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                stopReason = "internal error: " + t;
                logger.error("sidecar-shutdown sequence failed; remaining work is reported as skipped", t);
            } finally {
                finish();
            }
        }

        private void sequence() throws InterruptedException {
            // Not-ready first: asking the sidecar below may take admin timeouts, and the app must
            // stop being chosen for new requests at once (the phase is recorded in its place).
            readiness.markShuttingDown();
            facts = sidecar.facts(deadline.cap(settings.adminTimeout()));
            SidecarGuard guard = new SidecarGuard(sidecar, facts, time, settings.adminTimeout(), settings.minimumTaskWindow(),
                    t0, deadline, this::stateChanged);
            atStart = guard.observe();
            ShutdownPlan plan = ShutdownPlan.compute(settings, plannedTasks, facts);
            notifyListeners(l -> l.onShutdownStarted(plan));
            logger.info("sidecar-shutdown started ({}): sidecar {} {}, budget {}", trigger.tagValue(), facts.mode(), atStart,
                    Durations.format(settings.budget()));

            boolean releases = settings.releaseSidecar() && ShutdownPlan.releasable(facts.mode());
            // Keep the sidecar release's call inside the budget: work stops that much earlier.
            Deadline work = Deadline.after(time, Durations.nonNegative(deadline.remaining()
                    .minus(releases ? settings.adminTimeout() : Duration.ZERO)));
            TaskRunner runner = new TaskRunner(time, settings.taskTimeout(), t0);

            phase(ShutdownPhase.READINESS_OFF, work, () -> {
                readiness.markShuttingDown();
                return done(null);
            });

            // Early outbound tasks run alongside the propagation delay.
            long earlyStart = time.nanoTime();
            FutureTask<List<TaskResult>> early = new FutureTask<>(() -> runTasks(ShutdownPhase.EARLY_OUTBOUND, runner, work, guard));
            boolean hasEarly = plannedTasks.stream().anyMatch(t -> t.phase() == ShutdownPhase.EARLY_OUTBOUND);
            if (hasEarly) {
                notifyListeners(l -> l.onPhaseStarted(ShutdownPhase.EARLY_OUTBOUND));
                Threads.daemon("sidecar-shutdown-early", early).start();
            }
            phase(ShutdownPhase.PROPAGATION_DELAY, work, () -> propagationDelay(work));
            if (hasEarly) {
                boolean finished = time.awaitDone(early, work.remaining().plus(OVERRUN_BOUND));
                PhaseResult r = finished ? ofTasks(earlyResults(early), "ran during the propagation delay")
                        : new PhaseResult(ShutdownPhase.EARLY_OUTBOUND, TaskOutcome.TIMED_OUT, Duration.ZERO, Duration.ZERO,
                                "still running at the deadline");
                record(new PhaseResult(ShutdownPhase.EARLY_OUTBOUND, r.outcome(), since(earlyStart),
                        Duration.ofNanos(time.nanoTime() - earlyStart), r.detail()));
            } else {
                record(new PhaseResult(ShutdownPhase.EARLY_OUTBOUND, TaskOutcome.SUCCEEDED, since(earlyStart), Duration.ZERO, "no tasks"));
            }

            phase(ShutdownPhase.INBOUND_DRAIN, work, () -> inboundDrain(runner, work, guard));
            Deadline cleanup = settings.cleanupBudget().map(work::earliest).orElse(work);
            phase(ShutdownPhase.CLEANUP, cleanup, () -> ofTasks(runTasks(ShutdownPhase.CLEANUP, runner, cleanup, guard), null));
            phase(ShutdownPhase.RELEASE, work, () -> ofTasks(runTasks(ShutdownPhase.RELEASE, runner, work, null), null));
            // This coordinator's outbound work is over: another one in this JVM may release now.
            ProcessRelease.INSTANCE.end(ShutdownCoordinator.this);
            phase(ShutdownPhase.SIDECAR_RELEASE, deadline, () -> sidecarRelease(guard));
        }

        private PhaseResult propagationDelay(Deadline work) throws InterruptedException {
            Duration delay = work.cap(settings.propagationDelay());
            if (atStart == SidecarState.GONE && facts.mode() != SidecarMode.NONE) {
                // Every inbound request reaches the app through Envoy: with Envoy gone none can arrive.
                return done("skipped: the sidecar is gone, so no inbound request can reach the app");
            }
            if (delay.isZero()) {
                return done(settings.propagationDelay().isZero() ? "none configured" : "no time left");
            }
            Deadline end = work.earliest(delay);
            Duration quiet = settings.quietPeriod();
            if (quiet.isZero()) {
                time.sleep(end.remaining());
                return done(null);
            }
            Duration poll = Durations.max(Duration.ofMillis(10), quiet.dividedBy(4));
            long arrivals = inFlight.arrivals();
            long lastChange = time.nanoTime();
            while (!end.isExpired()) {
                time.sleep(end.cap(poll));
                long now = time.nanoTime();
                long a = inFlight.arrivals();
                if (a != arrivals) {
                    arrivals = a;
                    lastChange = now;
                } else if (now - lastChange >= quiet.toNanos() && inFlight.active() == 0) {
                    return done("ended early: no request for " + Durations.format(quiet));
                }
            }
            return done(null);
        }

        private PhaseResult inboundDrain(TaskRunner runner, Deadline work, SidecarGuard guard) throws InterruptedException {
            List<String> details = new ArrayList<>();
            Optional<String> call = sidecar.drainCall();
            if (call.isPresent()) {
                // Only a sidecar known to be terminating is drained: one that stays (the app got
                // SIGTERM alone) would keep drain-closing its inbound connections, and without
                // skip_exit stop its listeners, while the Pod stays Ready (docs/sidecar-states.md).
                SidecarState s = guard.observe(work.cap(settings.adminTimeout()));
                if (s != SidecarState.TERMINATING) {
                    details.add("no drain: sidecar " + lower(s) + ", not known to be terminating");
                } else {
                    Duration t = work.cap(settings.adminTimeout());
                    try {
                        sidecar.drainInbound(t);
                        details.add(call.get() + " sent");
                    } catch (RuntimeException e) {
                        details.add(call.get() + " failed: " + LogSafe.of(String.valueOf(e.getMessage())));
                    }
                }
            }
            List<TaskResult> ran = runTasks(ShutdownPhase.INBOUND_DRAIN, runner, work, guard);
            Deadline drain = work.earliest(settings.drainTimeout());
            if (!inFlight.awaitIdle(time, drain)) {
                details.add(inFlight.active() + " request(s) still in flight after " + Durations.format(settings.drainTimeout()));
                return new PhaseResult(ShutdownPhase.INBOUND_DRAIN, TaskOutcome.TIMED_OUT, Duration.ZERO, Duration.ZERO,
                        String.join("; ", details));
            }
            return ofTasks(ran, details.isEmpty() ? null : String.join("; ", details));
        }

        private PhaseResult sidecarRelease(SidecarGuard guard) throws InterruptedException {
            if (!settings.releaseSidecar()) {
                return skipped("release-sidecar=false");
            }
            Optional<String> call = sidecar.releaseCall();
            if (call.isEmpty()) {
                return skipped(noReleaseReason());
            }
            SidecarState s = guard.observe();
            if (s != SidecarState.TERMINATING) {
                // Release needs positive evidence that the sidecar itself got SIGTERM; a live or
                // unknown sidecar is left running (the Pod may not be going away).
                return skipped(s == SidecarState.LIVE
                        ? "sidecar live (still ready): the Pod is not being deleted, so the sidecar is left running"
                        : s == SidecarState.GONE ? "sidecar gone: it already exited"
                        : s == SidecarState.ABSENT ? "sidecar absent: nothing answers"
                        : "sidecar " + lower(s) + ": not known to be terminating, so it is left alone");
            }
            ProcessRelease latch = ProcessRelease.INSTANCE;
            Deadline wait = Deadline.after(time, Durations.nonNegative(deadline.remaining().minus(settings.adminTimeout())));
            List<ShutdownCoordinator> busy = latch.awaitOthers(ShutdownCoordinator.this, trigger == ShutdownTrigger.JVM_HOOK,
                    wait, time);
            if (!busy.isEmpty()) {
                return skipped(busy.size() + " other coordinator(s) in this JVM still have outbound work; the last one "
                        + "to finish releases the sidecar");
            }
            if (!latch.claim(ShutdownCoordinator.this)) {
                return skipped("already released by another coordinator in this JVM");
            }
            return release(call.get());
        }

        private String noReleaseReason() {
            switch (facts.mode()) {
                case NATIVE:
                    return "native sidecar: the kubelet stops it after the app exits (quitquitquit would restart it)";
                case NONE:
                    return "no sidecar";
                case ENVOY:
                    return "plain Envoy without pilot-agent: left to its own shutdown";
                default:
                    return "no sidecar proven (" + LogSafe.of(sidecar.describe()) + "): nothing is released";
            }
        }

        private PhaseResult release(String call) {
            released.set(true);
            try {
                Duration t = deadline.cap(settings.adminTimeout());
                sidecar.release(t);
                return done(call + ": the sidecar exits now");
            } catch (io.github.sidecarshutdown.sidecar.ReleaseSkippedException e) {
                return skipped(LogSafe.of(String.valueOf(e.getMessage())));
            } catch (RuntimeException e) {
                return new PhaseResult(ShutdownPhase.SIDECAR_RELEASE, TaskOutcome.FAILED, Duration.ZERO, Duration.ZERO,
                        call + " failed: " + LogSafe.of(String.valueOf(e.getMessage())));
            }
        }

        private List<TaskResult> runTasks(ShutdownPhase phase, TaskRunner runner, Deadline phaseDeadline,
                @Nullable SidecarGuard guard) throws InterruptedException {
            List<TaskResult> ran = new ArrayList<>();
            for (ShutdownTask task : plannedTasks) {
                if (task.phase() != phase) {
                    continue;
                }
                TaskResult r = runner.run(task, phaseDeadline, guard);
                results.add(r);
                ran.add(r);
                log(r);
                notifyListeners(l -> l.onTaskCompleted(r));
            }
            return ran;
        }

        private void log(TaskResult r) {
            if (r.outcome() == TaskOutcome.SUCCEEDED) {
                logger.debug("Task {}", r.summary());
            } else if (r.failure() != null) {
                // One line per failed task; its stack trace only for those who ask for it.
                logger.warn("Task {}", r.summary());
                logger.debug("Task {} failed with", r.name(), r.failure());
            } else {
                logger.warn("Task {}", r.summary());
            }
        }

        private void phase(ShutdownPhase phase, Deadline phaseDeadline, PhaseBody body) throws InterruptedException {
            CompletableFuture<Void> gate = signals.get(phase);
            if (gate != null && !time.awaitDone(gate, phaseDeadline.remaining())) {
                logger.warn("No signal to start phase {} before the deadline; going on", phase.tagValue());
            }
            long start = time.nanoTime();
            // Readiness off is local and instant, and the release must be tried: neither is skipped.
            if (phaseDeadline.isExpired() && phase != ShutdownPhase.SIDECAR_RELEASE && phase != ShutdownPhase.READINESS_OFF) {
                record(new PhaseResult(phase, TaskOutcome.SKIPPED, since(start), Duration.ZERO, "deadline reached"));
                return;
            }
            notifyListeners(l -> l.onPhaseStarted(phase));
            PhaseResult r = body.run();
            record(new PhaseResult(phase, r.outcome(), since(start), Duration.ofNanos(time.nanoTime() - start), r.detail()));
        }

        private void record(PhaseResult r) {
            phases.add(r);
            notifyListeners(l -> l.onPhaseCompleted(r));
        }

        private void stateChanged(SidecarState s) {
            notifyListeners(l -> l.onSidecarState(s));
        }

        private void finish() {
            ProcessRelease.INSTANCE.forget(ShutdownCoordinator.this);
            // Exactly one outcome per task: whatever did not get one is reported skipped, with why.
            Set<String> reported = new HashSet<>();
            results.forEach(r -> reported.add(r.name()));
            String why = stopReason != null ? stopReason : "deadline reached";
            for (ShutdownTask t : plannedTasks) {
                if (reported.add(t.name())) {
                    results.add(new TaskResult(t.name(), t.phase(), TaskOutcome.SKIPPED, since(time.nanoTime()), Duration.ZERO, 0,
                            why, null));
                }
            }
            Set<ShutdownPhase> seen = new HashSet<>();
            phases.forEach(p -> seen.add(p.phase()));
            for (ShutdownPhase p : ShutdownPhase.values()) {
                if (p != ShutdownPhase.REPORT && !seen.contains(p)) {
                    record(new PhaseResult(p, TaskOutcome.SKIPPED, since(time.nanoTime()), Duration.ZERO, why));
                }
            }
            record(new PhaseResult(ShutdownPhase.REPORT, TaskOutcome.SUCCEEDED, since(time.nanoTime()), Duration.ZERO, null));
            ShutdownReport report = snapshot(true);
            try {
                if (report.outcome().equals("clean")) {
                    logger.info("{}", report.summaryLine());
                } else {
                    logger.warn("{}", report.summaryLine());
                }
                notifyListeners(l -> l.onShutdownCompleted(report));
            } finally {
                future.complete(report);
            }
        }

        private void notifyListeners(java.util.function.Consumer<ShutdownListener> event) {
            for (ShutdownListener l : listeners) {
                try {
                    event.accept(l);
                } catch (RuntimeException e) {
                    logger.warn("Shutdown listener {} failed", l, e);
                }
            }
        }
    }

    private static List<TaskResult> earlyResults(FutureTask<List<TaskResult>> early) {
        try {
            return early.get(0, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            return List.of();
        }
    }

    /**
     * A phase's outcome from its tasks: failed if any failed, else timed out if any timed out, else
     * skipped if every task was skipped, else succeeded. A phase without tasks succeeded.
     */
    static PhaseResult ofTasks(List<TaskResult> tasks, @Nullable String detail) {
        TaskOutcome o = TaskOutcome.SUCCEEDED;
        if (tasks.stream().anyMatch(t -> t.outcome() == TaskOutcome.FAILED)) {
            o = TaskOutcome.FAILED;
        } else if (tasks.stream().anyMatch(t -> t.outcome() == TaskOutcome.TIMED_OUT)) {
            o = TaskOutcome.TIMED_OUT;
        } else if (!tasks.isEmpty() && tasks.stream().allMatch(t -> t.outcome() == TaskOutcome.SKIPPED)) {
            o = TaskOutcome.SKIPPED;
        }
        long bad = tasks.stream().filter(t -> t.outcome() != TaskOutcome.SUCCEEDED).count();
        String d = bad == 0 ? detail : bad + " of " + tasks.size() + " task(s) " + o.tagValue() + (detail == null ? "" : "; " + detail);
        return new PhaseResult(ShutdownPhase.REPORT, o, Duration.ZERO, Duration.ZERO, d);
    }

    private static String lower(SidecarState s) {
        return s.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static PhaseResult done(@Nullable String detail) {
        return new PhaseResult(ShutdownPhase.REPORT, TaskOutcome.SUCCEEDED, Duration.ZERO, Duration.ZERO, detail);
    }

    private static PhaseResult skipped(String detail) {
        return new PhaseResult(ShutdownPhase.REPORT, TaskOutcome.SKIPPED, Duration.ZERO, Duration.ZERO, detail);
    }

    @FunctionalInterface
    private interface PhaseBody {
        PhaseResult run() throws InterruptedException;
    }
}
