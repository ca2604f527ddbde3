package io.github.sidecarshutdown.internal;

import java.time.Duration;

/** A point in monotonic time, read through a {@link TimeSource}. Immutable. */
public final class Deadline {

    private final TimeSource time;
    private final long deadlineNanos;

    private Deadline(TimeSource time, long deadlineNanos) {
        this.time = time;
        this.deadlineNanos = deadlineNanos;
    }

    public static Deadline after(TimeSource time, Duration budget) {
        return new Deadline(time, Durations.saturatedAdd(time.nanoTime(), Durations.toNanosSaturated(budget)));
    }

    public Duration remaining() {
        long left = deadlineNanos - time.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    public boolean isExpired() {
        return deadlineNanos - time.nanoTime() <= 0;
    }

    /** {@code min(wanted, remaining())}. */
    public Duration cap(Duration wanted) {
        return Durations.min(Durations.nonNegative(wanted), remaining());
    }

    /** The earlier of this deadline and one {@code d} from now. */
    public Deadline earliest(Duration d) {
        long other = Durations.saturatedAdd(time.nanoTime(), Durations.toNanosSaturated(d));
        return other - deadlineNanos < 0 ? new Deadline(time, other) : this;
    }

    public long nanos() {
        return deadlineNanos;
    }
}
