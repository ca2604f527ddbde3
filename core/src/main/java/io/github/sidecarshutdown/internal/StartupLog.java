package io.github.sidecarshutdown.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The library's informational lines on the app's path to Ready (a Pod file not mounted, the sidecar
 * ready after so long), held until {@link #flush()}: logging the first line starts SLF4J (finding its
 * provider, tens of milliseconds in a fresh JVM), which is not the app's path to Ready to pay
 * (docs/timeline.md, "Off the startup path"). The startup work flushes them with the plan; without
 * one, the startup wait or the sequence does. Warnings are not held: they are logged at once, by the
 * caller. Thread-safe. Not API.
 */
public final class StartupLog {

    /** One held line: the logger it belongs to, an SLF4J format and its arguments. */
    private record Line(Class<?> source, String format, Object[] args) {
    }

    private final List<Line> held = new ArrayList<>(); // guarded by this
    private boolean flushed; // guarded by this

    /** Logs at INFO through {@code source}'s logger, now if flushed, else at {@link #flush()}. */
    public void info(Class<?> source, String format, Object... args) {
        synchronized (this) {
            if (!flushed) {
                held.add(new Line(source, format, args));
                return;
            }
        }
        Loggers.of(source).info(format, args);
    }

    /** Moves {@code other}'s held lines after this one's (a builder's lines into its coordinator's). */
    public void take(StartupLog other) {
        List<Line> lines;
        synchronized (other) {
            lines = new ArrayList<>(other.held);
            other.held.clear();
        }
        for (Line l : lines) {
            info(l.source(), l.format(), l.args());
        }
    }

    /** Logs the held lines in order; later lines are logged at once. Idempotent. */
    public synchronized void flush() {
        flushed = true;
        for (Line l : held) {
            Loggers.of(l.source()).info(l.format(), l.args());
        }
        held.clear();
    }

    /** Whether {@link #flush()} was called. */
    public synchronized boolean isFlushed() {
        return flushed;
    }
}
