package io.github.sidecarshutdown;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.sidecarshutdown.internal.engine.SequenceRun;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The library's view of the sidecar decides whether it drains and releases it (spec items 3, 4 and
 * 7): a sidecar is released, and Envoy drained, only when it was seen ready and then seen
 * terminating. A pilot-agent never seen is not "terminating"; an agent still ready means the app
 * got SIGTERM alone (the Pod is not being deleted); Linkerd and Dapr still ready are not released.
 */
@Timeout(60)
class SidecarReleaseTruthTest {

    private static final Duration GRACE = Duration.ofSeconds(4);
    private static final Duration MARGIN = Duration.ofSeconds(1);
    private static final Duration BUDGET = GRACE.minus(MARGIN);

    private final List<WireMockServer> servers = new ArrayList<>();

    @AfterEach
    void stopAll() {
        servers.forEach(s -> {
            if (s.isRunning()) {
                s.stop();
            }
        });
    }

    private WireMockServer server() {
        WireMockServer w = TruthFixtures.wiremock();
        servers.add(w);
        return w;
    }

    private static ShutdownCoordinatorBuilder builder(SidecarMode mode) {
        return ShutdownCoordinator.builder()
                .fromEnvironment(Map.of())
                .runtimeHooks(new RecordingHooks())
                .gracePeriod(GRACE)
                .safetyMargin(MARGIN)
                .propagationDelay(Duration.ZERO)
                .drainTimeout(Duration.ofMillis(100))
                .taskTimeout(Duration.ofSeconds(1))
                .adminTimeout(Duration.ofMillis(500))
                .startupWait(Duration.ofSeconds(5))
                .sidecarMode(mode)
                .adminUrl(URI.create(TruthFixtures.refusedUrl()))
                .agentUrl(URI.create(TruthFixtures.refusedUrl()))
                .linkerdAdminUrl(URI.create(TruthFixtures.refusedUrl()))
                .daprUrl(URI.create(TruthFixtures.refusedUrl()))
                .task("notify", ctx -> { });
    }

    private static ShutdownReport runBounded(ShutdownCoordinator c) {
        ShutdownReport report = c.shutdown();
        assertThat(report.complete()).as(report.summaryLine()).isTrue();
        assertThat(report.elapsed()).as(report.summaryLine()).isLessThanOrEqualTo(BUDGET.plus(SequenceRun.OVERRUN_BOUND));
        return report;
    }

    private static PhaseResult phase(ShutdownReport r, ShutdownPhase p) {
        return r.phase(p).orElseThrow();
    }

    // ---- item 3: an agent never seen is not a terminating sidecar ----

    @ParameterizedTest
    @ValueSource(strings = {"istio", "auto"})
    void aHealthyIstioSidecarWhoseAgentWasNeverSeenIsNeitherDrainedNorReleased(String modeName) {
        SidecarMode mode = SidecarMode.of(modeName);
        // given Envoy admin of classic Istio, LIVE, and nothing listening where pilot-agent should be
        WireMockServer admin = server();
        TruthFixtures.stubLiveIstioAdmin(admin, TruthFixtures.ISTIO_SERVER_INFO);
        ShutdownCoordinator c = builder(SidecarMode.of(modeName)).adminUrl(URI.create(admin.baseUrl())).build();

        // when
        ShutdownReport report = runBounded(c);

        // then: nothing says the Pod is being deleted, so the sidecar is left alone
        List<String> calls = TruthFixtures.calls(admin);
        assertThat(TruthFixtures.callsTo(admin, "POST /quitquitquit")).as("admin calls %s; %s", calls, report.summaryLine()).isEmpty();
        assertThat(TruthFixtures.callsTo(admin, "POST /drain_listeners")).as("admin calls %s; %s", calls, report.summaryLine()).isEmpty();
        assertThat(phase(report, ShutdownPhase.SIDECAR_RELEASE).outcome()).as(report.summaryLine()).isEqualTo(TaskOutcome.SKIPPED);
        assertThat(report.sidecarAtStart()).as(report.summaryLine()).isNotEqualTo(SidecarState.TERMINATING);
        assertThat(report.sidecarReleased()).isFalse();
    }

    // ---- item 4: a non-terminating Envoy is not drained; a terminating one is drained with skip_exit ----

