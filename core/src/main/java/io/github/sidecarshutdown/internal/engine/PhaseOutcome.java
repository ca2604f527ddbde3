package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.PhaseResult;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.TaskOutcome;
import io.github.sidecarshutdown.TaskResult;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a phase body says about itself: its outcome and what happened. The sequence loop adds the
 * phase, its start and its duration when it records the {@link PhaseResult}.
 */
record PhaseOutcome(TaskOutcome outcome, @Nullable String detail) {

    static PhaseOutcome succeeded(@Nullable String detail) {
        return new PhaseOutcome(TaskOutcome.SUCCEEDED, detail);
    }

    static PhaseOutcome skipped(String detail) {
        return new PhaseOutcome(TaskOutcome.SKIPPED, detail);
    }

    static PhaseOutcome failed(String detail) {
        return new PhaseOutcome(TaskOutcome.FAILED, detail);
    }

    static PhaseOutcome timedOut(String detail) {
        return new PhaseOutcome(TaskOutcome.TIMED_OUT, detail);
    }

    /**
     * A phase's outcome from its tasks: failed if any failed, else timed out if any timed out, else
     * skipped if every task was skipped, else succeeded. A phase without tasks succeeded.
     */
    static PhaseOutcome ofTasks(List<TaskResult> tasks, @Nullable String detail) {
        // Counted in one loop, not with streams: the sequence may run cold (docs/timeline.md, "Off the startup path").
        int failed = 0;
        int timedOut = 0;
        int skipped = 0;
        int bad = 0;
        for (TaskResult t : tasks) {
            failed += t.outcome() == TaskOutcome.FAILED ? 1 : 0;
            timedOut += t.outcome() == TaskOutcome.TIMED_OUT ? 1 : 0;
            skipped += t.outcome() == TaskOutcome.SKIPPED ? 1 : 0;
            bad += t.outcome() != TaskOutcome.SUCCEEDED ? 1 : 0;
        }
        TaskOutcome o = failed > 0 ? TaskOutcome.FAILED
                : timedOut > 0 ? TaskOutcome.TIMED_OUT
                : !tasks.isEmpty() && skipped == tasks.size() ? TaskOutcome.SKIPPED
                : TaskOutcome.SUCCEEDED;
        String d = bad == 0 ? detail : bad + " of " + tasks.size() + " task(s) " + o.tagValue() + (detail == null ? "" : "; " + detail);
        return new PhaseOutcome(o, d);
    }

    PhaseResult toResult(ShutdownPhase phase, Duration startOffset, Duration elapsed) {
        return new PhaseResult(phase, outcome, startOffset, elapsed, detail);
    }
}
