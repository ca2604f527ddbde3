package io.github.sidecarshutdown.grpc;

import io.github.sidecarshutdown.ShutdownAction;
import io.github.sidecarshutdown.TaskContext;
import io.grpc.Server;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drain of one server: {@code shutdown()} (no new calls; calls in progress go on), wait until
 * the calls that are work have ended or the graceful time is over, close what is still open with
 * {@code UNAVAILABLE}, then wait for the server to terminate ({@code shutdownNow()} if it does not
 * at once). Every wait is bounded by what is left of the task: a quarter of it, at most one second,
 * is kept for the end, so the server is terminated within the task's time even when calls never end.
 */
final class ServerDrain implements ShutdownAction {

    private static final Logger logger = LoggerFactory.getLogger(ServerDrain.class);

    /** The most kept back for cutting and terminating. */
    static final Duration END_RESERVE = Duration.ofSeconds(1);
    /** How often the wait looks at the open calls. */
    private static final Duration POLL = Duration.ofMillis(10);

    private final Server server;
    private final CallRegistry calls;
    private final Duration graceful;

    ServerDrain(Server server, CallRegistry calls, Duration graceful) {
        this.server = server;
        this.calls = calls;
        this.graceful = graceful;
    }

    @Override
    public void run(TaskContext context) throws Exception {
        long start = System.nanoTime();
        Duration budget = context.remaining();
        Duration reserve = min(END_RESERVE, budget.dividedBy(4));
        Duration waitFor = min(graceful, budget.minus(reserve));
        boolean terminated = false;
        try {
            server.shutdown();
            awaitWork(System.nanoTime() + waitFor.toNanos());
            CallRegistry.Cut cut = calls.cutAll(GrpcServerSupport.CUT_STATUS);
            // Closed calls let the transports end by themselves; force what is left only after a while.
            terminated = awaitTermination(min(reserve, context.remaining()).dividedBy(2));
            if (!terminated) {
                server.shutdownNow();
                terminated = awaitTermination(context.remaining());
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            if (cut.idle() > 0) {
                logger.debug("gRPC drain closed {} health or reflection stream(s)", cut.idle());
            }
            if (cut.work() > 0 || !terminated) {
                throw new DrainIncompleteException(cut.work(), waitFor, terminated, took);
            }
        } finally {
            if (!terminated && !server.isTerminated()) {
                // Interrupted, or it did not end in time: never leave it serving.
                server.shutdownNow();
            }
        }
    }

    /** Waits until no call that is work is open, the server terminated, or {@code deadline}. */
    private void awaitWork(long deadline) throws InterruptedException {
        while (calls.countedOpen() > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            if (server.awaitTermination(Math.min(left, POLL.toNanos()), TimeUnit.NANOSECONDS)) {
                return;
            }
        }
    }

    /** {@code Server.awaitTermination} with a positive bound (0 or less: just look). */
    private boolean awaitTermination(Duration bound) throws InterruptedException {
        if (bound.isNegative() || bound.isZero()) {
            return server.isTerminated();
        }
        return server.awaitTermination(bound.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
