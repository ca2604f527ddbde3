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
 * idle when the frame above its run loop is the queue's {@code take}.
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
            if (async.getNumberOfElementsInQueue() == 0 && workers.stream().allMatch(LogbackQueueDrain::idle)) {
                return true;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static boolean idle(Thread worker) {
        if (!worker.isAlive()) {
            return true;
        }
        StackTraceElement[] stack = worker.getStackTrace();
        for (int i = 1; i < stack.length; i++) {
            if (stack[i].getClassName().endsWith(WORKER) && "run".equals(stack[i].getMethodName())) {
                return "take".equals(stack[i - 1].getMethodName());
            }
        }
        return true; // not in its loop: starting or ending, nothing in hand
    }
}
