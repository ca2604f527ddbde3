package io.github.sidecarshutdown.grpc;

import io.github.sidecarshutdown.ShutdownAction;
import io.github.sidecarshutdown.TaskContext;
import io.github.sidecarshutdown.internal.Loggers;
import io.grpc.Server;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The drain of a server (or of the servers a framework started, sharing one interceptor):
 * {@code shutdown()} (no new calls; calls in progress go on), wait until the calls that are work
 * have ended, close the health and reflection streams, and wait for the server to terminate, which
 * it does once the calls it accepted are done, also those that reached the interceptor only later
 * (queued for a busy executor); at the end of the graceful time, close what is still open with
 * {@code UNAVAILABLE} and wait for the server to terminate ({@code shutdownNow()} if it does not
 * at once). Every wait is bounded by what is left of the task: a quarter of it, at most one second,
 * is kept for the end, so the server is terminated within the task's time even when calls never end.
 */
final class ServerDrain implements ShutdownAction {

    /** Looked up at each use: a shutdown line may come while SLF4J starts on another thread (internal/Loggers.java in core). */
    private static Logger logger() {
        return Loggers.of(ServerDrain.class);
    }

    /** The most kept back for cutting and terminating. */
    static final Duration END_RESERVE = Duration.ofSeconds(1);
    /** How often the wait looks at the open calls. */
    private static final Duration POLL = Duration.ofMillis(10);

    private final Supplier<? extends Collection<? extends Server>> servers;
    private final CallRegistry calls;
    private final Duration graceful;

    ServerDrain(Supplier<? extends Collection<? extends Server>> servers, CallRegistry calls, Duration graceful) {
        this.servers = servers;
        this.calls = calls;
        this.graceful = graceful;
    }

    @Override
    public void run(TaskContext context) throws Exception {
        long start = System.nanoTime();
        List<Server> all = List.copyOf(servers.get());
        Duration budget = context.remaining();
        Duration reserve = min(END_RESERVE, budget.dividedBy(4));
        Duration waitFor = min(graceful, budget.minus(reserve));
        boolean terminated = false;
        try {
            all.forEach(Server::shutdown);
            long gracefulEnd = System.nanoTime() + waitFor.toNanos();
            awaitWork(all, gracefulEnd);
            // No work open: what keeps the servers up now is health watches and reflection streams
            // (closed here), and calls the transports accepted before shutdown() that still wait for
            // the server's executor, where the interceptor runs. Those are served, as grpc-java's own
            // shutdown() serves them: the servers terminate once they are done.
            int idle = calls.cutIdle(GrpcServerSupport.CUT_STATUS);
            terminated = awaitTermination(all, gracefulEnd);
            CallRegistry.Cut cut = calls.cutAll(GrpcServerSupport.CUT_STATUS);
            if (!terminated) {
                // Closed calls let the transports end by themselves; force what is left only after a while.
                terminated = awaitTermination(all, System.nanoTime() + min(reserve, context.remaining()).dividedBy(2).toNanos());
            }
            if (!terminated) {
                all.forEach(Server::shutdownNow);
                terminated = awaitTermination(all, System.nanoTime() + context.remaining().toNanos());
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            if (idle + cut.idle() > 0) {
                logger().debug("gRPC drain closed {} health or reflection stream(s)", idle + cut.idle());
            }
            if (cut.work() > 0 || !terminated) {
                throw new DrainIncompleteException(cut.work(), waitFor, terminated, took);
            }
        } finally {
            if (!terminated) {
                // Interrupted, or it did not end in time: never leave a server serving.
                for (Server s : all) {
                    if (!s.isTerminated()) {
                        s.shutdownNow();
                    }
                }
            }
        }
    }

    /** Waits until no call that is work is open, every server terminated, or {@code deadline}. */
    private void awaitWork(List<Server> all, long deadline) throws InterruptedException {
        while (calls.countedOpen() > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            if (awaitTermination(all, System.nanoTime() + Math.min(left, POLL.toNanos()))) {
                return;
            }
        }
    }

    /** Waits for every server until {@code deadline} (a real, positive bound each; none left: just look). */
    private static boolean awaitTermination(List<Server> all, long deadline) throws InterruptedException {
        List<Server> left = new ArrayList<>(all);
        for (Server s : all) {
            long nanos = deadline - System.nanoTime();
            if (nanos > 0 ? s.awaitTermination(nanos, TimeUnit.NANOSECONDS) : s.isTerminated()) {
                left.remove(s);
            }
        }
        return left.isEmpty();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
