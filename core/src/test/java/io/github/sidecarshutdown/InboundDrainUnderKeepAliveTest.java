package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A server that keeps serving already-open keep-alive connections after its own graceful shutdown
 * (Reactor Netty does) must not hold the inbound drain, and the cleanup behind it, for the whole
 * drain timeout: the drain waits for the requests that were in flight when it began, not for the
 * ones that keep arriving.
 */
class InboundDrainUnderKeepAliveTest {

    private final RecordingHooks hooks = new RecordingHooks();

    @Test
    void theDrainWaitsForWhatWasInFlightNotForRequestsThatKeepArriving() throws Exception {
        ShutdownCoordinator c = ShutdownCoordinator.builder().fromEnvironment(Map.of()).runtimeHooks(hooks)
                .sidecarMode(SidecarMode.NONE).propagationDelay(Duration.ZERO)
                .drainTimeout(Duration.ofSeconds(10)).gracePeriod(Duration.ofSeconds(20)).build();
        InFlightTracker tracker = c.inFlight();
        int slow = tracker.enter(); // in flight when the drain begins; ends 300 ms later
        AtomicBoolean stop = new AtomicBoolean();
        // steady keep-alive load: two overlapping requests always in flight, for as long as the test runs
        Thread load = new Thread(() -> {
            int previous = tracker.enter();
            while (!stop.get()) {
                int next = tracker.enter();
                tracker.exit(previous);
                previous = next;
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    break;
                }
            }
            tracker.exit(previous);
        }, "test-worker-keep-alive-load");
        load.setDaemon(true);
        load.start();
        Thread finisher = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                tracker.exit(slow);
            }
        }, "test-worker-slow-request");
        finisher.start();

        try {
            ShutdownReport report = c.shutdown();

            PhaseResult drain = report.phase(ShutdownPhase.INBOUND_DRAIN).orElseThrow();
            assertThat(drain.outcome()).as(report.summaryLine()).isEqualTo(TaskOutcome.SUCCEEDED);
            // ended once the slow request was done (300 ms), far from the 10 s drain timeout
            assertThat(drain.elapsed()).as(report.summaryLine()).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
            assertThat(tracker.active()).as("the late requests were still being served").isPositive();
        } finally {
            stop.set(true);
            load.join(5_000);
            finisher.join(5_000);
        }
    }
}
