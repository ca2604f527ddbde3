package io.github.sidecarshutdown.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.SubstituteLoggerFactory;

/**
 * The library's SLF4J loggers, looked up at each use, and never kept while SLF4J is still starting on
 * another thread. A thread that asks SLF4J for a logger while another thread starts it gets a
 * substitute: what the substitute logs before the start ends is queued and replayed when it ends, so
 * a JVM that exits first loses it, and a substitute handed out at the very end of the start never
 * gets a backend at all (its lines vanish, with no warning). The library logs its
 * start line and its report at SIGTERM, which may be the moment the app's first log line starts SLF4J;
 * so a lookup that meets a start in progress waits for it to end, at most {@link #START_BOUND}, and
 * callers look up again rather than keep a logger. Not API.
 */
public final class Loggers {

    /** How long a lookup waits for SLF4J's start on another thread (tens of milliseconds when cold). */
    static final Duration START_BOUND = Duration.ofSeconds(1);

    private Loggers() {
    }

    /** {@code source}'s logger, once SLF4J has started (see the class comment). */
    public static Logger of(Class<?> source) {
        return of(source.getName());
    }

    /** The logger named {@code name}, once SLF4J has started (see the class comment). */
    public static Logger of(String name) {
        // The factory, not the logger, is asked: a started SLF4J's factory never hands out a
        // substitute, and the substitute factory's class is loaded with SLF4J anyway (a logger's
        // class check would load one more class on the sequence's first line).
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof SubstituteLoggerFactory) || Thread.holdsLock(LoggerFactory.class)) {
            // Started; or this thread is the one starting SLF4J (a backend that logs while it
            // configures itself): waiting would only wait for itself.
            return factory.getLogger(name);
        }
        long end = System.nanoTime() + START_BOUND.toNanos();
        while (System.nanoTime() - end < 0) {
            try {
                TimeUnit.MILLISECONDS.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            factory = LoggerFactory.getILoggerFactory();
            if (!(factory instanceof SubstituteLoggerFactory)) {
                return factory.getLogger(name);
            }
        }
        return factory.getLogger(name); // not started within the bound: a substitute, at best effort
    }
}
