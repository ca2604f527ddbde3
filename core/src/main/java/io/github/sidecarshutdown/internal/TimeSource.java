package io.github.sidecarshutdown.internal;

import java.time.Duration;
import java.util.concurrent.Future;

/**
 * The coordinator's only source of time and only way to wait. Production uses {@link #system()};
 * unit tests inject a virtual clock so that budgets and deadlines are checked without sleeping.
 */
public interface TimeSource {

    /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Sleeps for {@code duration}; honours interrupts. */
    void sleep(Duration duration) throws InterruptedException;

    /**
     * Waits until {@code future} is done or {@code timeout} has passed.
     *
     * @return whether the future is done
     */
    boolean awaitDone(Future<?> future, Duration timeout) throws InterruptedException;

    /** The real clock. */
    static TimeSource system() {
        return SystemTimeSource.INSTANCE;
    }
}
