package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InFlightTrackerTest {

    /** A clock that only moves when the code under test sleeps on it. */
    private static final class ManualClock implements TimeSource {
        long now = 1_000_000_000L;
        final List<Duration> sleeps = new ArrayList<>();

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleep(Duration duration) {
            sleeps.add(duration);
            now += duration.toNanos();
        }

        @Override
        public boolean awaitDone(Future<?> future, Duration timeout) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void countsActiveRequestsAndArrivals() {
        // given
        InFlightTracker tracker = new InFlightTracker();

        // when
        tracker.enter();
        tracker.enter();
        tracker.enter();
        tracker.exit(0);

        // then
        assertThat(tracker.active()).isEqualTo(2);
        assertThat(tracker.arrivals()).isEqualTo(3);
        assertThat(tracker).hasToString("InFlightTracker{active=2, arrivals=3}");
    }

    @Test
    void extraExitNeverMakesActiveNegative() {
        // given
        InFlightTracker tracker = new InFlightTracker();

        // when
        tracker.exit(0);

        // then
        assertThat(tracker.active()).isZero();
        assertThat(tracker.arrivals()).isZero();
    }

    @Test
    void concurrentRequestsBalanceOut() throws Exception {
        // given
        InFlightTracker tracker = new InFlightTracker();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();

        // when
        try {
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 10_000; i++) {
                        int token = tracker.enter();
                        assertThat(tracker.active()).isPositive();
                        tracker.exit(token);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        // then
        assertThat(tracker.active()).isZero();
        assertThat(tracker.arrivals()).isEqualTo(80_000);
    }

    @Test
    void awaitIdleReturnsAtOnceWhenIdle() throws Exception {
        // given
        InFlightTracker tracker = new InFlightTracker();
        ManualClock clock = new ManualClock();

        // when
        boolean idle = tracker.awaitIdle(clock, Deadline.after(clock, Duration.ofSeconds(5)));

        // then
        assertThat(idle).isTrue();
        assertThat(clock.sleeps).isEmpty();
    }

    @Test
    void awaitIdlePollsUntilTheDeadlineWhileBusy() throws Exception {
        // given
        InFlightTracker tracker = new InFlightTracker();
        tracker.enter();
        ManualClock clock = new ManualClock();

        // when
        boolean idle = tracker.awaitIdle(clock, Deadline.after(clock, Duration.ofMillis(25)));

        // then
        assertThat(idle).isFalse();
        assertThat(clock.sleeps).containsExactly(Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMillis(5));
    }

    @Test
    void awaitIdleSeesTheLastRequestFinish() throws Exception {
        // given
        InFlightTracker tracker = new InFlightTracker();
        tracker.enter();
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return tracker.awaitIdle(Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        // when
        tracker.exit(0);

        // then
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void awaitIdleWithRealClockGivesUpAfterTheTimeout() throws Exception {
        // given
        InFlightTracker tracker = new InFlightTracker();
        tracker.enter();

        // when
        long start = System.nanoTime();
        boolean idle = tracker.awaitIdle(Duration.ofMillis(50));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // then
        assertThat(idle).isFalse();
        assertThat(took).isBetween(Duration.ofMillis(50), Duration.ofSeconds(2));
    }
}
