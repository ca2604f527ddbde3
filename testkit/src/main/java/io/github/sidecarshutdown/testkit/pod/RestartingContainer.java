package io.github.sidecarshutdown.testkit.pod;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * One container of the Pod across its runs: the kubelet's restart in place. Each run is a
 * {@link ContainerProcess} of the same spec; after a run ends, the {@link RestartPolicy} decides
 * whether another one starts, after the kubelet's crash-loop back-off (scaled down: {@code backoff}
 * for the first restart, doubling for each next, at most 30 times {@code backoff}, as 10 s doubling to
 * 5 min is in Kubernetes), and at most {@code restartLimit} times (a Job's {@code backoffLimit}).
 *
 * <p>{@link #awaitDone(long)} waits until no further run will start: the last run exited and the policy,
 * the limit or {@link #stopRestarts()} (the Pod is being deleted or is complete) says so. With
 * {@link RestartPolicy#NEVER} no thread is used; otherwise a daemon supervisor thread follows the runs.
 */
final class RestartingContainer {

    /** How often the supervisor re-checks {@link #stopRestarts()} while a run is alive. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The kubelet's back-off cap is 30 times its initial 10 s. */
    private static final int BACKOFF_CAP_FACTOR = 30;

    private final ContainerSpec spec;
    private final ContainerRole role;
    private final ContainerProcess.EventSink sink;
    private final List<String> markers;
    private final @Nullable Path logDirectory;
    private final RestartPolicy policy;
    private final Duration backoff;
    private final int restartLimit;
    private final List<ContainerProcess> runs = new ArrayList<>();
    /** Completed once no further run will start. */
    private final CompletableFuture<Void> lastRunStarted = new CompletableFuture<>();
    private volatile @Nullable ContainerProcess current;
    private volatile boolean restartsStopped;
    private volatile boolean limitReached;
    private volatile @Nullable Thread supervisor;

    RestartingContainer(ContainerSpec spec, ContainerRole role, ContainerProcess.EventSink sink, List<String> markers,
            @Nullable Path logDirectory, RestartPolicy policy, Duration backoff, int restartLimit) {
        this.spec = spec;
        this.role = role;
        this.sink = sink;
        this.markers = List.copyOf(markers);
        this.logDirectory = logDirectory;
        this.policy = policy;
        this.backoff = backoff;
        this.restartLimit = restartLimit;
    }

    String name() {
        return spec.name();
    }

    ContainerRole role() {
        return role;
    }

    /** Starts the first run and, unless the policy is {@link RestartPolicy#NEVER}, the supervisor. */
    void start() throws IOException {
        ContainerProcess first = launch(0);
        if (policy == RestartPolicy.NEVER) {
            lastRunStarted.complete(null);
            return;
        }
        Thread thread = new Thread(() -> supervise(first), "pod-sim-" + name() + "-restarts");
        thread.setDaemon(true);
        supervisor = thread;
        thread.start();
    }

    private ContainerProcess launch(int restart) throws IOException {
        ContainerProcess run = new ContainerProcess(spec, role, sink, markers, logDirectory, restart);
        synchronized (runs) {
            runs.add(run);
        }
        current = run;
        run.start();
        return run;
    }

    private void supervise(ContainerProcess first) {
        ContainerProcess run = first;
        try {
            while (true) {
                while (!run.awaitExit(System.nanoTime() + POLL_NANOS)) {
                    if (restartsStopped) {
                        // Deletion or completion: whatever ends this run ends the container.
                        return;
                    }
                }
                int code = run.exitCode();
                int restarts = run.restart();
                if (restartsStopped || !policy.restartsAfter(code)) {
                    break;
                }
                if (restarts >= restartLimit) {
                    limitReached = true;
                    sink.event(run.exitNanos(), name(), TimelineEvent.Kind.BACKOFF_LIMIT, "exit code " + code
                            + " after " + restarts + " restart(s): limit " + restartLimit + " reached, no restart");
                    break;
                }
                Duration wait = backoffBefore(restarts + 1);
                sink.event(run.exitNanos(), name(), TimelineEvent.Kind.RESTARTING, "exit code " + code + ", "
                        + "restartPolicy " + policy.manifestValue() + ": restart " + (restarts + 1) + " after a " + wait.toMillis() + " ms back-off");
                if (!sleepUnlessStopped(wait)) {
                    break;
                }
                synchronized (this) {
                    if (restartsStopped) {
                        break;
                    }
                    try {
                        run = launch(restarts + 1);
                    } catch (IOException e) {
                        sink.event(System.nanoTime(), name(), TimelineEvent.Kind.EXITED,
                                "restart " + (restarts + 1) + " could not be started: " + e.getMessage());
                        break;
                    }
                }
            }
        } catch (InterruptedException e) {
            // close(): the Pod is being killed; the runs are killed by the simulator.
        } finally {
            lastRunStarted.complete(null);
        }
    }

    /** The wait before the n-th restart (1-based): backoff, doubling, capped at 30 times backoff. */
    Duration backoffBefore(int restart) {
        long factor = 1L << Math.min(restart - 1, 5);
        return backoff.multipliedBy(Math.min(factor, BACKOFF_CAP_FACTOR));
    }

    /** Sleeps the back-off; false if restarts were stopped meanwhile (checked every 100 ms). */
    private boolean sleepUnlessStopped(Duration wait) throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        while (!restartsStopped) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, POLL_NANOS));
        }
        return false;
    }

    /**
     * No run starts after this call returns (the Pod is being deleted, has completed, or is closed);
     * the run that is alive, if any, stays the container's last.
     */
    void stopRestarts() {
        synchronized (this) {
            restartsStopped = true;
        }
        if (supervisor == null) {
            lastRunStarted.complete(null);
        }
    }

    /**
     * Waits until no further run will start and the last one has exited, or the deadline
     * ({@code System.nanoTime()}).
     *
     * @return whether the container is done for good
     */
    boolean awaitDone(long deadlineNanos) throws InterruptedException {
        try {
            lastRunStarted.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return currentRun().awaitExit(deadlineNanos);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("container supervisor failed", e);
        }
    }

    /** Whether the last run failed with the restart limit used up: a Job's {@code backoffLimit} reached. */
    boolean limitReached() {
        return limitReached;
    }

    /** The run that is alive, or the last one. */
    ContainerProcess currentRun() {
        ContainerProcess run = current;
        if (run == null) {
            throw new IllegalStateException("container '" + name() + "' was not started");
        }
        return run;
    }

    /** Every run so far, first first. */
    List<ContainerProcess> runs() {
        synchronized (runs) {
            return List.copyOf(runs);
        }
    }

    boolean isStarted() {
        return current != null;
    }

    /** Stops restarts, interrupts the supervisor and kills every run (and its descendants). */
    void destroyForcibly() {
        stopRestarts();
        Thread thread = supervisor;
        if (thread != null) {
            thread.interrupt();
        }
        runs().forEach(ContainerProcess::destroyForcibly);
    }
}
