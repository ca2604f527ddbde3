package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One release per process, after every coordinator's outbound work (spec item 5): two coordinators
 * in one JVM (two libraries of one service, each with its own) share one sidecar; the first to
 * finish must not make the sidecar exit under the other's still running cleanup. Each test uses its
 * own sidecar stand-ins, so a process-wide record of releases kept per sidecar does not leak
 * between tests.
 */
@Timeout(60)
class OneReleasePerProcessTest {

    private final WireMockServer admin = TruthFixtures.wiremock();
    private final WireMockServer agent = TruthFixtures.wiremock();

    @AfterEach
    void stop() {
        admin.stop();
        if (agent.isRunning()) {
            agent.stop();
        }
    }

    private ShutdownCoordinator coordinator(String task, Duration work, AtomicLong endedAt) {
        return ShutdownCoordinator.builder()
                .fromEnvironment(Map.of())
                .runtimeHooks(new RecordingHooks())
                .gracePeriod(Duration.ofSeconds(6))
                .safetyMargin(Duration.ofSeconds(1))
                .propagationDelay(Duration.ZERO)
                .drainTimeout(Duration.ofMillis(100))
                .taskTimeout(Duration.ofSeconds(3))
                .adminTimeout(Duration.ofMillis(500))
                .startupWait(Duration.ofSeconds(5))
                .sidecarMode(SidecarMode.ISTIO)
                .adminUrl(URI.create(admin.baseUrl()))
                .agentUrl(URI.create(agent.baseUrl()))
                .task(task, ctx -> {
                    Thread.sleep(work.toMillis());
                    endedAt.set(System.currentTimeMillis());
                })
                .build();
    }

    @Test
    void twoCoordinatorsReleaseTheSidecarOnceAfterTheSlowerOnesWork() throws Exception {
        // given one classic Istio sidecar, seen ready by both coordinators, then terminating
        TruthFixtures.stubLiveIstioAdmin(admin, TruthFixtures.ISTIO_SERVER_INFO);
        TruthFixtures.stubReadyAgent(agent);
        AtomicLong aEnded = new AtomicLong();
        AtomicLong bEnded = new AtomicLong();
        ShutdownCoordinator a = coordinator("a-cleanup", Duration.ofMillis(50), aEnded);
        ShutdownCoordinator b = coordinator("b-cleanup", Duration.ofMillis(800), bEnded);
        assertThat(a.awaitSidecarReady()).isEqualTo(SidecarReadiness.READY);
        assertThat(b.awaitSidecarReady()).isEqualTo(SidecarReadiness.READY);
        agent.stop();

        // when both shut down at once
        CompletableFuture<ShutdownReport> fa = a.shutdownAsync();
        CompletableFuture<ShutdownReport> fb = b.shutdownAsync();
        ShutdownReport ra = fa.get(10, TimeUnit.SECONDS);
        ShutdownReport rb = fb.get(10, TimeUnit.SECONDS);

        // then
        assertThat(ra.complete()).as(ra.summaryLine()).isTrue();
        assertThat(rb.complete()).as(rb.summaryLine()).isTrue();
        assertThat(rb.task("b-cleanup").orElseThrow().outcome()).as(rb.summaryLine()).isEqualTo(TaskOutcome.SUCCEEDED);
        List<Long> quits = TruthFixtures.arrivalsOf(admin, "POST /quitquitquit");
        assertThat(quits).as("one sidecar, one release; admin calls %s%n  A: %s%n  B: %s", TruthFixtures.calls(admin),
                ra.summaryLine(), rb.summaryLine()).hasSize(1);
        assertThat(quits.get(0)).as("quitquitquit at %d, B's cleanup ended at %d (A's at %d)", quits.get(0), bEnded.get(),
                aEnded.get()).isGreaterThanOrEqualTo(bEnded.get());
    }
}
