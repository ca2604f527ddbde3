package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.TimeSource;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the app's in-flight inbound requests, so that the inbound drain can wait for them and the
 * propagation delay can end after a quiet period. Any server can use it: call {@link #enter()}
 * when a request arrives and {@link #exit(int)} with what it returned when its response is done
 * (see {@link io.github.sidecarshutdown.jdkhttp.JdkHttpServerSupport} for the JDK server).
 *
 * <p>The inbound drain waits only for the requests that were in flight when it began
 * ({@link #beginDrain()}, {@link #activeBeforeDrain()}): a server that keeps serving already-open keep-alive connections after
 * its own graceful shutdown (Reactor Netty does) could otherwise hold the drain, and the cleanup
 * behind it, for the whole drain timeout. So each request is counted in the epoch it arrived in:
 * before the drain, or after it began.
 *
 * <p>Thread-safe and allocation-free on the request path: striped counters, one volatile read, no
 * clock read.
 */
public final class InFlightTracker {

    private static final Duration POLL = Duration.ofMillis(10);

    /** Per epoch (0: before the drain began, 1: after): requests entered and exited. */
    private final LongAdder[] started = {new LongAdder(), new LongAdder()};
    private final LongAdder[] finished = {new LongAdder(), new LongAdder()};
    private volatile int epoch;

    /**
     * A request arrived.
     *
     * @return the token to pass to {@link #exit(int)} when its response is done
     */
    public int enter() {
        int e = epoch;
        started[e].increment();
        return e;
    }

    /**
     * A request's response is done. Call exactly once per {@link #enter()}, in a finally block, with
     * the token {@code enter()} returned.
     */
    public void exit(int token) {
        finished[token & 1].increment();
    }

    /** Requests entered and not yet exited. */
    public long active() {
        return active(0) + active(1);
    }

    private long active(int e) {
        // finished first: a request finishing between the two reads cannot make the count negative.
        long done = finished[e].sum();
        return Math.max(0, started[e].sum() - done);
    }

    /** Requests that ever arrived; the quiet-period check watches it for change. */
    public long arrivals() {
        return started[0].sum() + started[1].sum();
    }

    /**
     * Waits until no request is in flight, counting also those that arrive while it waits.
     *
     * @return whether it got idle within {@code timeout}
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return awaitIdle(TimeSource.system(), Deadline.after(TimeSource.system(), timeout));
    }

    boolean awaitIdle(TimeSource time, Deadline deadline) throws InterruptedException {
        while (active() > 0) {
            if (deadline.isExpired()) {
                return false;
            }
            time.sleep(deadline.cap(POLL));
        }
        return true;
    }

    /**
     * Begins the drain: requests arriving from now on are served as usual but are not counted by
     * {@link #activeBeforeDrain()}. The coordinator calls it when its inbound drain begins; an app
     * has no reason to. Idempotent.
     */
    public void beginDrain() {
        epoch = 1;
    }

    /** Requests that arrived before {@link #beginDrain()} and are still in flight (all of them before it). */
    public long activeBeforeDrain() {
        return active(0);
    }

    @Override
    public String toString() {
        return "InFlightTracker{active=" + active() + ", arrivals=" + arrivals() + "}";
    }
}
