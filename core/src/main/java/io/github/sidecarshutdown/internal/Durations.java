package io.github.sidecarshutdown.internal;

import java.time.Duration;

/** Duration arithmetic that saturates instead of overflowing (a huge timeout must not wrap). */
public final class Durations {

    private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);

    private Durations() {
    }

    public static long toNanosSaturated(Duration d) {
        if (d.compareTo(MAX_NANOS) >= 0) {
            return Long.MAX_VALUE;
        }
        if (d.isNegative()) {
            return d.compareTo(Duration.ofNanos(Long.MIN_VALUE)) <= 0 ? Long.MIN_VALUE : d.toNanos();
        }
        return d.toNanos();
    }

    public static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    public static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * {@code d} rounded up to a whole millisecond when positive; 0 and negative values unchanged,
     * for the caller to refuse. For anything handed to OkHttp as a timeout: OkHttp keeps only the
     * whole milliseconds of a {@link Duration} and reads 0 as "no timeout", so the 0.4 ms left of a
     * deadline would become a call that never times out.
     */
    public static Duration ceilMillis(Duration d) {
        int subMillis = d.getNano() % 1_000_000;
        if (d.isNegative() || d.isZero() || subMillis == 0) {
            return d;
        }
        return d.plusNanos(1_000_000 - subMillis);
    }

    public static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    public static long saturatedAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    /** Short human form: {@code 250ms}, {@code 5s}, {@code 1.5s}, {@code 2m30s}. */
    public static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms == 0 && !d.isZero() ? d.toNanos() / 1000 + "us" : ms + "ms";
        }
        if (ms < 60_000) {
            if (ms % 1000 == 0) {
                return ms / 1000 + "s";
            }
            // Three decimals without trailing zeros, written out: String.format and a regex cost a
            // cold sequence milliseconds (docs/timeline.md, "Off the startup path").
            String millis = String.valueOf(1000 + ms % 1000).substring(1);
            int end = millis.length();
            while (millis.charAt(end - 1) == '0') {
                end--;
            }
            return ms / 1000 + "." + millis.substring(0, end) + "s";
        }
        long s = ms / 1000;
        return s / 60 + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
    }
}
