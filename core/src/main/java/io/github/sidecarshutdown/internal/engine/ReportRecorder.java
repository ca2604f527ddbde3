package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.PhaseResult;
import io.github.sidecarshutdown.ReleaseWait;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.ShutdownTrigger;
import io.github.sidecarshutdown.TaskOutcome;
import io.github.sidecarshutdown.TaskResult;
import io.github.sidecarshutdown.Workload;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects one sequence's phase and task results as they end, tells the listeners, and makes the
 * report: a snapshot at any time, and at the end the final one in which every planned task and
 * every phase has exactly one outcome (what never ran is recorded skipped, with why).
 */
final class ReportRecorder {

    private final ShutdownTrigger trigger;
    private final Duration budget;
    private final Workload workload;
    private final TimeSource time;
    private final long t0;
    private final Instant startedAt;
    private final Listeners listeners;
    private final List<PhaseResult> phases = new CopyOnWriteArrayList<>();
    private final List<TaskResult> tasks = new CopyOnWriteArrayList<>();
    private volatile SidecarFacts facts = SidecarFacts.none("not yet discovered");
    private volatile SidecarState atStart = SidecarState.UNKNOWN;
    private volatile boolean released;
    private volatile boolean disabled;
    private volatile List<ReleaseWait> releaseWaits = List.of();

    ReportRecorder(ShutdownTrigger trigger, Duration budget, Workload workload, TimeSource time, Listeners listeners) {
        this.trigger = trigger;
        this.workload = workload;
        this.budget = budget;
        this.time = time;
        this.listeners = listeners;
        this.t0 = time.nanoTime();
        this.startedAt = Instant.now();
    }

    long t0() {
        return t0;
    }

    ShutdownTrigger trigger() {
        return trigger;
    }

    /** Time since the sequence started, never negative. */
    Duration since(long nanos) {
        return Duration.ofNanos(Math.max(0, nanos - t0));
    }

    Duration elapsed() {
        return since(time.nanoTime());
    }

    void sidecar(SidecarFacts facts, SidecarState atStart) {
        this.facts = facts;
        this.atStart = atStart;
    }

    void released() {
        released = true;
    }

    /** The library is turned off: nothing was done, on purpose. */
    void disabled() {
        disabled = true;
    }

    /** What the sidecar release waited for (docs/whole-jvm.md). */
    void releaseWaits(List<ReleaseWait> waits) {
        releaseWaits = List.copyOf(waits);
    }

    void phase(PhaseResult r) {
        phases.add(r);
        listeners.phaseCompleted(r);
    }

    void task(TaskResult r) {
        tasks.add(r);
        listeners.taskCompleted(r);
    }

    ShutdownReport snapshot(boolean complete) {
        return new ShutdownReport(trigger, startedAt, elapsed(), budget, complete, facts.label(), atStart, released, phases, tasks,
                workload, releaseWaits, disabled);
    }

    /** Records what never ran as skipped with {@code why}, then the report phase; returns the final report. */
    ShutdownReport complete(List<ShutdownTask> planned, String why) {
        Set<String> reported = new HashSet<>();
        for (TaskResult r : tasks) {
            reported.add(r.name());
        }
        for (ShutdownTask t : planned) {
            if (reported.add(t.name())) {
                // Listeners heard of the tasks that ran; these never did.
                tasks.add(new TaskResult(t.name(), t.phase(), TaskOutcome.SKIPPED, elapsed(), Duration.ZERO, 0, why, null));
            }
        }
        Set<ShutdownPhase> seen = new HashSet<>();
        for (PhaseResult r : phases) {
            seen.add(r.phase());
        }
        for (ShutdownPhase p : ShutdownPhase.values()) {
            if (p != ShutdownPhase.REPORT && !seen.contains(p)) {
                phase(new PhaseResult(p, TaskOutcome.SKIPPED, elapsed(), Duration.ZERO, why));
            }
        }
        phase(new PhaseResult(ShutdownPhase.REPORT, TaskOutcome.SUCCEEDED, elapsed(), Duration.ZERO, null));
        return snapshot(true);
    }
}
