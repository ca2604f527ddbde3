package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.sidecarshutdown.ScriptedLoopbackServer.Reply;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AUTO detection is not a race and never sends a mesh's call to an impostor (spec item 6): an
 * unrelated HTTP server that happens to answer 200 on the Linkerd or Dapr port is not a sidecar, a
 * first lookup made before Envoy is up does not settle the mode for good, and real-looking
 * linkerd-proxy and daprd APIs are still recognised.
 */
@Timeout(60)
class SidecarDetectionTruthTest {

    private static final Duration GRACE = Duration.ofSeconds(4);
    private static final Duration MARGIN = Duration.ofSeconds(1);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private <T extends AutoCloseable> T keep(T r) {
        resources.add(r);
        return r;
    }

    private WireMockServer wiremock(int port) {
        WireMockServer w = TruthFixtures.wiremock(port);
        resources.add(() -> {
            if (w.isRunning()) {
                w.stop();
            }
        });
        return w;
    }

    private static ShutdownCoordinatorBuilder auto(String admin, String linkerd, String dapr) {
        return RefusedSidecarUrls.everywhere(ShutdownCoordinator.builder()
                .fromEnvironment(Map.of()))
                .runtimeHooks(new RecordingHooks())
                .gracePeriod(GRACE)
                .safetyMargin(MARGIN)
                .propagationDelay(Duration.ZERO)
                .drainTimeout(Duration.ofMillis(100))
                .taskTimeout(Duration.ofSeconds(1))
                // room for a loaded machine: every server here answers at once or refuses, none hangs
                .adminTimeout(Duration.ofSeconds(2))
                .startupWait(Duration.ofSeconds(2))
                .sidecarMode(SidecarMode.AUTO)
                .adminUrl(URI.create(admin))
                .agentUrl(URI.create(TruthFixtures.refusedUrl()))
                .linkerdAdminUrl(URI.create(linkerd))
                .daprUrl(URI.create(dapr))
                .task("notify", ctx -> { });
    }

    @ParameterizedTest(name = "impostor body \"{0}\"")
    @ValueSource(strings = {"", "{}"})
    void anImpostorOnTheDaprPortDoesNotWinAgainstAnEnvoyThatComesUpLater(String body) throws Exception {
        // given an unrelated app on the Dapr port answering 200/204 to anything, and Envoy admin not up yet
        ScriptedLoopbackServer impostor = keep(new ScriptedLoopbackServer(
                r -> r.startsWith("GET") ? Reply.json(200, body) : Reply.of(204, "")));
        int adminPort = TruthFixtures.freePort();
        ShutdownCoordinator c = auto("http://127.0.0.1:" + adminPort, TruthFixtures.refusedUrl(), impostor.url()).build();
        c.plan(); // the first lookup, while only the impostor answers

        // when Envoy of classic Istio comes up where its admin port was configured
        WireMockServer admin = wiremock(adminPort);
        TruthFixtures.stubLiveIstioAdmin(admin, TruthFixtures.ISTIO_SERVER_INFO);
        SidecarMode later = c.plan().facts().mode();
        ShutdownReport report = c.shutdown();

        // then
        assertThat(later).as("Envoy answering with ISTIO_VERSION; the impostor got %s", impostor.requests)
                .isEqualTo(SidecarMode.ISTIO);
        assertThat(impostor.requestsStartingWith("POST ")).as("the impostor is never told to shut down; %s",
                report.summaryLine()).isEmpty();
    }

    @Test
    void anImpostorAnswering200OkOnTheLinkerdPortIsNotLinkerd() throws Exception {
        // given an unrelated app on linkerd-proxy's admin port: 200 "OK" to anything
        ScriptedLoopbackServer impostor = keep(ScriptedLoopbackServer.always(Reply.of(200, "OK")));
        ShutdownCoordinator c = auto(TruthFixtures.refusedUrl(), impostor.url(), TruthFixtures.refusedUrl()).build();

        SidecarMode mode = c.plan().facts().mode();
        ShutdownReport report = c.shutdown();

        assertThat(mode).as("an app answering 200 OK to /ready is not linkerd-proxy; it got %s", impostor.requests)
                .isNotEqualTo(SidecarMode.LINKERD);
        assertThat(impostor.requestsStartingWith("POST ")).as("no POST /shutdown to it; %s", report.summaryLine()).isEmpty();
    }

    @Test
    void aRealLookingDaprdIsDetectedAsDapr() throws IOException {
        ScriptedLoopbackServer daprd = keep(new ScriptedLoopbackServer(r -> {
            if (r.startsWith("GET /v1.0/healthz")) {
                return Reply.of(204, "");
            }
            if (r.startsWith("GET /v1.0/metadata")) {
                return Reply.json(200, "{\"id\":\"app\",\"runtimeVersion\":\"1.16.0\"}");
            }
            if (r.startsWith("POST /v1.0/shutdown")) {
                return Reply.of(204, "");
            }
            return Reply.of(404, "");
        }));
        ShutdownCoordinator c = auto(TruthFixtures.refusedUrl(), TruthFixtures.refusedUrl(), daprd.url()).build();

        assertThat(c.plan().facts().mode()).as("daprd got %s", daprd.requests).isEqualTo(SidecarMode.DAPR);
    }

    @Test
    void aRealLookingLinkerdProxyIsDetectedAsLinkerd() throws IOException {
        ScriptedLoopbackServer proxy = keep(new ScriptedLoopbackServer(r -> {
            if (r.startsWith("GET /ready")) {
                return Reply.of(200, "ready\n");
            }
            if (r.startsWith("GET /live")) {
                return Reply.of(200, "live\n");
            }
            if (r.startsWith("GET /metrics")) {
                return Reply.of(200, "# HELP process_start_time_seconds\nprocess_start_time_seconds 1.7e9\n");
            }
            return Reply.of(404, "not found\n");
        }));
        ShutdownCoordinator c = auto(TruthFixtures.refusedUrl(), proxy.url(), TruthFixtures.refusedUrl()).build();

        assertThat(c.plan().facts().mode()).as("linkerd-proxy got %s", proxy.requests).isEqualTo(SidecarMode.LINKERD);
    }
}
