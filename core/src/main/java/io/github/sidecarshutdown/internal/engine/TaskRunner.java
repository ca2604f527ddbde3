package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.TaskContext;
import io.github.sidecarshutdown.TaskOutcome;
import io.github.sidecarshutdown.TaskResult;
import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.Threads;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.jspecify.annotations.Nullable;

/**
 * Runs one task on a fresh daemon thread under its budget: a hung task is interrupted and abandoned
 * at its deadline, a throwing one is recorded with its cause, and a connection failure is retried
 * while time and retries are left. Always returns exactly one {@link TaskResult}.
 */
final class TaskRunner {

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

    private final TimeSource time;
    private final Duration defaultTimeout;
    private final long shutdownStart;

    private final Engine owner;

    /** @param owner whose logger the retries are logged to (silent in the rehearsal), looked up at each line */
    TaskRunner(TimeSource time, Duration defaultTimeout, long shutdownStart, Engine owner) {
        this.owner = owner;
        this.time = time;
        this.defaultTimeout = defaultTimeout;
        this.shutdownStart = shutdownStart;
    }

    TaskResult run(ShutdownTask task, Deadline phaseDeadline, @Nullable SidecarGuard guard) throws InterruptedException {
        long start = time.nanoTime();
        if (phaseDeadline.isExpired()) {
            return result(task, TaskOutcome.SKIPPED, start, 0, "no time left before the shutdown deadline", null);
        }
        Deadline taskDeadline = phaseDeadline.earliest(task.timeout().orElse(defaultTimeout));
        int attempts = 0;
        @Nullable String note = null;
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            Duration timeout = taskDeadline.remaining();
            SidecarState state = SidecarState.UNKNOWN;
            if (task.needsSidecar() && guard != null) {
                SidecarGuard.Decision d = guard.check(task.name(), timeout);
                state = guard.last();
                if (!d.proceeds()) {
                    return result(task, d.refusal, start, attempts, d.reason, null);
                }
                if (d.reason != null) {
                    note = d.reason;
                    owner.log().info("Task '{}': {}", task.name(), d.reason);
                }
                // The check itself took time: the task still ends by its own deadline.
                timeout = taskDeadline.cap(d.timeout);
                if (timeout.isZero()) {
                    return result(task, TaskOutcome.SKIPPED, start, attempts, "no time left after the sidecar check"
                            + (note != null ? "; " + note : ""), null);
                }
            }
            attempts++;
            Attempt attempt = new Attempt(task, timeout, attempts, state);
            FutureTask<Void> future = new FutureTask<>(() -> {
                task.action().run(attempt);
                return null;
            });
            Thread worker = Threads.daemon("sidecar-shutdown-task-" + task.name(), future);
            attempt.start(time.nanoTime());
            worker.start();
            boolean done;
            try {
                done = time.awaitDone(future, timeout);
            } catch (InterruptedException e) {
                future.cancel(true);
                throw e;
            }
            if (!done) {
                boolean inExit = Threads.isBlockedInExit(worker);
                future.cancel(true);
                return result(task, TaskOutcome.TIMED_OUT, start, attempts, "did not finish within " + Durations.format(timeout)
                        + (inExit ? "; it called System.exit, which blocks forever inside a shutdown hook" : "")
                        + (note != null ? "; " + note : ""), null);
            }
            Throwable failure = failureOf(future);
            if (failure == null) {
                return result(task, TaskOutcome.SUCCEEDED, start, attempts, note, null);
            }
            Duration left = taskDeadline.remaining();
            if (attempts <= task.retries() && isConnectionFailure(failure) && left.compareTo(backoff) > 0) {
                owner.log().info("Task '{}' attempt {} failed ({}); retrying in {}", task.name(), attempts, reasonOf(failure),
                        Durations.format(backoff));
                time.sleep(backoff);
                backoff = backoff.multipliedBy(2);
                continue;
            }
            return result(task, TaskOutcome.FAILED, start, attempts, reasonOf(failure), failure);
        }
    }

    private static @Nullable Throwable failureOf(FutureTask<Void> future) throws InterruptedException {
        try {
            future.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause() != null ? e.getCause() : e;
        } catch (CancellationException e) {
            return e;
        }
    }

    /**
     * A failure in one line: the exception, and when it has no message its innermost cause, which
     * often says what the outer one does not (the JDK's HttpClient throws a bare ConnectException
     * over an UnresolvedAddressException for a host that does not resolve).
     */
    static String reasonOf(Throwable failure) {
        if (failure.getMessage() != null) {
            return failure.toString();
        }
        Throwable root = failure;
        for (int depth = 0; depth < 16 && root.getCause() != null && root.getCause() != root; depth++) {
            root = root.getCause();
        }
        return root == failure || root.getClass() == failure.getClass() && root.getMessage() == null
                ? failure.toString()
                : failure + " (root cause: " + root + ")";
    }

    private static boolean isConnectionFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    private TaskResult result(ShutdownTask task, TaskOutcome outcome, long start, int attempts, @Nullable String reason,
            @Nullable Throwable failure) {
        long now = time.nanoTime();
        return new TaskResult(task.name(), task.phase(), outcome, Duration.ofNanos(Math.max(0, start - shutdownStart)),
                outcome == TaskOutcome.SKIPPED && attempts == 0 ? Duration.ZERO : Duration.ofNanos(Math.max(0, now - start)),
                attempts, reason, failure);
    }

    private final class Attempt implements TaskContext {
        private final ShutdownTask task;
        private final Duration timeout;
        private final int attempt;
        private final SidecarState state;
        private volatile long startedAt;

        Attempt(ShutdownTask task, Duration timeout, int attempt, SidecarState state) {
            this.task = task;
            this.timeout = timeout;
            this.attempt = attempt;
            this.state = state;
        }

        void start(long nanos) {
            startedAt = nanos;
        }

        @Override
        public String taskName() {
            return task.name();
        }

        @Override
        public ShutdownPhase phase() {
            return task.phase();
        }

        @Override
        public Duration remaining() {
            return Durations.nonNegative(timeout.minusNanos(time.nanoTime() - startedAt));
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public SidecarState sidecarState() {
            return state;
        }
    }
}
