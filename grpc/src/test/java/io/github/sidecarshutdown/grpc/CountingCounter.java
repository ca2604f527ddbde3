package io.github.sidecarshutdown.grpc;

import io.github.sidecarshutdown.InFlightTracker;
import java.util.concurrent.atomic.AtomicInteger;

/** The real tracker, with every enter and exit counted: a double exit shows as exits > enters. */
final class CountingCounter implements CallCounter {

    final InFlightTracker tracker = new InFlightTracker();
    final AtomicInteger enters = new AtomicInteger();
    final AtomicInteger exits = new AtomicInteger();

    @Override
    public int enter() {
        enters.incrementAndGet();
        return tracker.enter();
    }

    @Override
    public void exit(int token) {
        exits.incrementAndGet();
        tracker.exit(token);
    }
}
