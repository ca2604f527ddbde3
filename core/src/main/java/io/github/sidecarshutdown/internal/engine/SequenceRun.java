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
    /** The coordinator's logger; silent in the install-time rehearsal, whose sequence is not the app's. */
    private final Logger log;

    SequenceRun(Engine owner, ShutdownTrigger trigger, ShutdownPhase target, List<ShutdownTask> planned) {
        this.owner = owner;
        this.settings = owner.settings();
        this.sidecar = owner.sidecar();
        this.planned = List.copyOf(planned);
        this.time = owner.time();
        this.target = target;
        this.log = owner.log();
        this.listeners = new Listeners(owner.listeners());
        this.report = new ReportRecorder(trigger, settings.budget(), settings.workload(), time, this.listeners);
        this.deadline = Deadline.after(time, settings.budget());
        for (int i = 0; i < ShutdownPhase.values().length; i++) {
            phaseDone.add(new CompletableFuture<>());
        }
        future.whenComplete((r, t) -> phaseDone.forEach(f -> f.complete(null)));
    }

    void start() {
        owner.processes().begin(owner, planned.isEmpty() ? "(none)"
                : planned.stream().map(ShutdownTask::name).collect(java.util.stream.Collectors.joining(", ")));
        Threads.daemon("sidecar-shutdown", this::execute).start();
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
            log.error("sidecar-shutdown sequence failed; remaining work is reported as skipped", t);
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
                t0, deadline, s -> listeners.tell(l -> l.onSidecarState(s)));
        SidecarState atStart = guard.observe();
        report.sidecar(facts, atStart);
        Planner.Phases phases = owner.phases(planned, t0, report, log);
        ShutdownPlan plan = Planner.plan(settings, phases, facts, List.of());
        listeners.tell(l -> l.onShutdownStarted(plan));
        log.info("sidecar-shutdown started ({}): workload {}, sidecar {}, {} at start, budget {}", report.trigger().tagValue(),
                settings.workload().name().toLowerCase(Locale.ROOT), facts.label(),
                atStart.name().toLowerCase(Locale.ROOT), Durations.format(settings.budget()));

        // Keep the sidecar release's call inside the budget: work stops that much earlier.
        Deadline work = Deadline.after(time, Durations.nonNegative(deadline.remaining()
                .minus(phases.release().mayCall(facts) ? settings.adminTimeout() : Duration.ZERO)));
        TaskPhase tasks = phases.tasks();

        phase(ShutdownPhase.READINESS_OFF, work, () -> {
            owner.readiness().markShuttingDown();
            return PhaseOutcome.succeeded(null);
        });

        // Early outbound tasks run alongside the propagation delay.
        long earlyStart = time.nanoTime();
        FutureTask<List<TaskResult>> early = new FutureTask<>(() -> tasks.run(ShutdownPhase.EARLY_OUTBOUND, work, guard));
        boolean hasEarly = tasks.has(ShutdownPhase.EARLY_OUTBOUND);
        if (hasEarly) {
            listeners.tell(l -> l.onPhaseStarted(ShutdownPhase.EARLY_OUTBOUND));
            Threads.daemon("sidecar-shutdown-early", early).start();
        }
        phase(ShutdownPhase.PROPAGATION_DELAY, work, () -> phases.delay().run(work, facts.mode(), atStart));
        PhaseOutcome earlyOutcome = PhaseOutcome.succeeded("no tasks");
        if (hasEarly) {
            boolean finished = time.awaitDone(early, work.remaining().plus(OVERRUN_BOUND));
            earlyOutcome = finished ? PhaseOutcome.ofTasks(resultsOf(early), "ran during the propagation delay")
                    : PhaseOutcome.timedOut("still running at the deadline");
        }
        record(ShutdownPhase.EARLY_OUTBOUND, earlyStart, earlyOutcome);

        phase(ShutdownPhase.INBOUND_DRAIN, work, () -> phases.drain().run(work, guard, tasks));
        Deadline cleanup = settings.cleanupBudget().map(work::earliest).orElse(work);
        phase(ShutdownPhase.CLEANUP, cleanup, () -> PhaseOutcome.ofTasks(tasks.run(ShutdownPhase.CLEANUP, cleanup, guard), null));
        phase(ShutdownPhase.RELEASE, work, () -> PhaseOutcome.ofTasks(tasks.run(ShutdownPhase.RELEASE, work, null), null));
        // This coordinator's outbound work is over: another one in this JVM may release now.
        owner.processes().end(owner);
        phase(ShutdownPhase.SIDECAR_RELEASE, deadline,
                () -> phases.release().run(guard, deadline, report.trigger() == ShutdownTrigger.JVM_HOOK, report));
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
                log.warn("No step to start phase {} before the deadline; going on", phase.tagValue());
                return;
            }
            time.awaitDone(raised, phaseDeadline.remaining());
        }
    }

    private void phase(ShutdownPhase phase, Deadline phaseDeadline, PhaseBody body) throws InterruptedException {
        awaitStep(phase, phaseDeadline);
        long start = time.nanoTime();
        // Readiness off is local and instant, and the release must be tried: neither is skipped.
        if (phaseDeadline.isExpired() && phase != ShutdownPhase.SIDECAR_RELEASE && phase != ShutdownPhase.READINESS_OFF) {
            record(phase, start, PhaseOutcome.skipped("deadline reached"));
            return;
        }
        listeners.tell(l -> l.onPhaseStarted(phase));
        record(phase, start, body.run());
    }

    private void record(ShutdownPhase phase, long start, PhaseOutcome outcome) {
        report.phase(outcome.toResult(phase, report.since(start), Duration.ofNanos(time.nanoTime() - start)));
        phaseDone.get(phase.ordinal()).complete(null);
    }

    private void finish() {
        owner.processes().forget(owner);
        owner.terminated();
        // Exactly one outcome per task: whatever did not get one is reported skipped, with why.
        String why = stopReason != null ? stopReason : "deadline reached";
        ShutdownReport done = report.complete(planned, why);
        try {
            if (done.outcome() == ReportOutcome.CLEAN || done.outcome() == ReportOutcome.DISABLED) {
                log.info("{}", done.summaryLine());
            } else {
                log.warn("{}", done.summaryLine());
            }
            listeners.tell(l -> l.onShutdownCompleted(done));
        } finally {
            future.complete(done);
        }
    }

    @FunctionalInterface
    private interface PhaseBody {
        PhaseOutcome run() throws InterruptedException;
    }
}
