package io.github.sidecarshutdown;

/** The work of a {@link ShutdownTask}. May throw; the coordinator records the failure and goes on. */
@FunctionalInterface
public interface ShutdownAction {

    /**
     * Does the work. Should finish within {@link TaskContext#remaining()} and stop when interrupted.
     * Must not call {@code System.exit}: inside a shutdown hook that call blocks forever (the task
     * is then abandoned at its timeout).
     */
    void run(TaskContext context) throws Exception;
}
