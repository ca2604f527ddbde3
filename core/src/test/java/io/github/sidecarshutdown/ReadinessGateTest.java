package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sidecarshutdown.ReadinessGate.State;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class ReadinessGateTest {

    @Test
    void startsNotReady() {
        // when
        ReadinessGate gate = new ReadinessGate();

        // then
        assertThat(gate.state()).isEqualTo(State.STARTING);
        assertThat(gate.isReady()).isFalse();
    }

    @Test
    void readyThenShuttingDownNotifiesEachChangeOnce() {
        // given
        ReadinessGate gate = new ReadinessGate();
        List<State> seen = new CopyOnWriteArrayList<>();
        gate.onChange(seen::add);

        // when
        gate.markReady();
        gate.markReady();
        boolean readyInBetween = gate.isReady();
        gate.markShuttingDown();
        gate.markShuttingDown();

        // then
        assertThat(readyInBetween).isTrue();
        assertThat(gate.state()).isEqualTo(State.SHUTTING_DOWN);
        assertThat(gate.isReady()).isFalse();
        assertThat(seen).containsExactly(State.READY, State.SHUTTING_DOWN);
    }

    @Test
    void shuttingDownIsFinal() {
        // given
        ReadinessGate gate = new ReadinessGate();
        List<State> seen = new CopyOnWriteArrayList<>();
        gate.onChange(seen::add);
        gate.markShuttingDown();

        // when
        gate.markReady();

        // then
        assertThat(gate.state()).isEqualTo(State.SHUTTING_DOWN);
        assertThat(gate.isReady()).isFalse();
        assertThat(seen).containsExactly(State.SHUTTING_DOWN);
    }

    @Test
    void aFailingListenerDoesNotStopTheOthersNorTheChange() {
        // given
        ReadinessGate gate = new ReadinessGate();
        List<State> seen = new CopyOnWriteArrayList<>();
        gate.onChange(s -> {
            throw new IllegalStateException("listener bug");
        });
        gate.onChange(seen::add);

        // when
        gate.markReady();
        gate.markShuttingDown();

        // then
        assertThat(gate.state()).isEqualTo(State.SHUTTING_DOWN);
        assertThat(seen).containsExactly(State.READY, State.SHUTTING_DOWN);
    }

    /**
     * Regression: READY was once delivered outside any ordering with markShuttingDown, so when
     * SIGTERM arrived while READY was being delivered a later listener got SHUTTING_DOWN first and
     * READY last, and a subscriber mirroring the gate ended on READY while shutting down for good.
     */
    @Test
    void aSubscriberNeverEndsOnReadyOnceShutdownBegan() throws Exception {
        // given
        ReadinessGate gate = new ReadinessGate();
        List<State> mirror = new CopyOnWriteArrayList<>();
        Thread[] shutdownHook = new Thread[1];
        gate.onChange(s -> {
            if (s == State.READY) {
                // the shutdown hook runs while READY is still being delivered
                shutdownHook[0] = new Thread(gate::markShuttingDown, "sigterm");
                shutdownHook[0].start();
                try {
                    shutdownHook[0].join(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        gate.onChange(mirror::add);

        // when
        gate.markReady();
        shutdownHook[0].join(5_000);

        // then
        assertThat(gate.state()).isEqualTo(State.SHUTTING_DOWN);
        assertThat(mirror).isNotEmpty();
        assertThat(mirror.get(mirror.size() - 1)).as("last state delivered, in order %s", mirror)
                .isEqualTo(State.SHUTTING_DOWN);
    }

    @Test
    void nullListenerIsRefused() {
        // when / then
        assertThatThrownBy(() -> new ReadinessGate().onChange(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("listener");
    }

    @Test
    void racingMarksEndShuttingDownWithOneShutdownEvent() throws Exception {
        // given
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 200; round++) {
                ReadinessGate gate = new ReadinessGate();
                List<State> seen = new CopyOnWriteArrayList<>();
                gate.onChange(seen::add);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> futures = new ArrayList<>();

                // when
                for (int t = 0; t < 8; t++) {
                    boolean shut = t % 2 == 0;
                    futures.add(pool.submit(() -> {
                        start.await();
                        if (shut) {
                            gate.markShuttingDown();
                        } else {
                            gate.markReady();
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : futures) {
                    f.get(10, TimeUnit.SECONDS);
                }

                // then
                assertThat(gate.state()).isEqualTo(State.SHUTTING_DOWN);
                assertThat(seen).filteredOn(s -> s == State.SHUTTING_DOWN).hasSize(1);
                assertThat(seen.stream().filter(s -> s == State.READY).count()).isLessThanOrEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
