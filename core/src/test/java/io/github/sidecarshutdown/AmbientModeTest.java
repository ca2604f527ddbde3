package io.github.sidecarshutdown;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio ambient mode (docs/sidecar-states.md, "Ambient"): no sidecar in the Pod, ztunnel forwards
 * until every container exited. Readiness off and the propagation delay run; nothing is drained or
 * released; no call goes to the (absent) sidecar ports.
 */
@Timeout(60)
class AmbientModeTest {

    private static final String NO_RELEASE = "ambient mode: ztunnel on the node carries the Pod's traffic until every "
            + "container exited; nothing to release";

    @TempDir
    Path dir;

    private final List<WireMockServer> servers = new ArrayList<>();

    @AfterEach
    void stopAll() {
        servers.forEach(s -> {
            if (s.isRunning()) {
                s.stop();
            }
        });
    }

    /** A port that answers whatever it is asked, like an unrelated server, and records it. */
    private WireMockServer anything() {
        WireMockServer w = TruthFixtures.wiremock();
        w.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(404).withBody("not here")));
        servers.add(w);
        return w;
    }

    private ShutdownCoordinatorBuilder builder(Map<String, String> env, WireMockServer admin, WireMockServer agent)
            throws Exception {
        Path annotations = dir.resolve("annotations");
        Files.writeString(annotations, "ambient.istio.io/redirection=\"enabled\"\n");
        return ShutdownCoordinator.builder()
                .fromEnvironment(env)
                .runtimeHooks(new RecordingHooks())
                .gracePeriod(Duration.ofSeconds(4))
                .safetyMargin(Duration.ofSeconds(1))
                .propagationDelay(Duration.ofMillis(300))
                .drainTimeout(Duration.ofMillis(100))
                .adminTimeout(Duration.ofMillis(500))
                .annotationsFile(annotations)
                .labelsFile(dir.resolve("no-labels"))
                .adminUrl(URI.create(admin.baseUrl()))
                .agentUrl(URI.create(agent.baseUrl()))
                .linkerdAdminUrl(URI.create(TruthFixtures.refusedUrl()))
                .daprUrl(URI.create(TruthFixtures.refusedUrl()));
    }

    @Test
    void ambientModeRunsReadinessOffAndTheDelayAndCallsNothing() throws Exception {
        // given admin and agent ports that record every request: ambient must send none
        WireMockServer admin = anything();
        WireMockServer agent = anything();
        AtomicBoolean ran = new AtomicBoolean();
        ShutdownCoordinator c = builder(Map.of("SIDECAR_SHUTDOWN_SIDECAR_MODE", "ambient"), admin, agent)
                .task("notify-peers", ctx -> ran.set(true)).build();
        assertThat(c.awaitSidecarReady()).isEqualTo(SidecarReadiness.READY);
        String plan = c.plan().render();

        // when
        ShutdownReport report = c.shutdown();

        // then
        assertThat(TruthFixtures.calls(admin)).as("admin calls").isEmpty();
        assertThat(TruthFixtures.calls(agent)).as("agent calls").isEmpty();
        assertThat(plan).contains("sidecar ambient", "none (ambient mode: ztunnel on the node carries the Pod's traffic");
        assertThat(report.complete()).isTrue();
        assertThat(report.sidecar()).isEqualTo("ambient");
        assertThat(report.sidecarAtStart()).isEqualTo(SidecarState.LIVE);
        assertThat(report.sidecarReleased()).isFalse();
        assertThat(c.readiness().isReady()).isFalse();
        assertThat(report.phase(ShutdownPhase.READINESS_OFF).orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(report.phase(ShutdownPhase.PROPAGATION_DELAY).orElseThrow().elapsed())
                .isGreaterThanOrEqualTo(Duration.ofMillis(290));
        assertThat(String.valueOf(report.phase(ShutdownPhase.INBOUND_DRAIN).orElseThrow().detail())).doesNotContain("drain_listeners");
        assertThat(ran).isTrue();
        assertThat(report.task("notify-peers").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().detail()).isEqualTo(NO_RELEASE);
        assertThat(report.summaryLine()).contains("sidecar ambient");
    }

    @Test
    void autoChoosesAmbientFromTheAnnotationWhenNoEnvoyAnswersAndThenAsksNothing() throws Exception {
        // given the ambient annotation, and a port 15000 that answers, but not as Envoy
        WireMockServer admin = anything();
        WireMockServer agent = anything();
        ShutdownCoordinator c = builder(Map.of(), admin, agent).build();

        // when
        ShutdownReport report = c.shutdown();

        // then: /server_info proved nothing once; after that no call at all
        assertThat(report.sidecar()).as(report.summaryLine()).isEqualTo("ambient");
        assertThat(TruthFixtures.calls(admin)).containsExactly("GET /server_info");
        assertThat(TruthFixtures.calls(agent)).isEmpty();
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().detail()).isEqualTo(NO_RELEASE);
    }

    @Test
    void anEnvoyThatProvesItselfWinsOverTheAmbientAnnotation() throws Exception {
        WireMockServer admin = TruthFixtures.wiremock();
        servers.add(admin);
        TruthFixtures.stubLiveIstioAdmin(admin, TruthFixtures.ISTIO_SERVER_INFO);
        WireMockServer agent = anything();
        ShutdownCoordinator c = builder(Map.of(), admin, agent).build();

        assertThat(c.plan().facts().mode()).isEqualTo(SidecarMode.ISTIO);
    }

    @Test
    void aJobInAmbientModeReleasesNothingAndSaysAmbient() throws Exception {
        WireMockServer admin = anything();
        WireMockServer agent = anything();
        ShutdownCoordinator c = builder(Map.of("SIDECAR_SHUTDOWN_SIDECAR_MODE", "ambient", "SIDECAR_SHUTDOWN_WORKLOAD", "job"),
                admin, agent).build();

        ShutdownReport report = c.shutdown();

        assertThat(TruthFixtures.calls(admin)).isEmpty();
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().detail()).isEqualTo(NO_RELEASE);
        assertThat(report.summaryLine()).contains("workload job", "sidecar ambient");
    }
}