    @ParameterizedTest
    @ValueSource(strings = {"istio", "auto"})
    void anEnvoyWhoseAgentIsStillReadyIsNeitherDrainedNorReleased(String modeName) throws Exception {
        // given Envoy LIVE and pilot-agent ready throughout: the app got SIGTERM alone
        WireMockServer admin = server();
        WireMockServer agent = server();
        TruthFixtures.stubLiveIstioAdmin(admin, TruthFixtures.ISTIO_SERVER_INFO);
        TruthFixtures.stubReadyAgent(agent);
        ShutdownCoordinator c = builder(SidecarMode.of(modeName)).adminUrl(URI.create(admin.baseUrl())).agentUrl(URI.create(agent.baseUrl())).build();
        assertThat(c.awaitSidecarReady()).isEqualTo(SidecarReadiness.READY);

        // when
        ShutdownReport report = runBounded(c);

        // then
        List<String> calls = TruthFixtures.calls(admin);
        assertThat(TruthFixtures.callsTo(admin, "POST /drain_listeners"))
                .as("an Envoy that is not terminating keeps its inbound listeners; admin calls %s; %s", calls, report.summaryLine())
                .isEmpty();
        assertThat(TruthFixtures.callsTo(admin, "POST /quitquitquit")).as("admin calls %s", calls).isEmpty();
        assertThat(phase(report, ShutdownPhase.SIDECAR_RELEASE).outcome()).isEqualTo(TaskOutcome.SKIPPED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"istio", "auto"})
    void aTerminatingEnvoyIsDrainedInboundOnlyWithSkipExitAndReleasedOnceLast(String modeName) throws Exception {
        // given pilot-agent ready at startup, then closed (the Pod's SIGTERM reached it)
        WireMockServer admin = server();
        WireMockServer agent = server();
        TruthFixtures.stubLiveIstioAdmin(admin, TruthFixtures.ISTIO_SERVER_INFO);
        TruthFixtures.stubReadyAgent(agent);
        ShutdownCoordinator c = builder(SidecarMode.of(modeName)).adminUrl(URI.create(admin.baseUrl())).agentUrl(URI.create(agent.baseUrl())).build();
        assertThat(c.awaitSidecarReady()).isEqualTo(SidecarReadiness.READY);
        agent.stop();

        // when
        ShutdownReport report = runBounded(c);

        // then
        List<String> calls = TruthFixtures.calls(admin);
        List<String> drains = TruthFixtures.callsTo(admin, "POST /drain_listeners");
        assertThat(drains).as("admin calls %s; %s", calls, report.summaryLine()).hasSize(1);
        assertThat(TruthFixtures.queryNames(drains.get(0))).as("drain call %s", drains.get(0))
                .containsExactlyInAnyOrder("inboundonly", "graceful", "skip_exit");
        assertThat(TruthFixtures.callsTo(admin, "POST /quitquitquit")).as("admin calls %s", calls).hasSize(1);
        assertThat(calls).as("the release is the last thing the sidecar hears").last().isEqualTo("POST /quitquitquit");
        assertThat(report.sidecarReleased()).isTrue();
    }

    // ---- item 7: Linkerd is released only while terminating; Dapr not even then (in a service) ----

