package io.github.sidecarshutdown.testkit.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One emulated process's exit, shared by the {@link MeshAgent}s: stamped once, announced once its
 * exit event is recorded (so whoever {@link #await awaits} it sees the event), awaited with a
 * deadline. Thread-safe.
 */
final class ProcessExit {

    private final CountDownLatch announced = new CountDownLatch(1);
    private volatile long nanos;
    private volatile @Nullable Instant at;

    /** Stamps the exit now; false if it had been stamped already (the process exits once). */
    synchronized boolean stamp() {
        if (at != null) {
            return false;
        }
        nanos = System.nanoTime();
        at = Instant.now();
        return true;
    }

    /** Lets {@link #await} return, after the exit's event was recorded. */
    void announce() {
        announced.countDown();
    }

    boolean await(Duration timeout) throws InterruptedException {
        return announced.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    boolean happened() {
        return at != null;
    }

    long nanos() {
        return nanos;
    }

    @Nullable Instant at() {
        return at;
    }
}
