package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.TaskOutcome;
import io.github.sidecarshutdown.TaskResult;
import io.github.sidecarshutdown.internal.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Runs the planned tasks of one phase in registration order, each recorded and logged as it ends;
 * and says, for the plan, what each phase's tasks need at most.
 */
final class TaskPhase {

    private final List<ShutdownTask> planned;
    private final TaskRunner runner;
    private final @Nullable ReportRecorder report;
    private final Engine owner;

    /**
     * @param report where results go; null for a plan, which runs nothing
     * @param owner  whose logger each result is logged to (silent in the rehearsal), looked up at each line
     */
    TaskPhase(List<ShutdownTask> planned, TaskRunner runner, @Nullable ReportRecorder report, Engine owner) {
        this.planned = planned;
        this.runner = runner;
        this.report = report;
        this.owner = owner;
    }

    boolean has(ShutdownPhase phase) {
        for (ShutdownTask t : planned) {
            if (t.phase() == phase) {
                return true;
            }
        }
        return false;
    }

    /** The longest the phase's tasks may take, one after another, with {@code task-timeout} for those that set none. */
    Duration budget(ShutdownPhase phase, ShutdownSettings s) {
        Duration total = Duration.ZERO;
        for (ShutdownTask t : planned) {
            if (t.phase() == phase) {
                total = total.plus(t.timeout().orElse(s.taskTimeout()));
            }
        }
        return total;
    }

    /** Whether a task of the phase calls out through the sidecar. */
    boolean needsSidecar(ShutdownPhase phase) {
        for (ShutdownTask t : planned) {
            if (t.phase() == phase && t.needsSidecar()) {
                return true;
            }
        }
        return false;
    }

    /** The phase's task names, or {@code -}. */
    String names(ShutdownPhase phase) {
        List<String> n = new ArrayList<>();
        for (ShutdownTask t : planned) {
            if (t.phase() == phase) {
                n.add(t.name());
            }
        }
        return n.isEmpty() ? "-" : String.join(", ", n);
    }

    /** @param guard the sidecar check for network tasks; null where no task needs the sidecar */
    List<TaskResult> run(ShutdownPhase phase, Deadline phaseDeadline, @Nullable SidecarGuard guard) throws InterruptedException {
        List<TaskResult> ran = new ArrayList<>();
        for (ShutdownTask task : planned) {
            if (task.phase() != phase) {
                continue;
            }
            TaskResult r = runner.run(task, phaseDeadline, guard);
            ran.add(r);
            log(r);
            if (report != null) {
                report.task(r);
            }
        }
        return ran;
    }

    private void log(TaskResult r) {
        if (r.outcome() == TaskOutcome.SUCCEEDED) {
            owner.log().debug("Task {}", r.summary());
        } else if (r.failure() != null) {
            // One line per failed task; its stack trace only for those who ask for it.
            owner.log().warn("Task {}", r.summary());
            owner.log().debug("Task {} failed with", r.name(), r.failure());
        } else {
            owner.log().warn("Task {}", r.summary());
        }
    }
}
