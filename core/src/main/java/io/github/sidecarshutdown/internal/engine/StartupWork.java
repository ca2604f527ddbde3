package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.Threads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What {@code install()} leaves for after it returns (docs/timeline.md, "Off the startup path"):
 * steps that need not delay the app's Ready, run in order on one daemon thread, which ends when they
 * end. The start of a shutdown sequence cancels it: a step not yet begun is skipped, the running one
 * is interrupted and stops at its next wait; the sequence never waits for it. Each step bounds itself
 * (an admin timeout, the readiness wait's second), so the thread ends within seconds
 * even if nothing cancels it. Not API.
 */
public final class StartupWork {

    /** Longest wait for the app's readiness before the work starts anyway (an app that never awaits the sidecar). */
    public static final Duration READY_WAIT = Duration.ofSeconds(1);

    /** The thread's name: nothing else of the library is alive between startup and SIGTERM. */
    public static final String THREAD_NAME = "sidecar-shutdown-install";

    /** One step; it returns at its bound, or soon after an interrupt. */
    @FunctionalInterface
    interface Step {
        void run(StartupWork work);
    }

    private final List<Step> steps;
    private final Thread thread;
    private volatile boolean cancelled;

    private StartupWork(List<Step> steps) {
        this.steps = List.copyOf(steps);
        this.thread = Threads.daemon(THREAD_NAME, new Runnable() { // not a lambda: see Engine.StartupSteps
            @Override
            public void run() {
                runSteps();
            }
        });
    }

    /** Starts {@code steps} on their own daemon thread. */
    static StartupWork start(List<Step> steps) {
        StartupWork w = new StartupWork(steps);
        w.thread.start();
        return w;
    }

    private void runSteps() {
        for (Step s : steps) {
            if (cancelled) {
                return;
            }
            try {
                s.run(this);
            } catch (RuntimeException | LinkageError e) {
                // A failed step only costs what it would have saved; the next one still runs.
            }
        }
    }

    /** Whether the shutdown began: steps check it between their own parts. */
    boolean isCancelled() {
        return cancelled;
    }

    /** The shutdown began: skip what has not begun, interrupt what runs. Idempotent; never waits. */
    void cancel() {
        if (!cancelled) {
            cancelled = true;
            thread.interrupt();
        }
    }

    /** Whether every step has ended (or been skipped): its thread is gone. */
    public boolean isDone() {
        return !thread.isAlive();
    }

    /**
     * Waits at most {@code timeout} for the steps to end; for tests and benchmarks.
     *
     * @return whether they ended
     */
    public boolean await(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Durations.toNanosSaturated(timeout))));
        return isDone();
    }
}
