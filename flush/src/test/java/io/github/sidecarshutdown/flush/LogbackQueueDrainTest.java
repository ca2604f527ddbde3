package io.github.sidecarshutdown.flush;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When a Logback {@code AsyncAppender} may be stopped: only with its queue empty and its worker
 * blocked in the queue's {@code take}. A worker caught anywhere else in its loop still holds
 * events it took from the queue, and stopping it then interrupts their sends.
 */
class LogbackQueueDrainTest {

    private static final String RUN = "ch.qos.logback.core.AsyncAppenderBase$Worker";

    private final LoggerContext context = new LoggerContext();

    @AfterEach
    void tearDown() {
        context.stop();
    }

    private static StackTraceElement frame(String className, String method) {
        return new StackTraceElement(className, method, null, -1);
    }

    @Test
    void aWorkerBlockedInTakeIsIdle() {
        StackTraceElement[] stack = {
                frame("jdk.internal.misc.Unsafe", "park"),
                frame("java.util.concurrent.locks.LockSupport", "park"),
                frame("java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionNode", "block"),
                frame("java.util.concurrent.ForkJoinPool", "managedBlock"),
                frame("java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject", "await"),
                frame("java.util.concurrent.ArrayBlockingQueue", "take"),
                frame(RUN, "run")};
        assertThat(LogbackQueueDrain.idle(stack)).isTrue();
    }

    @Test
    void aWorkerSendingIsNotIdle() {
        StackTraceElement[] stack = {
                frame("java.net.http.HttpClient", "send"),
                frame("ch.qos.logback.core.spi.AppenderAttachableImpl", "appendLoopOnAppenders"),
                frame(RUN, "run")};
        assertThat(LogbackQueueDrain.idle(stack)).isFalse();
    }

    /**
     * Stopped at a safepoint of its own loop (between two events it took from the queue), the
     * worker's top frame is {@code run} itself: the events after it are still in its hands.
     */
    @Test
    void aWorkerCaughtInItsOwnLoopIsNotIdle() {
        StackTraceElement[] stack = {frame(RUN, "run")};
        assertThat(LogbackQueueDrain.idle(stack)).isFalse();
    }

    /** Just dequeued the last event: the queue is empty, the event is in the worker's hands. */
    @Test
    void aWorkerLeavingTakeWithAnEventIsNotIdle() {
        StackTraceElement[] unlocking = {
                frame("java.util.concurrent.locks.ReentrantLock", "unlock"),
                frame("java.util.concurrent.ArrayBlockingQueue", "take"),
                frame(RUN, "run")};
        StackTraceElement[] returning = {frame("java.util.concurrent.ArrayBlockingQueue", "take"), frame(RUN, "run")};
        assertThat(LogbackQueueDrain.idle(unlocking)).isFalse();
        assertThat(LogbackQueueDrain.idle(returning)).isFalse();
    }

    @Test
    void aThreadNotYetOrNoLongerInTheLoopHoldsNothing() {
        assertThat(LogbackQueueDrain.idle(new StackTraceElement[0])).isTrue();
        assertThat(LogbackQueueDrain.idle(new StackTraceElement[] {frame("java.lang.Thread", "exit")})).isTrue();
    }

    /**
     * A real worker with many cheap events in hand spends much of its time in its own loop; each
     * time the wait says drained, every event has been appended.
     */
    @Test
    void drainedMeansEveryEventWasAppended() throws Exception {
        context.setMDCAdapter(new LogbackMDCAdapter()); // what Logback's SLF4J provider sets up
        AtomicInteger appended = new AtomicInteger();
        AppenderBase<ILoggingEvent> counting = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                appended.incrementAndGet();
            }
        };
        counting.setContext(context);
        counting.start();
        AsyncAppender async = new AsyncAppender();
        async.setName("COUNTING");
        async.setContext(context);
        async.setQueueSize(200_000);
        async.setDiscardingThreshold(0);
        async.addAppender(counting);
        async.start();
        int total = 0;
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 100_000; i++) {
                async.doAppend(new LoggingEvent("x", context.getLogger("x"), Level.INFO, "line", null, null));
            }
            total += 100_000;
            assertThat(LogbackQueueDrain.await(async, System.nanoTime() + TimeUnit.SECONDS.toNanos(30))).isTrue();
            assertThat(appended.get()).as("round %d", round).isEqualTo(total);
        }
        async.stop();
    }
}
