package io.github.sidecarshutdown.grpc;

import io.github.sidecarshutdown.InFlightTracker;

/** Where calls are counted: the coordinator's {@link InFlightTracker}; a seam so tests can count exits. */
interface CallCounter {

    /** A call started; returns the token for {@link #exit(int)}. */
    int enter();

    /** The call that {@link #enter()} returned {@code token} for is over. */
    void exit(int token);

    static CallCounter of(InFlightTracker tracker) {
        return new CallCounter() {
            @Override
            public int enter() {
                return tracker.enter();
            }

            @Override
            public void exit(int token) {
                tracker.exit(token);
            }
        };
    }
}
