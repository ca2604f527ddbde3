package io.github.sidecarshutdown.istio;

import io.github.sidecarshutdown.envoy.EnvoyAdminClient;
import io.github.sidecarshutdown.envoy.EnvoyState;
import io.github.sidecarshutdown.envoy.ServerInfoBodies;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class EnvoySidecarTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Duration DEFAULT_WINDOW = Duration.ofSeconds(7);

    @RegisterExtension
    static WireMockExtension admin = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).failOnUnmatchedRequests(true).build();

    @RegisterExtension
    static WireMockExtension agent = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).failOnUnmatchedRequests(true).build();

    private final List<EnvoyAdminClient> clients = new ArrayList<>();
    private final List<WireMockServer> ownServers = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        clients.forEach(EnvoyAdminClient::close);
        ownServers.forEach(s -> {
            if (s.isRunning()) {
                s.stop();
            }
        });
    }

    private EnvoySidecar sidecar(SidecarMode mode, String adminUrl, String agentUrl) {
        EnvoyAdminClient client = EnvoyAdminClient.builder().adminUrl(URI.create(adminUrl)).agentUrl(URI.create(agentUrl))
                .callTimeout(Duration.ofSeconds(2)).build();
        clients.add(client);
        return new EnvoySidecar(client, mode, DEFAULT_WINDOW);
    }

    private EnvoySidecar sidecar(SidecarMode mode) {
        return sidecar(mode, url(admin.getPort()), url(agent.getPort()));
    }

    private static String url(int port) {
        return "http://127.0.0.1:" + port;
    }

    /** A WireMock this test may stop half-way (the extensions cannot be stopped). */
    private WireMockServer stoppableServer() {
        WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort());
        ownServers.add(server);
        server.start();
        return server;
    }

    private static void adminReady(WireMockExtension admin) {
        admin.stubFor(get("/ready").willReturn(aResponse().withStatus(200).withBody("LIVE\n")));
    }

    // ---- probe ----

    @ParameterizedTest
    @ValueSource(strings = {"auto", "istio", "native"})
    void probeIsLiveWhenAdminAndAgentAnswer200(String modeName) {
        SidecarMode mode = SidecarMode.of(modeName);
        // given
        adminReady(admin);
        agent.stubFor(get("/healthz/ready").willReturn(aResponse().withStatus(200)));

        // when
        SidecarState state = sidecar(mode).probe(TIMEOUT);

        // then
        assertThat(state).isEqualTo(SidecarState.LIVE);
        admin.verify(1, getRequestedFor(urlEqualTo("/ready")));
        agent.verify(1, getRequestedFor(urlEqualTo("/healthz/ready")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "istio"})
    void probeIsTerminatingWhenAgentStopsAfterHavingBeenReady(String modeName) {
        SidecarMode mode = SidecarMode.of(modeName);
        // given
        adminReady(admin);
        WireMockServer agentServer = stoppableServer();
        agentServer.stubFor(get("/healthz/ready").willReturn(aResponse().withStatus(200)));
        EnvoySidecar sidecar = sidecar(mode, url(admin.getPort()), url(agentServer.port()));
        assertThat(sidecar.probe(TIMEOUT)).isEqualTo(SidecarState.LIVE);

        // when
        agentServer.stop();
        SidecarState state = sidecar.probe(TIMEOUT);

        // then
        assertThat(state).isEqualTo(SidecarState.TERMINATING);
        assertThat(state.canForward()).isTrue();
    }

    @Test
    void probeIsTerminatingOnlyOnceTheAgents503AfterHavingBeenReadyLasts() throws Exception {
        // given
        adminReady(admin);
        agent.stubFor(get("/healthz/ready").inScenario("sigterm").whenScenarioStateIs("Started")
                .willReturn(aResponse().withStatus(200)).willSetStateTo("terminating"));
        agent.stubFor(get("/healthz/ready").inScenario("sigterm").whenScenarioStateIs("terminating")
                .willReturn(aResponse().withStatus(503)));
        EnvoyAdminClient client = EnvoyAdminClient.builder().adminUrl(URI.create(url(admin.getPort())))
                .agentUrl(URI.create(url(agent.getPort()))).callTimeout(Duration.ofSeconds(2)).build();
        clients.add(client);
        EnvoySidecar sidecar = new EnvoySidecar(client, SidecarMode.ISTIO, DEFAULT_WINDOW, PodFacts.none("t"), Duration.ofMillis(50));

        // when
        SidecarState first = sidecar.probe(TIMEOUT);
        SidecarState second = sidecar.probe(TIMEOUT);
        Thread.sleep(80);
        SidecarState third = sidecar.probe(TIMEOUT);

        // then a 503 alone is not yet evidence; a 503 that lasted is
        assertThat(first).isEqualTo(SidecarState.LIVE);
        assertThat(second).isEqualTo(SidecarState.UNKNOWN);
        assertThat(third).isEqualTo(SidecarState.TERMINATING);
    }

    @Test
    void aPassing503IsForgottenOnceTheAgentIsReadyAgain() throws Exception {
        // given ready, 503, ready, 503: never 503 for as long as the persistence
        adminReady(admin);
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        agent.stubFor(get("/healthz/ready").inScenario("flap").whenScenarioStateIs("Started")
                .willReturn(aResponse().withStatus(200)).willSetStateTo("down"));
        agent.stubFor(get("/healthz/ready").inScenario("flap").whenScenarioStateIs("down")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("Started"));
        EnvoyAdminClient client = EnvoyAdminClient.builder().adminUrl(URI.create(url(admin.getPort())))
                .agentUrl(URI.create(url(agent.getPort()))).callTimeout(Duration.ofSeconds(2)).build();
        clients.add(client);
        EnvoySidecar sidecar = new EnvoySidecar(client, SidecarMode.ISTIO, DEFAULT_WINDOW, PodFacts.none("t"), Duration.ofMillis(50));

        // when
        List<SidecarState> seen = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            seen.add(sidecar.probe(TIMEOUT));
            Thread.sleep(30);
        }

        // then
        assertThat(seen).doesNotContain(SidecarState.TERMINATING).contains(SidecarState.LIVE, SidecarState.UNKNOWN);
    }

    @Test
    void probeIsStartingWhenAgentAnswers503BeforeEverBeingReady() {
        // given
        adminReady(admin);
        agent.stubFor(get("/healthz/ready").willReturn(aResponse().withStatus(503)));

        // when
        SidecarState state = sidecar(SidecarMode.ISTIO).probe(TIMEOUT);

        // then
        assertThat(state).isEqualTo(SidecarState.STARTING);
    }

    @Test
    void probeIsGoneAfterAdminAnsweredOnceAndThenStopped() {
        // given
        WireMockServer adminServer = stoppableServer();
        adminServer.stubFor(get("/ready").willReturn(aResponse().withStatus(200).withBody("LIVE\n")));
        agent.stubFor(get("/healthz/ready").willReturn(aResponse().withStatus(200)));
        EnvoySidecar sidecar = sidecar(SidecarMode.ISTIO, url(adminServer.port()), url(agent.getPort()));
        assertThat(sidecar.probe(TIMEOUT)).isEqualTo(SidecarState.LIVE);

        // when
        adminServer.stop();
        SidecarState state = sidecar.probe(TIMEOUT);

        // then
        assertThat(state).isEqualTo(SidecarState.GONE);
        assertThat(state.canForward()).isFalse();
        assertThat(sidecar.hasAnswered()).isTrue();
    }

    @Test
    void probeIsAbsentWhenAdminNeverAnswered() {
        // given
        EnvoySidecar sidecar = sidecar(SidecarMode.AUTO, url(ServerInfoBodies.refusedPort()),
                url(ServerInfoBodies.refusedPort()));

        // when
        SidecarState first = sidecar.probe(TIMEOUT);
        SidecarState second = sidecar.probe(TIMEOUT);

        // then
        assertThat(first).isEqualTo(SidecarState.ABSENT);
        assertThat(second).isEqualTo(SidecarState.ABSENT);
        assertThat(sidecar.hasAnswered()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = EnvoyState.class, names = {"PRE_INITIALIZING", "INITIALIZING"})
    void probeIsStartingWhileEnvoyInitializes(EnvoyState envoyState) {
        // given
        admin.stubFor(get("/ready").willReturn(aResponse().withStatus(503).withBody(envoyState.name() + "\n")));

        // when
        SidecarState state = sidecar(SidecarMode.ISTIO).probe(TIMEOUT);

        // then
        assertThat(state).isEqualTo(SidecarState.STARTING);
        agent.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void probeIsUnknownWhenAdminHangsPastTheTimeout() {
        // given
        admin.stubFor(get("/ready").willReturn(aResponse().withStatus(200).withBody("LIVE\n").withFixedDelay(3_000)));
        EnvoySidecar sidecar = sidecar(SidecarMode.ISTIO);

        // when
        long start = System.nanoTime();
        SidecarState state = sidecar.probe(Duration.ofMillis(200));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // then
        assertThat(state).isEqualTo(SidecarState.UNKNOWN);
        assertThat(took).isLessThan(Duration.ofMillis(1_500));
    }

    @Test
    void probeInEnvoyModeNeverAsksTheAgent() {
        // given
        adminReady(admin);

        // when
        SidecarState state = sidecar(SidecarMode.ENVOY).probe(TIMEOUT);

        // then
        assertThat(state).isEqualTo(SidecarState.LIVE);
        agent.verify(0, anyRequestedFor(anyUrl()));
    }

    // ---- facts ----

    @Test
    void factsInAutoComeFromServerInfoAndAreCached() {
        // given
        admin.stubFor(get("/server_info").willReturn(aResponse().withStatus(200).withBody(ServerInfoBodies.ISTIO)));
        EnvoySidecar sidecar = sidecar(SidecarMode.AUTO);

        // when
        SidecarFacts facts = sidecar.facts(TIMEOUT);
        SidecarFacts again = sidecar.facts(TIMEOUT);

        // then
        assertThat(facts.mode()).isEqualTo(SidecarMode.ISTIO);
        assertThat(facts.version()).contains("istio 1.26.2");
        assertThat(facts.terminationDrainDuration()).contains(Duration.ofSeconds(5));
        assertThat(facts.exitOnZeroActiveConnections()).isTrue();
        assertThat(facts.source()).isEqualTo("/server_info");
        assertThat(again).isSameAs(facts);
        admin.verify(1, getRequestedFor(urlEqualTo("/server_info")));
    }

    @Test
    void istioWithoutTerminationDrainDurationUsesTheDefaultWindow() {
        // given
        admin.stubFor(get("/server_info").willReturn(aResponse().withStatus(200)
                .withBody("{\"node\":{\"metadata\":{\"ISTIO_VERSION\":\"1.22.0\"}}}")));

        // when
        SidecarFacts facts = sidecar(SidecarMode.AUTO).facts(TIMEOUT);

        // then
        assertThat(facts.mode()).isEqualTo(SidecarMode.ISTIO);
        assertThat(facts.terminationDrainDuration()).contains(DEFAULT_WINDOW);
        assertThat(facts.source()).contains("no terminationDrainDuration").contains("7000 ms");
    }

    @Test
    void autoWithoutIstioVersionIsPlainEnvoy() {
        // given
        admin.stubFor(get("/server_info").willReturn(aResponse().withStatus(200).withBody(ServerInfoBodies.PLAIN_ENVOY)));

        // when
        SidecarFacts facts = sidecar(SidecarMode.AUTO).facts(TIMEOUT);

        // then
        assertThat(facts.mode()).isEqualTo(SidecarMode.ENVOY);
        assertThat(facts.version()).contains("envoy 1.34.2");
        assertThat(facts.terminationDrainDuration()).isEmpty();
        assertThat(facts.hasOutboundWindow()).isFalse();
    }

    @Test
    void configuredIstioFallsBackToTheDefaultWindowWhenServerInfoFails() {
        // given
        admin.stubFor(get("/server_info").willReturn(aResponse().withStatus(500).withBody("boom")));
        EnvoySidecar sidecar = sidecar(SidecarMode.ISTIO);

        // when
        SidecarFacts facts = sidecar.facts(TIMEOUT);
        sidecar.facts(TIMEOUT);

        // then
        assertThat(facts.mode()).isEqualTo(SidecarMode.ISTIO);
        assertThat(facts.terminationDrainDuration()).contains(DEFAULT_WINDOW);
        assertThat(facts.version()).isEmpty();
        assertThat(facts.source()).startsWith("configured; /server_info unavailable");
        admin.verify(2, getRequestedFor(urlEqualTo("/server_info"))); // a failure is not cached
    }

    @Test
    void autoWithNothingListeningHasNoSidecarFacts() {
        // given
        EnvoySidecar sidecar = sidecar(SidecarMode.AUTO, url(ServerInfoBodies.refusedPort()), url(agent.getPort()));

        // when
        SidecarFacts facts = sidecar.facts(TIMEOUT);

        // then
        assertThat(facts.mode()).isEqualTo(SidecarMode.NONE);
        assertThat(facts.hasOutboundWindow()).isFalse();
    }

    // ---- facts from the Pod's annotations ----

    private EnvoySidecar sidecar(SidecarMode mode, String adminUrl, PodFacts pod) {
        EnvoyAdminClient client = EnvoyAdminClient.builder().adminUrl(URI.create(adminUrl)).agentUrl(URI.create(url(agent.getPort())))
                .callTimeout(Duration.ofSeconds(2)).build();
        clients.add(client);
        return new EnvoySidecar(client, mode, DEFAULT_WINDOW, pod);
    }

    private static PodFacts pod(Map<String, String> annotations) {
        return PodFacts.fromAnnotations(annotations, "/etc/podinfo/annotations");
    }

    @Test
    void serverInfoWinsWhereBothSpeak() {
        // given /server_info says 5s and the annotation says 25s
        admin.stubFor(get("/server_info").willReturn(aResponse().withStatus(200).withBody(ServerInfoBodies.ISTIO)));
        EnvoySidecar sidecar = sidecar(SidecarMode.AUTO, url(admin.getPort()),
                pod(Map.of(PodFacts.PROXY_CONFIG, "terminationDrainDuration: 25s")));

        // when
        SidecarFacts facts = sidecar.facts(TIMEOUT);

        // then
        assertThat(facts.mode()).isEqualTo(SidecarMode.ISTIO);
        assertThat(facts.terminationDrainDuration()).contains(Duration.ofSeconds(5));
        assertThat(facts.source()).isEqualTo("/server_info");
    }

    @Test
    void annotationsFillWhatServerInfoLeavesOut() {
        // given /server_info without terminationDrainDuration
        admin.stubFor(get("/server_info").willReturn(aResponse().withStatus(200)
                .withBody("{\"node\":{\"metadata\":{\"ISTIO_VERSION\":\"1.22.0\"}}}")));
        EnvoySidecar sidecar = sidecar(SidecarMode.AUTO, url(admin.getPort()),
                pod(Map.of(PodFacts.PROXY_CONFIG, "terminationDrainDuration: 25s\nproxyMetadata:\n  MINIMUM_DRAIN_DURATION: 9s")));

        // when
        SidecarFacts facts = sidecar.facts(TIMEOUT);

        // then
        assertThat(facts.terminationDrainDuration()).contains(Duration.ofSeconds(25));
        assertThat(facts.minimumDrainDuration()).contains(Duration.ofSeconds(9));
        assertThat(facts.source()).isEqualTo("/server_info + /etc/podinfo/annotations");
    }

    @Test
    void aNativeSidecarInTheAnnotationsMakesAutoNative() {
        // given an Istio /server_info (which cannot show native mode) and the injector's status
        admin.stubFor(get("/server_info").willReturn(aResponse().withStatus(200).withBody(ServerInfoBodies.ISTIO)));
        EnvoySidecar sidecar = sidecar(SidecarMode.AUTO, url(admin.getPort()),
                pod(Map.of(PodFacts.SIDECAR_STATUS, "{\"initContainers\":[\"istio-init\",\"istio-proxy\"],\"containers\":null}")));

        // when
        SidecarFacts facts = sidecar.facts(TIMEOUT);

        // then: no window, so no release and no cap on cleanup
        assertThat(facts.mode()).isEqualTo(SidecarMode.NATIVE);
        assertThat(facts.version()).contains("istio 1.26.2");
        assertThat(facts.guaranteedWindow()).isEmpty();
        assertThat(facts.source()).contains("native per /etc/podinfo/annotations");
    }

    @Test
    void beforeEnvoyAnswersTheAnnotationsSayWhatToExpect() {
        // given nothing listens yet
        EnvoySidecar sidecar = sidecar(SidecarMode.AUTO, url(ServerInfoBodies.refusedPort()),
                pod(Map.of(PodFacts.PROXY_CONFIG, "terminationDrainDuration: 25s")));

        // when
        SidecarFacts facts = sidecar.facts(TIMEOUT);

        // then
        assertThat(facts.mode()).isEqualTo(SidecarMode.ISTIO);
        assertThat(facts.guaranteedWindow()).contains(Duration.ofSeconds(25));
        assertThat(facts.source()).startsWith("/etc/podinfo/annotations; /server_info unavailable");
    }

    // ---- drain, release, readiness ----

    @Test
    void drainInboundPostsInboundOnlyGracefulSkipExitToEnvoy() {
        // given
        admin.stubFor(post(urlEqualTo("/drain_listeners?inboundonly&graceful&skip_exit"))
                .willReturn(aResponse().withStatus(200).withBody("OK\n")));

        // when
        sidecar(SidecarMode.ISTIO).drainInbound(TIMEOUT);

        // then
        // skip_exit: the inbound listeners are never stopped at the end of Envoy's drain time
        admin.verify(1, postRequestedFor(urlEqualTo("/drain_listeners?inboundonly&graceful&skip_exit")));
        agent.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aDrainRefusedByEnvoyIsAFailedResultNotAnException() {
        // given
        admin.stubFor(post(urlEqualTo("/drain_listeners?inboundonly&graceful&skip_exit"))
                .willReturn(aResponse().withStatus(405).withBody("Method GET not allowed, POST required.")));

        // when
        SidecarCallResult result = sidecar(SidecarMode.ISTIO).drainInbound(TIMEOUT);

        // then
        assertThat(result.outcome()).isEqualTo(SidecarCallResult.Outcome.FAILED);
        assertThat(result.detail()).contains("HTTP 405");
    }

    @Test
    void aReleaseRefusedByEnvoyIsAFailedResultNotAnException() {
        admin.stubFor(post("/quitquitquit").willReturn(aResponse().withStatus(500).withBody("nope")));

        SidecarCallResult result = sidecar(SidecarMode.ISTIO).release(TIMEOUT);

        assertThat(result.outcome()).isEqualTo(SidecarCallResult.Outcome.FAILED);
        assertThat(result.detail()).contains("HTTP 500");
    }

    @Test
    void releasePostsEnvoysQuitQuitQuitNotTheAgents() {
        // given
        admin.stubFor(post("/quitquitquit").willReturn(aResponse().withStatus(200).withBody("OK\n")));

        // when
        SidecarCallResult result = sidecar(SidecarMode.ISTIO).release(TIMEOUT);

        // then
        assertThat(result.outcome()).isEqualTo(SidecarCallResult.Outcome.DONE);
        admin.verify(1, postRequestedFor(urlEqualTo("/quitquitquit")));
        agent.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void isReadyOnlyWhenAgentSays200() {
        // given
        agent.stubFor(get("/healthz/ready").inScenario("startup").whenScenarioStateIs("Started")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("ready"));
        agent.stubFor(get("/healthz/ready").inScenario("startup").whenScenarioStateIs("ready")
                .willReturn(aResponse().withStatus(200)));
        EnvoySidecar sidecar = sidecar(SidecarMode.ISTIO);

        // when
        boolean before = sidecar.isReady(TIMEOUT);
        boolean after = sidecar.isReady(TIMEOUT);

        // then
        assertThat(before).isFalse();
        assertThat(after).isTrue();
        admin.verify(0, anyRequestedFor(anyUrl())); // Envoy's own /ready is not consulted when the agent answers
    }

    @Test
    void isReadyInIstioModeFallsBackToEnvoyWhenNoAgentEverAnswered() {
        // given a status port that never answered (moved, disabled or a wrong URL): startup goes by
        // Envoy's own readiness instead of waiting for an agent that is not there
        adminReady(admin);
        EnvoySidecar sidecar = sidecar(SidecarMode.ISTIO, url(admin.getPort()), url(ServerInfoBodies.refusedPort()));

        // when
        boolean ready = sidecar.isReady(TIMEOUT);

        // then
        assertThat(ready).isTrue();
        // ... and the missing agent is no evidence of termination
        assertThat(sidecar.probe(TIMEOUT)).isNotEqualTo(SidecarState.TERMINATING);
    }

    @Test
    void isReadyIsFalseOnceAnAgentSeenReadyRefuses() {
        // given
        adminReady(admin);
        agent.stubFor(get("/healthz/ready").willReturn(aResponse().withStatus(200)));
        EnvoySidecar sidecar = sidecar(SidecarMode.ISTIO, url(admin.getPort()), url(agent.getPort()));
        assertThat(sidecar.isReady(TIMEOUT)).isTrue();
        EnvoySidecar sameAfterSigterm = sidecar;

        // when the agent closes its port (its SIGTERM)
        agent.stubFor(get("/healthz/ready").willReturn(aResponse().withFault(
                com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));

        // then
        assertThat(sameAfterSigterm.isReady(TIMEOUT)).isFalse();
    }

    @Test
    void isReadyInAutoWithoutAgentFallsBackToEnvoyReady() {
        // given
        adminReady(admin);
        EnvoySidecar sidecar = sidecar(SidecarMode.AUTO, url(admin.getPort()), url(ServerInfoBodies.refusedPort()));

        // when
        boolean ready = sidecar.isReady(TIMEOUT);

        // then
        assertThat(ready).isTrue();
        admin.verify(1, getRequestedFor(urlEqualTo("/ready")));
    }

    @Test
    void describeNamesBothPortsAndNoneModeIsRefused() {
        // given
        EnvoySidecar sidecar = sidecar(SidecarMode.ISTIO);

        // when
        String description = sidecar.describe();

        // then
        assertThat(description).isEqualTo("envoy admin " + url(admin.getPort()) + ", agent " + url(agent.getPort()));
        assertThatThrownBy(() -> new EnvoySidecar(sidecar.client(), SidecarMode.NONE, DEFAULT_WINDOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("mode: none");
    }
}
