package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Deadline;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the planned tasks of one phase in registration order, each recorded and logged as it ends. */
final class TaskPhase {

    private static final Logger logger = LoggerFactory.getLogger(ShutdownCoordinator.class);

    private final List<ShutdownTask> planned;
    private final TaskRunner runner;
    private final ReportRecorder report;

    TaskPhase(List<ShutdownTask> planned, TaskRunner runner, ReportRecorder report) {
        this.planned = planned;
        this.runner = runner;
        this.report = report;
    }

    boolean has(ShutdownPhase phase) {
        return planned.stream().anyMatch(t -> t.phase() == phase);
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
            report.task(r);
        }
        return ran;
    }

    private static void log(TaskResult r) {
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
}
