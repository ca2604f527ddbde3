package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.TimeSource;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the app's in-flight inbound requests, so that the inbound drain can wait for them and the
 * propagation delay can end after a quiet period. Any server can use it: call {@link #enter()}
 * when a request arrives and {@link #exit()} when its response is done (see
 * {@link io.github.sidecarshutdown.jdkhttp.JdkHttpServerSupport} for the JDK server).
 *
 * <p>Thread-safe and allocation-free on the request path: two striped counters, no clock read.
 */
public final class InFlightTracker {

    private static final Duration POLL = Duration.ofMillis(10);

    private final LongAdder started = new LongAdder();
    private final LongAdder finished = new LongAdder();

    /** A request arrived. */
    public void enter() {
        started.increment();
    }

    /** A request's response is done. Call exactly once per {@link #enter()}, in a finally block. */
    public void exit() {
        finished.increment();
    }

    /** Requests entered and not yet exited. */
    public long active() {
        // finished first: a request finishing between the two reads cannot make the count negative.
        long done = finished.sum();
        return Math.max(0, started.sum() - done);
    }

    /** Requests that ever arrived; the quiet-period check watches it for change. */
    public long arrivals() {
        return started.sum();
    }

    /**
     * Waits until no request is in flight.
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

    @Override
    public String toString() {
        return "InFlightTracker{active=" + active() + ", arrivals=" + arrivals() + "}";
    }
}
