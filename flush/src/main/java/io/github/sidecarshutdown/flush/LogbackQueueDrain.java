package io.github.sidecarshutdown.flush;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AsyncAppenderBase;
import java.util.List;

/**
 * Waits until a Logback {@code AsyncAppender} has sent everything it holds: its queue is empty
 * and its worker is back waiting for the next event. Only then may it be stopped: stopping
 * interrupts the worker, and an appender behind it whose I/O honours interrupts (the JDK's
 * HttpClient, NIO channels, a {@code SocketAppender}'s own queue) would drop the batch in hand.
 * The worker is Logback's thread named {@code AsyncAppender-Worker-<appender name>}; it is
 * idle only while its queue's {@code take}, called from its run loop, waits on the queue's
 * not-empty condition ({@code await}): the queue was empty when it started waiting. Anywhere else
 * it may hold events that are no longer in the queue: caught with {@code run} itself on top (at a
 * safepoint of its loop, between two events it took with {@code drainTo}), or still inside
 * {@code take} after dequeuing the last one (unlocking, returning).
 */
final class LogbackQueueDrain {

    private static final long POLL_MILLIS = 10;
    private static final String WORKER = "AsyncAppenderBase$Worker";

    private LogbackQueueDrain() {
    }

    /** True once drained; false if {@code deadlineNanos} (a {@link System#nanoTime()} value) came first. */
    static boolean await(AsyncAppenderBase<ILoggingEvent> async, long deadlineNanos) throws InterruptedException {
        List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("AsyncAppender-Worker-" + async.getName()))
                .toList();
        while (true) {
            if (async.getNumberOfElementsInQueue() == 0 && workers.stream().allMatch(w -> !w.isAlive() || idle(w.getStackTrace()))) {
                return true;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** True when {@code stack} (a worker's, top frame first) holds no event: waiting in the queue's {@code take}, or outside its loop. */
    static boolean idle(StackTraceElement[] stack) {
        for (int i = 0; i < stack.length; i++) {
            if (stack[i].getClassName().endsWith(WORKER) && "run".equals(stack[i].getMethodName())) {
                return i >= 2 && "take".equals(stack[i - 1].getMethodName()) && "await".equals(stack[i - 2].getMethodName());
            }
        }
        return true; // not in its loop: starting or ending, nothing in hand
    }
}
