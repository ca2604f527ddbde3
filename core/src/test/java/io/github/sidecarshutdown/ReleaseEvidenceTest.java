package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The evidence rule with the guard's recent evidence (docs/sidecar-states.md, "Evidence gathered
 * during cleanup"): a TERMINATING seen by the cleanup's own check at most
 * {@link SidecarRelease#EVIDENCE_MAX_AGE} ago stands for the probe before the release; anything
 * else (UNKNOWN, older evidence) is asked again, and UNKNOWN is never released.
 */
@Timeout(60)
class ReleaseEvidenceTest {

    private final VirtualTime time = new VirtualTime();
    private final FakeSidecar sidecar = new FakeSidecar(time, FakeSidecar.istio(Duration.ofSeconds(30)));
    private final List<Long> probedAt = new CopyOnWriteArrayList<>();
    private final AtomicLong cleanupEnded = new AtomicLong();

    private ShutdownCoordinator coordinator(Duration cleanupWork) {
        return ShutdownCoordinator.builder().fromEnvironment(Map.of()).timeSource(time).runtimeHooks(new RecordingHooks())
                .sidecar(sidecar).gracePeriod(Duration.ofSeconds(30)).propagationDelay(Duration.ZERO)
                .task(ShutdownTask.builder("deregister", ctx -> {
                    time.sleep(cleanupWork);
                    cleanupEnded.set(time.nanoTime());
                }).timeout(Duration.ofSeconds(10)).build())
                .build();
    }

    private void script(java.util.function.IntFunction<SidecarState> byProbe) {
        AtomicInteger n = new AtomicInteger();
        sidecar.state = t -> {
            probedAt.add(t);
            return byProbe.apply(n.incrementAndGet());
        };
    }

    @Test
    void aTerminatingSidecarSeenByTheCleanupCheckIsReleasedWithoutAnotherProbe() {
        script(n -> SidecarState.TERMINATING);

        ShutdownReport report = coordinator(Duration.ofMillis(200)).shutdown();

        assertThat(sidecar.count("release")).as(report.summaryLine()).isEqualTo(1);
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(probedAt).as("probes after the cleanup ended (%s)", cleanupEnded.get())
                .allMatch(t -> t < cleanupEnded.get());
    }

    @Test
    void terminatingSeenLongerAgoThanTheMaximumAgeIsAskedAgainAndUnknownIsNotReleased() {
        // Terminating at the start, the drain and the cleanup check; unknown by the time the release asks.
        script(n -> n <= 3 ? SidecarState.TERMINATING : SidecarState.UNKNOWN);

        ShutdownReport report = coordinator(Duration.ofSeconds(1).plusMillis(100) /* past the engine's SidecarRelease.EVIDENCE_MAX_AGE */).shutdown();

        // the release asked again (and, since unknown can be a 503 that has not lasted yet, again for a moment)
        assertThat(probedAt).as("probes").hasSizeGreaterThanOrEqualTo(4);
        assertThat(probedAt.get(3)).as("the release's own probe, after the cleanup").isGreaterThanOrEqualTo(cleanupEnded.get());
        assertThat(sidecar.count("release")).as(report.summaryLine()).isZero();
        PhaseResult release = report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow();
        assertThat(release.outcome()).isEqualTo(TaskOutcome.SKIPPED);
        assertThat(release.detail()).contains("unknown");
    }

    @Test
    void whenTheCleanupCheckLastSawUnknownTheReleaseAsksAgainAndSkipsOnUnknown() {
        // Terminating at the start and the drain; the cleanup's check and everything later: unknown.
        script(n -> n <= 2 ? SidecarState.TERMINATING : SidecarState.UNKNOWN);

        ShutdownReport report = coordinator(Duration.ofMillis(10)).shutdown();

        assertThat(probedAt).as("the release asked again").hasSizeGreaterThanOrEqualTo(4);
        assertThat(sidecar.count("release")).as(report.summaryLine()).isZero();
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().outcome()).isEqualTo(TaskOutcome.SKIPPED);
        assertThat(report.sidecarReleased()).isFalse();
    }

    @Test
    void aSidecarThatExitedAfterItWasSeenTerminatingIsReportedGoneNotFailed() {
        sidecar.state = t -> sidecar.calls.contains("release") ? SidecarState.GONE : SidecarState.TERMINATING;
        sidecar.releaseFailure = new IllegalStateException("connection refused");

        ShutdownReport report = coordinator(Duration.ofMillis(10)).shutdown();

        PhaseResult release = report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow();
        assertThat(release.outcome()).as(report.summaryLine()).isEqualTo(TaskOutcome.SKIPPED);
        assertThat(release.detail()).contains("gone");
    }

    /**
     * The release decides on what it sees now (docs/sidecar-states.md): a sidecar its own probe saw
     * terminating (the cleanup's evidence was too old to reuse) before it waited for the rest of
     * the JVM (here a request of the app that outlived the drain), and gone by the time the call is
     * made (Istio's window ran out meanwhile), was not released: reported gone, as its row says,
     * not as a failed release.
     */
    @Test
    void aSidecarThatExitedWhileTheReleaseWaitedIsReportedGoneNotFailed() {
        long goneAt = time.nanoTime() + Duration.ofMillis(2500).toNanos();
        long requestEndsAt = time.nanoTime() + Duration.ofMillis(3500).toNanos();
        sidecar.state = t -> t >= goneAt ? SidecarState.GONE : SidecarState.TERMINATING;
        sidecar.releaseFailure = new IllegalStateException("connection refused");
        AtomicInteger request = new AtomicInteger(-1); // its token while in flight
        InFlightTracker[] tracker = new InFlightTracker[1];
        TimeSource clock = new TimeSource() { // the virtual clock; the app's last request ends at requestEndsAt
            @Override
            public long nanoTime() {
                return time.nanoTime();
            }

            @Override
            public void sleep(Duration d) throws InterruptedException {
                time.sleep(d);
                int token = request.get();
                if (time.nanoTime() >= requestEndsAt && token >= 0 && request.compareAndSet(token, -1)) {
                    tracker[0].exit(token);
                }
            }

            @Override
            public boolean awaitDone(java.util.concurrent.Future<?> f, Duration timeout) throws InterruptedException {
                return time.awaitDone(f, timeout);
            }
        };
        ShutdownCoordinator c = ShutdownCoordinator.builder().fromEnvironment(Map.of()).timeSource(clock).runtimeHooks(new RecordingHooks())
                .sidecar(sidecar).gracePeriod(Duration.ofSeconds(30)).propagationDelay(Duration.ZERO).drainTimeout(Duration.ofMillis(100))
                .task(ShutdownTask.builder("deregister", ctx -> time.sleep(Duration.ofMillis(1100))) // past the evidence's maximum age
                        .timeout(Duration.ofSeconds(10)).build())
                .build();
        tracker[0] = c.inFlight();
        request.set(tracker[0].enter());

        ShutdownReport report = c.shutdown();

        PhaseResult release = report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow();
        assertThat(release.outcome()).as(report.summaryLine()).isEqualTo(TaskOutcome.SKIPPED);
        assertThat(release.detail()).contains("gone").contains("while the release waited").contains("terminating");
        assertThat(sidecar.count("release")).as("the call was made, and refused").isEqualTo(1);
    }
}
