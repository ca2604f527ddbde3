package io.github.sidecarshutdown.flush;

import static java.util.Objects.requireNonNull;

import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.TaskContext;
import io.github.sidecarshutdown.internal.Loggers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LifeCycle2;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractOutputStreamAppender;
import org.apache.logging.log4j.core.appender.AbstractWriterAppender;
import org.apache.logging.log4j.core.appender.AsyncAppender;
import org.apache.logging.log4j.core.appender.NullAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.net.AbstractSocketManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Stops Log4j2's appenders that send over the network as a cleanup task, so their last lines leave
 * while the sidecar still forwards: an {@code Async} appender in front of them drains its queue
 * first, then the network appenders (Socket, Syslog, Http, and those of other libraries) stop.
 *
 * <pre>{@code
 * builder.task(Log4j2Flush.task());   // the last cleanup task: what is logged after it reaches the console only
 * }</pre>
 *
 * <p><b>Which appenders.</b> Local appenders stay: console and file appenders (every
 * {@code AbstractOutputStreamAppender} whose manager is not a socket manager, writer and null
 * appenders) and an {@code Async} appender that wraps only local ones. Every other appender of the
 * configuration is taken to send elsewhere: it is removed from its loggers first (nothing is
 * logged to a stopped appender), then stopped. {@link #task(LoggerContext, Predicate)} takes another rule.
 *
 * <p><b>Log4j2's own hook.</b> Log4j2 registers a JVM shutdown hook that stops the whole context
 * at SIGTERM, beside this library's sequence: the app's later lines are then lost and the
 * network appenders race the sidecar. Disable it ({@code shutdownHook="disable"} on the
 * configuration, or {@code log4j2.shutdownHookEnabled=false}) when using this task.
 *
 * <p><b>Order and bound.</b> As {@link LogbackFlush}: the last cleanup task; later lines reach the
 * local appenders only. An {@code Async} appender waits for its queue as long as its own
 * {@code shutdownTimeout} says (0, the default, means until drained); the coordinator abandons the
 * task at its timeout ({@code timed_out}), and events left in a queue after the stop end it
 * {@code failed}. With asynchronous loggers (the LMAX Disruptor context selector), events still
 * in the ring buffer when the appenders stop are not sent.
 */
public final class Log4j2Flush {

    /** The task's name in the report and metrics. */
    public static final String TASK_NAME = "log4j2-network-appenders";

    /** Looked up at each use: a shutdown line may come while SLF4J starts on another thread (internal/Loggers.java in core). */
    private static Logger logger() {
        return Loggers.of(Log4j2Flush.class);
    }

    private Log4j2Flush() {
    }

    /**
     * A cleanup task for the Log4j2 context {@code LogManager.getContext(false)} returns, with the
     * coordinator's {@code task-timeout}.
     *
     * @return the task, named {@value #TASK_NAME}
     * @throws IllegalStateException when the Log4j2 API is not backed by log4j-core (for example
     *     log4j-to-slf4j routes it to Logback: use {@link LogbackFlush})
     */
    public static ShutdownTask task() {
        org.apache.logging.log4j.spi.LoggerContext current = LogManager.getContext(false);
        if (current instanceof LoggerContext context) {
            return task(context);
        }
        throw new IllegalStateException("Log4j2Flush.task(): the Log4j2 API is backed by " + current.getClass().getName()
                + ", not by log4j-core (expected: log4j-core's LoggerContext; with log4j-to-slf4j use LogbackFlush)");
    }

    /**
     * A cleanup task for {@code context}, with the coordinator's {@code task-timeout}.
     *
     * @param context the log4j-core context whose network appenders to stop
     * @return the task, named {@value #TASK_NAME}
     */
    public static ShutdownTask task(LoggerContext context) {
        return build(context, Log4j2Flush::sendsElsewhere, null);
    }

    /**
     * As {@link #task(LoggerContext)}, with the task's own timeout.
     *
     * @param context the log4j-core context
     * @param timeout the task's timeout; whole milliseconds, at least 1 ms
     * @return the task, named {@value #TASK_NAME}
     */
    public static ShutdownTask task(LoggerContext context, Duration timeout) {
        return build(context, Log4j2Flush::sendsElsewhere, FlushTasks.timeout(timeout));
    }

    /**
     * As {@link #task(LoggerContext)}, with the app's own rule for which appenders to stop.
     *
     * @param context the log4j-core context
     * @param stop    true for each appender to remove from its loggers and stop
     * @return the task, named {@value #TASK_NAME}
     */
    public static ShutdownTask task(LoggerContext context, Predicate<? super Appender> stop) {
        return build(context, requireNonNull(stop, "stop"), null);
    }

    /**
     * The names of the appenders {@link #task(LoggerContext)} would stop now: lets a framework
     * register the task only where it has something to do.
     *
     * @param context the log4j-core context
     * @return the names, possibly none
     */
    public static List<String> networkAppenders(LoggerContext context) {
        return List.copyOf(selected(requireNonNull(context, "context").getConfiguration(), Log4j2Flush::sendsElsewhere).keySet());
    }

    private static Map<String, Appender> selected(Configuration config, Predicate<? super Appender> stop) {
        Map<String, Appender> stopping = new LinkedHashMap<>();
        for (Appender a : config.getAppenders().values()) {
            if (stop.test(a)) {
                stopping.put(a.getName(), a);
            }
        }
        return stopping;
    }

    private static ShutdownTask build(LoggerContext context, Predicate<? super Appender> stop, @Nullable Duration timeout) {
        requireNonNull(context, "context");
        return FlushTasks.cleanup(TASK_NAME, timeout, ctx -> stopNetworkAppenders(context, stop, ctx));
    }

    private static void stopNetworkAppenders(LoggerContext context, Predicate<? super Appender> stop, TaskContext ctx) {
        Configuration config = context.getConfiguration();
        Map<String, Appender> stopping = selected(config, stop);
        if (stopping.isEmpty()) {
            logger().debug("No Log4j2 appender sends over the network");
            return;
        }
        // Off every logger first: a line logged meanwhile goes to the local appenders only.
        Set<LoggerConfig> loggers = Collections.newSetFromMap(new IdentityHashMap<>());
        loggers.addAll(config.getLoggers().values());
        loggers.add(config.getRootLogger());
        for (LoggerConfig lc : loggers) {
            for (String name : stopping.keySet()) {
                if (lc.getAppenders().containsKey(name)) {
                    lc.removeAppender(name);
                }
            }
        }
        context.updateLoggers();
        // Async appenders first: they drain their queue into the network appenders behind them.
        List<Appender> ordered = new ArrayList<>();
        stopping.values().stream().filter(a -> a instanceof AsyncAppender).forEach(ordered::add);
        stopping.values().stream().filter(a -> !(a instanceof AsyncAppender)).forEach(ordered::add);
        List<String> left = new ArrayList<>();
        for (Appender a : ordered) {
            if (Thread.currentThread().isInterrupted()) {
                return; // abandoned at the timeout: the coordinator reports it
            }
            if (a instanceof LifeCycle2 lc) {
                lc.stop(Math.max(1, ctx.remaining().toMillis()), TimeUnit.MILLISECONDS);
            } else {
                a.stop();
            }
            if (a instanceof AsyncAppender async && async.getQueueRemainingCapacity() < async.getQueueCapacity()) {
                left.add(a.getName() + ": " + (async.getQueueCapacity() - async.getQueueRemainingCapacity())
                        + " event(s) still queued");
            }
        }
        if (!left.isEmpty()) {
            throw new FlushException("Log4j2 appenders " + stopping.keySet() + " stopped, not drained: " + String.join(", ", left),
                    null);
        }
        logger().info("Stopped Log4j2 appenders {} (later lines reach the local appenders only)", stopping.keySet());
    }

    /** True unless {@code appender} writes locally (console, files, writers), or is an async one wrapping only those. */
    static boolean sendsElsewhere(Appender appender) {
        if (appender instanceof AbstractOutputStreamAppender<?> stream) {
            return stream.getManager() instanceof AbstractSocketManager;
        }
        if (appender instanceof AbstractWriterAppender<?> || appender instanceof NullAppender) {
            return false;
        }
        if (appender instanceof AsyncAppender async) {
            for (Appender wrapped : async.getAppenders()) {
                if (sendsElsewhere(wrapped)) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }
}