    private WireMockServer linkerd(int readyStatus, String readyBody) {
        WireMockServer l = server();
        l.stubFor(get(urlPathEqualTo("/ready")).willReturn(aResponse().withStatus(readyStatus)
                .withHeader("Content-Type", "text/plain").withBody(readyBody)));
        l.stubFor(get(urlPathEqualTo("/live")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/plain").withBody("live\n")));
        l.stubFor(post(urlPathEqualTo("/shutdown")).willReturn(aResponse().withStatus(200).withBody("shutdown\n")));
        return l;
    }

    private WireMockServer dapr(int healthStatus) {
        WireMockServer d = server();
        d.stubFor(get(urlPathEqualTo("/v1.0/healthz/outbound")).willReturn(aResponse().withStatus(healthStatus)));
        d.stubFor(get(urlPathEqualTo("/v1.0/healthz")).willReturn(aResponse().withStatus(healthStatus)));
        d.stubFor(get(urlPathEqualTo("/v1.0/metadata")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"app\",\"runtimeVersion\":\"1.16.0\"}")));
        d.stubFor(post(urlPathEqualTo("/v1.0/shutdown")).willReturn(aResponse().withStatus(204)));
        return d;
    }

    @Test
    void aLinkerdProxyStillReadyIsNotReleased() throws Exception {
        WireMockServer l = linkerd(200, "ready\n");
        ShutdownCoordinator c = builder(SidecarMode.LINKERD).linkerdAdminUrl(URI.create(l.baseUrl())).build();
        assertThat(c.awaitSidecarReady()).isEqualTo(SidecarReadiness.READY);

        ShutdownReport report = runBounded(c);

        assertThat(TruthFixtures.callsTo(l, "POST /shutdown")).as("linkerd calls %s; %s", TruthFixtures.calls(l),
                report.summaryLine()).isEmpty();
        assertThat(phase(report, ShutdownPhase.SIDECAR_RELEASE).outcome()).as(report.summaryLine()).isEqualTo(TaskOutcome.SKIPPED);
        assertThat(report.sidecarReleased()).isFalse();
    }

    @Test
    void aLinkerdProxySeenReadyThenNotReadyIsReleasedOnce() throws Exception {
        WireMockServer l = linkerd(200, "ready\n");
        ShutdownCoordinator c = builder(SidecarMode.LINKERD).linkerdAdminUrl(URI.create(l.baseUrl())).build();
        assertThat(c.awaitSidecarReady()).isEqualTo(SidecarReadiness.READY);
        l.stubFor(get(urlPathEqualTo("/ready")).willReturn(aResponse().withStatus(503)
                .withHeader("Content-Type", "text/plain").withBody("not ready\n")));

        ShutdownReport report = runBounded(c);

        assertThat(TruthFixtures.callsTo(l, "POST /shutdown")).as("linkerd calls %s; %s", TruthFixtures.calls(l),
                report.summaryLine()).hasSize(1);
        assertThat(report.sidecarReleased()).isTrue();
    }

    @Test
    void aDaprdStillHealthyIsNotReleased() throws Exception {
        WireMockServer d = dapr(204);
        ShutdownCoordinator c = builder(SidecarMode.DAPR).daprUrl(URI.create(d.baseUrl())).build();
        assertThat(c.awaitSidecarReady()).isEqualTo(SidecarReadiness.READY);

        ShutdownReport report = runBounded(c);

        assertThat(TruthFixtures.callsTo(d, "POST /v1.0/shutdown")).as("daprd calls %s; %s", TruthFixtures.calls(d),
                report.summaryLine()).isEmpty();
        assertThat(phase(report, ShutdownPhase.SIDECAR_RELEASE).outcome()).as(report.summaryLine()).isEqualTo(TaskOutcome.SKIPPED);
        assertThat(report.sidecarReleased()).isFalse();
    }

    @Test
    void aDaprdSeenHealthyThenFailingIsLeftToItsOwnShutdown() throws Exception {
        // daprd's shutdown call takes the path its SIGTERM already took: sending it would end nothing sooner.
        WireMockServer d = dapr(204);
        ShutdownCoordinator c = builder(SidecarMode.DAPR).daprUrl(URI.create(d.baseUrl())).build();
        assertThat(c.awaitSidecarReady()).isEqualTo(SidecarReadiness.READY);
        d.stubFor(get(urlPathEqualTo("/v1.0/healthz/outbound")).willReturn(aResponse().withStatus(500)));
        d.stubFor(get(urlPathEqualTo("/v1.0/healthz")).willReturn(aResponse().withStatus(500)));

        ShutdownReport report = runBounded(c);

        assertThat(TruthFixtures.callsTo(d, "POST /v1.0/shutdown")).as("daprd calls %s; %s", TruthFixtures.calls(d),
                report.summaryLine()).isEmpty();
        PhaseResult release = phase(report, ShutdownPhase.SIDECAR_RELEASE);
        assertThat(release.outcome()).as(report.summaryLine()).isEqualTo(TaskOutcome.SKIPPED);
        assertThat(release.detail()).as(report.summaryLine()).contains("already shutting down");
        assertThat(report.outcome()).as("no fault: " + report.summaryLine()).isEqualTo(ReportOutcome.CLEAN);
        assertThat(report.sidecarReleased()).isFalse();
    }
}
