package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.ShutdownTrigger;
import io.github.sidecarshutdown.TaskResult;
import io.github.sidecarshutdown.ReportOutcome;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.Threads;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * One execution of the shutdown sequence, on its own daemon thread, under one deadline: for each
 * phase in order, wait until the phase may start (its step), check the deadline, run the phase's
 * object, record its result. The phase objects are those the plan is computed from
 * ({@link Planner.Phases}); the report is kept by {@link ReportRecorder}.
 *
 * <p>Steps: the sequence runs phases up to its <em>target</em>, then waits before the next one
 * until a caller raises the target ({@link #runThrough}) or that phase's deadline passes. The JVM
 * hook and {@link ShutdownCoordinator#shutdown()} set the target to the end; a framework raises it
 * from its own lifecycle callbacks, a slice at a time.
 */
public final class SequenceRun {

    /** What {@link #begin} returns for a phase skipped at its deadline (a clock reading may be any other long). */
    private static final long SKIPPED = Long.MIN_VALUE;

    /** How long past its deadline a caller waits for a sequence before taking a snapshot. */
    public static final Duration OVERRUN_BOUND = Duration.ofSeconds(1);

    private final Engine owner;
    private final ShutdownSettings settings;
    private final Sidecar sidecar;
    private final List<ShutdownTask> planned;
    private final TimeSource time;
    private final Listeners listeners;
    private final ReportRecorder report;
    private final Deadline deadline;
    private final CompletableFuture<ShutdownReport> future = new CompletableFuture<>();
    /** Completed when the phase of that ordinal is recorded (or the sequence ended). */
    private final List<CompletableFuture<Void>> phaseDone = new ArrayList<>();
    private final Object stepLock = new Object();
    private ShutdownPhase target; // guarded by stepLock
    private CompletableFuture<Void> targetRaised = new CompletableFuture<>(); // guarded by stepLock
    private volatile @Nullable String stopReason;

    SequenceRun(Engine owner, ShutdownTrigger trigger, ShutdownPhase target, List<ShutdownTask> planned) {
        this.owner = owner;
        this.settings = owner.settings();
        this.sidecar = owner.sidecar();
        this.planned = List.copyOf(planned);
        this.time = owner.time();
        this.target = target;
        this.listeners = new Listeners(owner.listeners());
        this.report = new ReportRecorder(trigger, settings.budget(), settings.workload(), time, this.listeners);
        this.deadline = Deadline.after(time, settings.budget());
        for (int i = 0; i < ShutdownPhase.values().length; i++) {
            phaseDone.add(new CompletableFuture<>());
        }
    }

    void start() {
        StringBuilder names = new StringBuilder();
        for (ShutdownTask t : planned) {
            names.append(names.length() == 0 ? "" : ", ").append(t.name());
        }
        owner.processes().begin(owner, planned.isEmpty() ? "(none)" : names.toString());
        // Classes, not lambdas, on the sequence's path: see the phases below.
        Threads.daemon("sidecar-shutdown", new Runnable() {
            @Override
            public void run() {
                execute();
            }
        }).start();
    }

    /** What started it. */
    public ShutdownTrigger trigger() {
        return report.trigger();
    }

    /** Time since it started. */
    public Duration elapsed() {
        return report.elapsed();
    }

    /** Whether it ended. */
    public boolean isDone() {
        return future.isDone();
    }

    /** The final report once it ended. */
    public Optional<ShutdownReport> finalReport() {
        return Optional.ofNullable(future.getNow(null));
    }

    /** A snapshot of the report while it runs. */
    public ShutdownReport snapshot() {
        return report.snapshot(false);
    }

    /** Completes with the final report. */
    public CompletableFuture<ShutdownReport> result() {
        return future.copy();
    }

    /**
     * Lets the sequence run through {@code phase}; the future completes once that phase is recorded
     * or the sequence ended, at the latest at the deadline plus {@link #OVERRUN_BOUND}.
     */
    public CompletableFuture<Void> runThrough(ShutdownPhase phase) {
        synchronized (stepLock) {
            if (phase.compareTo(target) > 0) {
                target = phase;
                targetRaised.complete(null);
                targetRaised = new CompletableFuture<>();
            }
        }
        long bound = Durations.toNanosSaturated(deadline.remaining().plus(OVERRUN_BOUND));
        return phaseDone.get(phase.ordinal()).copy().completeOnTimeout(null, bound, TimeUnit.NANOSECONDS);
    }

    /** Waits, bounded by the deadline plus {@link #OVERRUN_BOUND}, for the final report. */
    public ShutdownReport await() {
        Duration wait = deadline.remaining().plus(OVERRUN_BOUND);
        try {
            if (!time.awaitDone(future, wait)) {
                return report.snapshot(false);
            }
            return future.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return report.snapshot(false);
        }
    }

    private void execute() {
        try {
            if (!settings.enabled()) {
                stopReason = "disabled (" + settings.nameOf(Setting.ENABLED) + "=false)";
                report.disabled();
                return;
            }
            sequence();
        } catch (InterruptedException e) {
            stopReason = "interrupted";
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            stopReason = "internal error: " + t;
            log().error("sidecar-shutdown sequence failed; remaining work is reported as skipped", t);
        } finally {
            finish();
        }
    }

    private void sequence() throws InterruptedException {
        // Not-ready first: asking the sidecar below may take admin timeouts, and the app must
        // stop being chosen for new requests at once (the phase is recorded in its place).
        owner.readiness().markShuttingDown();
        SidecarFacts facts = sidecar.facts(deadline.cap(settings.adminTimeout()));
        long t0 = report.t0();
        SidecarGuard guard = new SidecarGuard(sidecar, facts, time, settings.adminTimeout(), settings.minimumTaskWindow(),
                t0, deadline, listeners);
        SidecarState atStart = guard.observe();
        report.sidecar(facts, atStart);
        Planner.Phases phases = owner.phases(planned, t0, report);
        ShutdownPlan plan = Planner.plan(settings, phases, facts, List.of());
        listeners.shutdownStarted(plan);
        // Keep the sidecar release's call inside the budget: work stops that much earlier.
        Deadline work = Deadline.after(time, Durations.nonNegative(deadline.remaining()
                .minus(phases.release().mayCall(facts) ? settings.adminTimeout() : Duration.ZERO)));
        TaskPhase tasks = phases.tasks();

        // Each phase: wait for its step, then run it unless its deadline passed (begin), then record
        // it. Written out rather than as a lambda per phase: a JVM's first sequence runs cold, and
        // every lambda's first link would delay the phases (docs/timeline.md, "Off the startup path").
        long at = begin(ShutdownPhase.READINESS_OFF, work);
        if (at != SKIPPED) {
            owner.readiness().markShuttingDown();
            record(ShutdownPhase.READINESS_OFF, at, PhaseOutcome.succeeded(null));
        }
        // Logged once readiness is off: the first line logged may start the logging backend, which
        // must not delay the phase that takes the Pod out of new traffic.
        logHeldLines();
        log().info("sidecar-shutdown started ({}): workload {}, sidecar {}, {} at start, budget {}", report.trigger().tagValue(),
                settings.workload().name().toLowerCase(Locale.ROOT), facts.label(),
                atStart.name().toLowerCase(Locale.ROOT), Durations.format(settings.budget()));

        // Early outbound tasks run alongside the propagation delay.
        long earlyStart = time.nanoTime();
        FutureTask<List<TaskResult>> early = null;
        if (tasks.has(ShutdownPhase.EARLY_OUTBOUND)) {
            early = new FutureTask<>(() -> tasks.run(ShutdownPhase.EARLY_OUTBOUND, work, guard));
            listeners.phaseStarted(ShutdownPhase.EARLY_OUTBOUND);
            Threads.daemon("sidecar-shutdown-early", early).start();
        }
        at = begin(ShutdownPhase.PROPAGATION_DELAY, work);
        if (at != SKIPPED) {
            record(ShutdownPhase.PROPAGATION_DELAY, at, phases.delay().run(work, facts.mode(), atStart));
        }
        PhaseOutcome earlyOutcome = PhaseOutcome.succeeded("no tasks");
        if (early != null) {
            boolean finished = time.awaitDone(early, work.remaining().plus(OVERRUN_BOUND));
            earlyOutcome = finished ? PhaseOutcome.ofTasks(resultsOf(early), "ran during the propagation delay")
                    : PhaseOutcome.timedOut("still running at the deadline");
        }
        record(ShutdownPhase.EARLY_OUTBOUND, earlyStart, earlyOutcome);

        at = begin(ShutdownPhase.INBOUND_DRAIN, work);
        if (at != SKIPPED) {
            record(ShutdownPhase.INBOUND_DRAIN, at, phases.drain().run(work, guard, tasks));
        }
        Deadline cleanup = settings.cleanupBudget().isPresent() ? work.earliest(settings.cleanupBudget().get()) : work;
        at = begin(ShutdownPhase.CLEANUP, cleanup);
        if (at != SKIPPED) {
            record(ShutdownPhase.CLEANUP, at, PhaseOutcome.ofTasks(tasks.run(ShutdownPhase.CLEANUP, cleanup, guard), null));
        }
        at = begin(ShutdownPhase.RELEASE, work);
        if (at != SKIPPED) {
            record(ShutdownPhase.RELEASE, at, PhaseOutcome.ofTasks(tasks.run(ShutdownPhase.RELEASE, work, null), null));
        }
        // This coordinator's outbound work is over: another one in this JVM may release now.
        owner.processes().end(owner);
        at = begin(ShutdownPhase.SIDECAR_RELEASE, deadline);
        if (at != SKIPPED) {
            record(ShutdownPhase.SIDECAR_RELEASE, at,
                    phases.release().run(guard, deadline, report.trigger() == ShutdownTrigger.JVM_HOOK, report));
        }
    }

    private static List<TaskResult> resultsOf(FutureTask<List<TaskResult>> done) {
        try {
            return done.get(0, TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            return List.of();
        }
    }

    /** Waits for the step that lets {@code phase} start, at most until {@code phaseDeadline}. */
    private void awaitStep(ShutdownPhase phase, Deadline phaseDeadline) throws InterruptedException {
        while (true) {
            CompletableFuture<Void> raised;
            synchronized (stepLock) {
                if (phase.compareTo(target) <= 0) {
                    return;
                }
                raised = targetRaised;
            }
            if (phaseDeadline.isExpired()) {
                log().warn("No step to start phase {} before the deadline; going on", phase.tagValue());
                return;
            }
            time.awaitDone(raised, phaseDeadline.remaining());
        }
    }

    /**
     * Waits for the step that lets {@code phase} start, then tells the listeners it starts.
     *
     * @return when it started, or {@link #SKIPPED} when its deadline had passed: then it is recorded as skipped and
     *         the caller does not run it (readiness off is local and instant, and the release must be
     *         tried: neither is ever skipped)
     */
    private long begin(ShutdownPhase phase, Deadline phaseDeadline) throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) {
            // Only the rehearsal's sequence is ever interrupted (Rehearsal.run, when its wait is): it
            // stops here rather than run its remaining phases beside the real sequence.
            throw new InterruptedException("sequence interrupted before phase " + phase.tagValue());
        }
        awaitStep(phase, phaseDeadline);
        long start = time.nanoTime();
        if (phaseDeadline.isExpired() && phase != ShutdownPhase.SIDECAR_RELEASE && phase != ShutdownPhase.READINESS_OFF) {
            record(phase, start, PhaseOutcome.skipped("deadline reached"));
            return SKIPPED;
        }
        listeners.phaseStarted(phase);
        return start;
    }

    private void record(ShutdownPhase phase, long start, PhaseOutcome outcome) {
        report.phase(outcome.toResult(phase, report.since(start), Duration.ofNanos(time.nanoTime() - start)));
        phaseDone.get(phase.ordinal()).complete(null);
    }

    /** The coordinator's logger, looked up at each line: at SIGTERM SLF4J may still be starting (internal/Loggers.java). */
    private Logger log() {
        return owner.log();
    }

    /** The lines the app's path to Ready held back (docs/timeline.md, "Off the startup path"); once. */
    private void logHeldLines() {
        if (!owner.isRehearsal()) {
            owner.startupLog().flush();
        }
    }

    private void finish() {
        logHeldLines();
        owner.processes().forget(owner);
        owner.terminated();
        // Exactly one outcome per task: whatever did not get one is reported skipped, with why.
        String why = stopReason != null ? stopReason : "deadline reached";
        ShutdownReport done = report.complete(planned, why);
        try {
            if (done.outcome() == ReportOutcome.CLEAN || done.outcome() == ReportOutcome.DISABLED) {
                log().info("{}", done.summaryLine());
            } else {
                log().warn("{}", done.summaryLine());
            }
            listeners.shutdownCompleted(done);
        } finally {
            future.complete(done);
            for (CompletableFuture<Void> f : phaseDone) {
                f.complete(null); // callers of runThrough: the sequence ended
            }
        }
    }
}
