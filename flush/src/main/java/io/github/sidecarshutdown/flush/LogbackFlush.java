package io.github.sidecarshutdown.flush;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AsyncAppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.TaskContext;
import io.github.sidecarshutdown.internal.Loggers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Stops Logback's appenders that send over the network as a cleanup task, so their last lines
 * leave while the sidecar still forwards: an {@code AsyncAppender} drains its queue into the
 * appenders it wraps and stops them, a network appender sends or closes what it holds.
 *
 * <pre>{@code
 * builder.task(LogbackFlush.task());   // the last cleanup task: what is logged after it reaches the console only
 * }</pre>
 *
 * <p><b>Which appenders.</b> Local appenders stay: console and file appenders (every
 * {@link OutputStreamAppender}) and an {@code AsyncAppender} that wraps only local ones. Every
 * other appender attached to a logger is taken to send elsewhere (sockets, syslog, SMTP, HTTP
 * appenders of other libraries): it is detached from its loggers first, so nothing is logged to a
 * stopped appender, then stopped. {@link #task(LoggerContext, Predicate)} takes another rule.
 *
 * <p><b>Order.</b> Register it as the last cleanup task: the app's own cleanup, the OpenTelemetry
 * SDK and the push registries log while they finish, and those lines still go out. Lines logged
 * after it (the release, the report's summary line) reach the local appenders only: the console,
 * which Kubernetes collects.
 *
 * <p><b>Bound and outcome.</b> An {@code AsyncAppender} is stopped only once its queue is empty
 * and its worker idle: stopping interrupts the worker, and an appender behind it whose I/O honours
 * interrupts would drop the lines in hand. A queue still draining at the task's timeout ends the
 * task {@code timed_out}; events left in a queue after the stop end it {@code failed}. Logback's own {@code SocketAppender} drops the events still in its
 * own queue when stopped (Logback's behaviour, which this task cannot change).
 */
public final class LogbackFlush {

    /** The task's name in the report and metrics. */
    public static final String TASK_NAME = "logback-network-appenders";

    /** Looked up at each use: a shutdown line may come while SLF4J starts on another thread (internal/Loggers.java in core). */
    private static org.slf4j.Logger logger() {
        return Loggers.of(LogbackFlush.class);
    }

    private LogbackFlush() {
    }

    /**
     * A cleanup task for the Logback context SLF4J is bound to, with the coordinator's
     * {@code task-timeout}.
     *
     * @return the task, named {@value #TASK_NAME}
     * @throws IllegalStateException when SLF4J is not bound to Logback
     */
    public static ShutdownTask task() {
        return task(boundContext());
    }

    /**
     * A cleanup task for {@code context}, with the coordinator's {@code task-timeout}.
     *
     * @param context the Logback context whose network appenders to stop
     * @return the task, named {@value #TASK_NAME}
     */
    public static ShutdownTask task(LoggerContext context) {
        return build(context, LogbackFlush::sendsElsewhere, null);
    }

    /**
     * As {@link #task(LoggerContext)}, with the task's own timeout.
     *
     * @param context the Logback context
     * @param timeout the task's timeout; whole milliseconds, at least 1 ms
     * @return the task, named {@value #TASK_NAME}
     */
    public static ShutdownTask task(LoggerContext context, Duration timeout) {
        return build(context, LogbackFlush::sendsElsewhere, FlushTasks.timeout(timeout));
    }

    /**
     * As {@link #task(LoggerContext)}, with the app's own rule for which appenders to stop (for
     * example by name: {@code a -> a.getName().equals("LOKI")}).
     *
     * @param context the Logback context
     * @param stop    true for each appender to detach and stop
     * @return the task, named {@value #TASK_NAME}
     */
    public static ShutdownTask task(LoggerContext context, Predicate<? super Appender<ILoggingEvent>> stop) {
        return build(context, requireNonNull(stop, "stop"), null);
    }

    /**
     * The names of the appenders {@link #task(LoggerContext)} would stop now, in logger order: lets a
     * framework register the task only where it has something to do.
     *
     * @param context the Logback context
     * @return the names, possibly none
     */
    public static List<String> networkAppenders(LoggerContext context) {
        return selected(requireNonNull(context, "context"), LogbackFlush::sendsElsewhere).stream().map(Appender::getName).toList();
    }

    private static List<Appender<ILoggingEvent>> selected(LoggerContext context, Predicate<? super Appender<ILoggingEvent>> stop) {
        List<Appender<ILoggingEvent>> stopping = new ArrayList<>();
        Set<Appender<ILoggingEvent>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Logger l : context.getLoggerList()) {
            for (Iterator<Appender<ILoggingEvent>> it = l.iteratorForAppenders(); it.hasNext(); ) {
                Appender<ILoggingEvent> a = it.next();
                if (seen.add(a) && stop.test(a)) {
                    stopping.add(a);
                }
            }
        }
        return stopping;
    }

    private static LoggerContext boundContext() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context) {
            return context;
        }
        throw new IllegalStateException("LogbackFlush.task(): SLF4J is bound to " + factory.getClass().getName()
                + ", not to Logback (expected: logback-classic as the SLF4J provider, or pass the LoggerContext)");
    }

    private static ShutdownTask build(LoggerContext context, Predicate<? super Appender<ILoggingEvent>> stop,
            @Nullable Duration timeout) {
        requireNonNull(context, "context");
        return FlushTasks.cleanup(TASK_NAME, timeout, ctx -> stopNetworkAppenders(context, stop, ctx));
    }

    private static void stopNetworkAppenders(LoggerContext context, Predicate<? super Appender<ILoggingEvent>> stop,
            TaskContext ctx) throws InterruptedException {
        List<Appender<ILoggingEvent>> stopping = selected(context, stop);
        if (stopping.isEmpty()) {
            logger().debug("No Logback appender sends over the network");
            return;
        }
        // Detach everywhere first: a line logged meanwhile goes to the local appenders only.
        for (Logger l : context.getLoggerList()) {
            for (Appender<ILoggingEvent> a : stopping) {
                l.detachAppender(a);
            }
        }
        List<String> left = new ArrayList<>();
        for (Appender<ILoggingEvent> a : stopping) {
            if (Thread.currentThread().isInterrupted()) {
                return; // abandoned at the timeout: the coordinator reports it
            }
            if (a instanceof AsyncAppenderBase<ILoggingEvent> async) {
                // Everything sent first, then the stop (which interrupts the worker). A little past
                // the task's budget, so that a queue still draining at the timeout is the
                // coordinator's to report (timed_out); its interrupt ends the wait.
                long waitNanos = ctx.remaining().plus(FlushTasks.PAST_THE_DEADLINE).toNanos();
                LogbackQueueDrain.await(async, System.nanoTime() + waitNanos);
                // maxFlushTime 0 would be "wait forever".
                async.setMaxFlushTime((int) Math.max(1, Math.min(Integer.MAX_VALUE, ctx.remaining().toMillis())));
                a.stop();
                int queued = async.getNumberOfElementsInQueue();
                if (queued > 0) {
                    left.add(a.getName() + ": " + queued + " event(s) still queued");
                }
            } else {
                a.stop();
            }
        }
        List<String> names = stopping.stream().map(Appender::getName).toList();
        if (!left.isEmpty()) {
            throw new FlushException("Logback appenders " + names + " stopped, not drained: " + String.join(", ", left), null);
        }
        logger().info("Stopped Logback appenders {} (later lines reach the local appenders only)", names);
    }

    /** True unless {@code appender} writes locally: an {@link OutputStreamAppender}, or an async one wrapping only those. */
    static boolean sendsElsewhere(Appender<ILoggingEvent> appender) {
        if (appender instanceof OutputStreamAppender) {
            return false;
        }
        if (appender instanceof AsyncAppenderBase<ILoggingEvent> async) {
            for (Iterator<Appender<ILoggingEvent>> it = async.iteratorForAppenders(); it.hasNext(); ) {
                if (sendsElsewhere(it.next())) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }
}
