package io.github.sidecarshutdown.envoy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The admin client against WireMock. Plain-http calls go through the JDK's sockets (SocketHttp), so
 * every answer, fault, timeout and body cap here is read by it; https would go through OkHttp.
 */
class EnvoyAdminClientTest {

    @RegisterExtension
    static WireMockExtension envoy = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort())
            .failOnUnmatchedRequests(true)
            .build();

    private final List<EnvoyAdminClient> clients = new ArrayList<>();
    @AfterEach
    void closeClients() {
        clients.forEach(EnvoyAdminClient::close);
    }

    @Test
    void aPlainHttpCallGoesThroughTheJdksSocketsNotOkHttp() {
        // given
        envoy.stubFor(get("/ready").willReturn(aResponse().withStatus(200).withBody("LIVE\n")));

        // when
        client().ready();

        // then
        String agent = envoy.getAllServeEvents().get(0).getRequest().getHeader("User-Agent");
        assertThat(agent).isEqualTo("sidecar-shutdown");
    }

    private String base() {
        return "http://127.0.0.1:" + envoy.getPort();
    }

    private EnvoyAdminClient client(EnvoyAdminClientBuilder builder) {
        EnvoyAdminClient c = builder.build();
        clients.add(c);
        return c;
    }

    /** Admin and agent both served by the one WireMock. */
    private EnvoyAdminClient client(Duration callTimeout) {
        return client(EnvoyAdminClient.builder().adminUrl(URI.create(base())).agentUrl(URI.create(base()))
                .callTimeout(callTimeout));
    }

    private EnvoyAdminClient client() {
        return client(Duration.ofSeconds(2));
    }

    private static EnvoyAdminException adminFailure(Runnable call) {
        Throwable t = catchThrowable(call::run);
        assertThat(t).isExactlyInstanceOf(EnvoyAdminException.class);
        return (EnvoyAdminException) t;
    }

    // ---- /ready ----

    @Test
    void readyIsLiveFor200Live() {
        // given
        envoy.stubFor(get("/ready").willReturn(aResponse().withStatus(200).withBody("LIVE\n")));

        // when
        ReadyResponse ready = client().ready();

        // then
        assertThat(ready).isEqualTo(new ReadyResponse(200, EnvoyState.LIVE));
        assertThat(ready.isLive()).isTrue();
        envoy.verify(1, getRequestedFor(urlEqualTo("/ready")));
    }

    @ParameterizedTest
    @EnumSource(value = EnvoyState.class, names = {"PRE_INITIALIZING", "INITIALIZING", "DRAINING"})
    void readyReportsTheStateNamedIn503Body(EnvoyState state) {
        // given
        envoy.stubFor(get("/ready").willReturn(aResponse().withStatus(503).withBody(state.name() + "\n")));

        // when
        ReadyResponse ready = client().ready();

        // then
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.state()).isEqualTo(state);
        assertThat(ready.isLive()).isFalse();
    }

    // ---- /server_info ----

    @Test
    void serverInfoParsesRealisticIstioBody() {
        // given
        envoy.stubFor(get("/server_info").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(ServerInfoBodies.ISTIO)));

        // when
        ServerInfo info = client().serverInfo();

        // then
        assertThat(info.state()).isEqualTo(EnvoyState.LIVE);
        assertThat(info.envoyVersion()).isEqualTo("0123abcd4567/1.34.2-dev/Clean/RELEASE/BoringSSL");
        assertThat(info.isIstio()).isTrue();
        assertThat(info.istioVersion()).contains("1.26.2");
        assertThat(info.terminationDrainDuration()).contains(Duration.ofSeconds(5));
        assertThat(info.drainTime()).contains(Duration.ofSeconds(45));
        assertThat(info.exitOnZeroActiveConnections()).isTrue();
        assertThat(info.holdApplicationUntilProxyStarts()).contains(true);
        envoy.verify(1, getRequestedFor(urlEqualTo("/server_info")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<html><body>oops</body></html>",
        "{\"state\": \"LIVE\", \"node\": {\"metadata\": {",
        "{\"state\": \"LIVE\"} trailing",
        "[\"not\", \"an\", \"object\"]",
        ""
    })
    void serverInfoWithGarbageOrTruncatedJsonIsMalformedResponse(String body) {
        // given
        envoy.stubFor(get("/server_info").willReturn(aResponse().withStatus(200).withBody(body)));

        // when
        EnvoyAdminException e = adminFailure(() -> client().serverInfo());

        // then
        assertThat(e.kind()).isEqualTo(EnvoyAdminException.Kind.MALFORMED_RESPONSE);
        assertThat(e.endpoint()).isEqualTo(AdminEndpoint.SERVER_INFO);
        assertThat(e.statusCode()).isEqualTo(200);
        assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- /drain_listeners, /quitquitquit ----

    @Test
    void drainListenersInboundOnlyGracefulSendsExactlyValuelessFlags() {
        // given
        envoy.stubFor(post(urlPathEqualTo("/drain_listeners")).willReturn(aResponse().withStatus(200).withBody("OK\n")));

        // when
        client().drainListeners(DrainFlag.INBOUND_ONLY, DrainFlag.GRACEFUL);

        // then
        envoy.verify(1, postRequestedFor(urlPathEqualTo("/drain_listeners"))
                .withQueryParam("inboundonly", equalTo(""))
                .withQueryParam("graceful", equalTo("")));
        envoy.verify(0, getRequestedFor(anyUrl()));
        List<ServeEvent> events = envoy.getAllServeEvents();
        assertThat(events).hasSize(1);
        assertThat(events.get(0).getRequest().getUrl()).isEqualTo("/drain_listeners?inboundonly&graceful");
        assertThat(events.get(0).getRequest().getMethod().getName()).isEqualTo("POST");
    }

    @Test
    void drainListenersSendsSkipExitAfterGraceful() {
        // given
        envoy.stubFor(post(urlPathEqualTo("/drain_listeners")).willReturn(aResponse().withStatus(200).withBody("OK\n")));

        // when: flags given in another order and repeated
        client().drainListeners(DrainFlag.SKIP_EXIT, DrainFlag.GRACEFUL, DrainFlag.INBOUND_ONLY, DrainFlag.GRACEFUL);

        // then
        assertThat(envoy.getAllServeEvents()).singleElement()
                .extracting(ev -> ev.getRequest().getUrl())
                .isEqualTo("/drain_listeners?inboundonly&graceful&skip_exit");
    }

    @Test
    void skipExitWithoutGracefulIsRefusedBeforeAnythingIsSent() {
        // given
        EnvoyAdminClient client = client();

        // when / then
        assertThatThrownBy(() -> client.drainListeners(DrainFlag.INBOUND_ONLY, DrainFlag.SKIP_EXIT))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SKIP_EXIT only with GRACEFUL");
        envoy.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void quitQuitQuitIsAnEmptyPost() {
        // given
        envoy.stubFor(post("/quitquitquit").willReturn(aResponse().withStatus(200).withBody("OK\n")));

        // when
        client().quitQuitQuit();

        // then
        envoy.verify(1, postRequestedFor(urlEqualTo("/quitquitquit")));
        envoy.verify(0, getRequestedFor(anyUrl()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "405|Method GET not allowed, POST required.",
        "400|Invalid request; POST required"
    })
    void status400And405AreRejected(int status, String body) {
        // given
        envoy.stubFor(post("/quitquitquit").willReturn(aResponse().withStatus(status).withBody(body)));

        // when
        EnvoyAdminException e = adminFailure(() -> client().quitQuitQuit());

        // then
        assertThat(e.kind()).isEqualTo(EnvoyAdminException.Kind.REJECTED);
        assertThat(e.statusCode()).isEqualTo(status);
        assertThat(e.endpoint()).isEqualTo(AdminEndpoint.QUITQUITQUIT);
        assertThat(e).hasMessageContaining("HTTP " + status).hasMessageContaining(body);
    }

    @ParameterizedTest
    @ValueSource(ints = {404, 500})
    void otherUnexpectedStatusesAreHttpStatusWithTheCode(int status) {
        // given
        envoy.stubFor(get("/ready").willReturn(aResponse().withStatus(status).withBody("invalid path. admin commands are:")));

        // when
        EnvoyAdminException e = adminFailure(() -> client().ready());

        // then
        assertThat(e.kind()).isEqualTo(EnvoyAdminException.Kind.HTTP_STATUS);
        assertThat(e.statusCode()).isEqualTo(status);
    }

    // ---- transport failures ----

    @Test
    void delayPastTheCallTimeoutIsTimeoutWithinBound() {
        // given
        envoy.stubFor(get("/ready").willReturn(aResponse().withStatus(200).withBody("LIVE\n").withFixedDelay(5_000)));
        EnvoyAdminClient client = client(Duration.ofMillis(200));

        // when
        long start = System.nanoTime();
        EnvoyAdminException e = adminFailure(client::ready);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // then
        assertThat(e.kind()).isEqualTo(EnvoyAdminException.Kind.TIMEOUT);
        assertThat(e.statusCode()).isEqualTo(-1);
        assertThat(took).isLessThan(Duration.ofMillis(2_000));
    }

    @Test
    void nothingListeningIsConnectionRefused() {
        // given
        int port = ServerInfoBodies.refusedPort();
        EnvoyAdminClient client = client(EnvoyAdminClient.builder().adminUrl(URI.create("http://127.0.0.1:" + port)));

        // when
        EnvoyAdminException e = adminFailure(client::ready);

        // then
        assertThat(e.kind()).isEqualTo(EnvoyAdminException.Kind.CONNECTION_REFUSED);
        assertThat(e.statusCode()).isEqualTo(-1);
        assertThat(e.endpoint()).isEqualTo(AdminEndpoint.READY);
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void brokenConnectionsAreIoFailuresNeverAnotherExceptionType(Fault fault) {
        // given
        envoy.stubFor(get("/server_info").willReturn(aResponse().withFault(fault)));

        // when
        EnvoyAdminException e = adminFailure(() -> client().serverInfo());

        // then
        assertThat(e.kind()).isEqualTo(EnvoyAdminException.Kind.IO);
        assertThat(e.statusCode()).isEqualTo(-1);
    }

    @Test
    void bodyLargerThanMaxResponseBytesIsRefusedAndExactlyMaxIsRead() {
        // given
        envoy.stubFor(get("/stats").willReturn(aResponse().withStatus(200).withBody("x".repeat(1025))));
        envoy.stubFor(get("/server_info").willReturn(aResponse().withStatus(200)
                .withBody("{\"version\":\"" + "y".repeat(1024 - 14) + "\"}")));
        EnvoyAdminClient client = client(EnvoyAdminClient.builder().adminUrl(URI.create(base())).maxResponseBytes(1024));

        // when
        EnvoyAdminException e = adminFailure(() -> client.statsText(StatsQuery.all()));
        ServerInfo atTheCap = client.serverInfo();

        // then
        assertThat(e.kind()).isEqualTo(EnvoyAdminException.Kind.RESPONSE_TOO_LARGE);
        assertThat(e.statusCode()).isEqualTo(200);
        assertThat(e).hasMessageContaining("1024 bytes");
        assertThat(atTheCap.envoyVersion()).hasSize(1024 - 14);
    }

    @Test
    void redirectIsNotFollowed() {
        // given
        envoy.stubFor(get("/ready").willReturn(aResponse().withStatus(302).withHeader("Location", base() + "/elsewhere")));
        envoy.stubFor(get("/elsewhere").willReturn(aResponse().withStatus(200).withBody("LIVE\n")));

        // when
        EnvoyAdminException e = adminFailure(() -> client().ready());

        // then
        assertThat(e.kind()).isEqualTo(EnvoyAdminException.Kind.HTTP_STATUS);
        assertThat(e.statusCode()).isEqualTo(302);
        envoy.verify(0, getRequestedFor(urlEqualTo("/elsewhere")));
    }

    // ---- /stats ----

    @Test
    void statsTextEncodesFilterAndSendsUsedOnlyWithoutValue() {
        // given
        String filter = "^(server\\.state|listener_manager\\.workers_started)";
        envoy.stubFor(get(urlPathEqualTo("/stats"))
                .withQueryParam("filter", equalTo(filter))
                .withQueryParam("usedonly", equalTo(""))
                .willReturn(aResponse().withStatus(200).withBody("listener_manager.workers_started: 1\nserver.state: 0\n")));

        // when
        List<EnvoyStat> stats = client().stats(StatsQuery.filter(filter).withUsedOnly());

        // then
        assertThat(stats).containsExactly(new EnvoyStat("listener_manager.workers_started", "1"),
                new EnvoyStat("server.state", "0"));
        String url = envoy.getAllServeEvents().get(0).getRequest().getUrl();
        assertThat(url).startsWith("/stats?").contains("usedonly&").doesNotContain("usedonly=").doesNotContain("format");
        assertThat(url.substring(url.indexOf("filter=") + "filter=".length()))
                .doesNotContain("^", "|", "\\", "(", ")")
                .contains("%5E", "%7C", "%5C");
    }

    @Test
    void statsTextParsesCountersTextReadoutsAndHistograms() {
        // given
        envoy.stubFor(get("/stats").willReturn(aResponse().withStatus(200).withBody(
                "cluster.xds-grpc.version_text: \"abc123\"\n"
                        + "server.live: 1\n"
                        + "server.initialization_time_ms: No recorded values\n"
                        + "\n"
                        + "not a stat line\n")));

        // when
        List<EnvoyStat> stats = client().stats(StatsQuery.all());

        // then
        assertThat(stats).containsExactly(
                new EnvoyStat("cluster.xds-grpc.version_text", "abc123"),
                new EnvoyStat("server.live", "1"),
                new EnvoyStat("server.initialization_time_ms", "No recorded values"));
        assertThat(stats.get(1).longValue()).hasValue(1);
        assertThat(stats.get(2).longValue()).isEmpty();
        assertThat(envoy.getAllServeEvents().get(0).getRequest().getUrl()).isEqualTo("/stats");
    }

    @Test
    void statsJsonParsesTheStatsArrayAndSkipsHistograms() {
        // given
        envoy.stubFor(get(urlPathEqualTo("/stats"))
                .withQueryParam("format", equalTo("json"))
                .withQueryParam("filter", equalTo("^server\\."))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(
                        "{\"stats\":[{\"name\":\"server.state\",\"value\":0},"
                                + "{\"name\":\"server.uptime\",\"value\":12345678901},"
                                + "{\"name\":\"server.version_text\",\"value\":\"1.34.2\"},"
                                + "{\"histograms\":{\"supported_quantiles\":[0,25,50],\"computed_quantiles\":[]}}]}")));

        // when
        List<EnvoyStat> stats = client().statsJson(StatsQuery.filter("^server\\."));

        // then
        assertThat(stats).containsExactly(
                new EnvoyStat("server.state", "0"),
                new EnvoyStat("server.uptime", "12345678901"),
                new EnvoyStat("server.version_text", "1.34.2"));
        assertThat(envoy.getAllServeEvents().get(0).getRequest().getUrl()).doesNotContain("usedonly");
    }

    @Test
    void statsJsonWithoutStatsArrayIsMalformed() {
        // given
        envoy.stubFor(get(urlPathEqualTo("/stats")).willReturn(aResponse().withStatus(200).withBody("{\"histograms\":{}}")));

        // when
        EnvoyAdminException e = adminFailure(() -> client().statsJson(StatsQuery.all()));

        // then
        assertThat(e.kind()).isEqualTo(EnvoyAdminException.Kind.MALFORMED_RESPONSE);
        assertThat(e.endpoint()).isEqualTo(AdminEndpoint.STATS);
    }

    // ---- pilot-agent ----

    @Test
    void agentReadyIsTrueFor200AndFalseFor503() {
        // given
        envoy.stubFor(get("/healthz/ready").inScenario("agent").whenScenarioStateIs("Started")
                .willReturn(aResponse().withStatus(200)).willSetStateTo("terminating"));
        envoy.stubFor(get("/healthz/ready").inScenario("agent").whenScenarioStateIs("terminating")
                .willReturn(aResponse().withStatus(503)));
        EnvoyAdminClient client = client();

        // when
        boolean first = client.agentReady();
        boolean second = client.agentReady();

        // then
        assertThat(first).isTrue();
        assertThat(second).isFalse();
        envoy.verify(2, getRequestedFor(urlEqualTo("/healthz/ready")));
    }

    @Test
    void agentReadyWhenNothingListensIsConnectionRefused() {
        // given
        int port = ServerInfoBodies.refusedPort();
        EnvoyAdminClient client = client(EnvoyAdminClient.builder().adminUrl(URI.create(base()))
                .agentUrl(URI.create("http://127.0.0.1:" + port)));

        // when
        EnvoyAdminException e = adminFailure(client::agentReady);

        // then
        assertThat(e.kind()).isEqualTo(EnvoyAdminException.Kind.CONNECTION_REFUSED);
        assertThat(e.endpoint()).isEqualTo(AdminEndpoint.AGENT_READY);
    }

    @Test
    void agentQuitQuitQuitAndDrainArePosts() {
        // given
        envoy.stubFor(post("/quitquitquit").willReturn(aResponse().withStatus(200).withBody("OK")));
        envoy.stubFor(post("/drain").willReturn(aResponse().withStatus(200).withBody("OK")));
        EnvoyAdminClient client = client();

        // when
        client.agentDrain();
        client.agentQuitQuitQuit();

        // then
        envoy.verify(1, postRequestedFor(urlEqualTo("/drain")));
        envoy.verify(1, postRequestedFor(urlEqualTo("/quitquitquit")));
        envoy.verify(0, getRequestedFor(anyUrl()));
    }

    @Test
    void agentForbiddenIsHttpStatus() {
        // given
        envoy.stubFor(post("/quitquitquit").willReturn(aResponse().withStatus(403)
                .withBody("Only requests from localhost are allowed\n")));

        // when
        EnvoyAdminException e = adminFailure(() -> client().agentQuitQuitQuit());

        // then
        assertThat(e.kind()).isEqualTo(EnvoyAdminException.Kind.HTTP_STATUS);
        assertThat(e.statusCode()).isEqualTo(403);
        assertThat(e.endpoint()).isEqualTo(AdminEndpoint.AGENT_QUITQUITQUIT);
    }

    // ---- IPv6 ----

    @Test
    void ipv6LoopbackUrlWorks() throws Exception {
        // given
        Assumptions.assumeTrue(ipv6LoopbackReaches(envoy.getPort()),
                "IPv6 loopback [::1] is not usable on this machine; skipping the IPv6 admin URL check");
        envoy.stubFor(get("/ready").willReturn(aResponse().withStatus(200).withBody("LIVE\n")));
        EnvoyAdminClient client = client(EnvoyAdminClient.builder().adminUrl(URI.create("http://[::1]:" + envoy.getPort())));

        // when
        ReadyResponse ready = client.ready();

        // then
        assertThat(ready.isLive()).isTrue();
        assertThat(envoy.getAllServeEvents().get(0).getRequest().getClientIp()).contains(":");
    }

    private static boolean ipv6LoopbackReaches(int port) {
        try (Socket s = new Socket()) {
            InetAddress v6 = InetAddress.getByName("::1");
            if (!(v6 instanceof Inet6Address)) {
                return false;
            }
            s.connect(new InetSocketAddress(v6, port), 1_000);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    // ---- builder ----

    @Test
    void builderDefaultsAreIstiosAddresses() {
        // when
        EnvoyAdminClient client = client(EnvoyAdminClient.builder());

        // then
        assertThat(client.adminUrl()).isEqualTo(URI.create("http://127.0.0.1:15000"));
        assertThat(client.agentUrl()).isEqualTo(URI.create("http://127.0.0.1:15020"));
        assertThat(client.callTimeout()).isEqualTo(Duration.ofSeconds(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://10.1.2.3:15000", "http://envoy.example.com:15000", "http://127.0.0.1.nip.io:15000",
        "http://[::2]:15000"})
    void nonLoopbackAdminUrlIsRefusedNamingTheSettingAndTheEscapeHatch(String url) {
        // given
        EnvoyAdminClientBuilder builder = EnvoyAdminClient.builder().adminUrl(URI.create(url));

        // when / then
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("adminUrl: " + url)
                .hasMessageContaining("allowNonLoopback");
    }

    @Test
    void nonLoopbackAgentUrlIsRefusedNamingAgentUrl() {
        // given
        EnvoyAdminClientBuilder builder = EnvoyAdminClient.builder().agentUrl(URI.create("http://10.1.2.3:15020"));

        // when / then
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("agentUrl: http://10.1.2.3:15020")
                .hasMessageContaining("allowNonLoopback");
    }

    @Test
    void nonLoopbackIsAllowedWhenAsked() {
        // when
        EnvoyAdminClient client = client(EnvoyAdminClient.builder().allowNonLoopback(true)
                .adminUrl(URI.create("http://10.1.2.3:15000")).agentUrl(URI.create("http://10.1.2.3:15020")));

        // then
        assertThat(client.adminUrl()).isEqualTo(URI.create("http://10.1.2.3:15000"));
        assertThat(client.agentUrl()).isEqualTo(URI.create("http://10.1.2.3:15020"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "http://admin:s3cr3tPw@127.0.0.1:15000",
        "http://admin:s3cr3tPw@10.1.2.3:15000"
    })
    void credentialsInUrlAreRefusedWithoutEchoingThem(String url) {
        // given
        EnvoyAdminClientBuilder builder = EnvoyAdminClient.builder().adminUrl(URI.create(url));

        // when
        Throwable t = catchThrowable(builder::build);

        // then
        assertThat(t).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("adminUrl: " + url.replace("admin:s3cr3tPw", "<redacted>") + " (expected: no credentials in the URL)")
                .hasMessageNotContaining("s3cr3tPw");
    }

    /** Regression: the scheme/host check once ran before the credentials check and echoed the URL. */
    @ParameterizedTest
    @ValueSource(strings = {"ftp://admin:s3cr3tPw@127.0.0.1:15000", "http://admin:s3cr3tPw@under_score:15000"})
    void credentialsAreNotEchoedWhenAnotherUrlCheckFailsFirst(String url) {
        // given
        EnvoyAdminClientBuilder builder = EnvoyAdminClient.builder().adminUrl(URI.create(url));

        // when
        Throwable t = catchThrowable(builder::build);

        // then
        assertThat(t).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("adminUrl: ");
        assertThat(t.getMessage()).doesNotContain("s3cr3tPw");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://127.0.0.1:15000", "ws://127.0.0.1:15000", "file:///var/run/envoy.sock", "/relative/path"})
    void nonHttpSchemeIsRefused(String url) {
        // given
        EnvoyAdminClientBuilder builder = EnvoyAdminClient.builder().adminUrl(URI.create(url));

        // when / then
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("adminUrl: " + url + " (expected: an http URL such as http://127.0.0.1:15000)");
    }

    @Test
    void builderRefusesNonPositiveTimeoutsAndTinyBodyCaps() {
        // given
        EnvoyAdminClientBuilder builder = EnvoyAdminClient.builder();

        // when / then
        assertThatThrownBy(() -> builder.callTimeout(Duration.ZERO))
                .hasMessage("callTimeout: PT0S (expected: at least 1 ms)");
        assertThatThrownBy(() -> builder.connectTimeout(Duration.ofMillis(-1)))
                .hasMessage("connectTimeout: PT-0.001S (expected: at least 1 ms)");
        // OkHttp truncates to whole milliseconds and reads 0 as "no timeout": 0.5 ms must not pass
        assertThatThrownBy(() -> builder.callTimeout(Duration.ofNanos(500_000)))
                .hasMessage("callTimeout: PT0.0005S (expected: at least 1 ms)");
        assertThatThrownBy(() -> builder.maxResponseBytes(1023))
                .hasMessage("maxResponseBytes: 1023 (expected: >= 1024)");
    }

    // ---- listener ----

    @Test
    void listenerIsToldEndpointAndOutcomeOfSuccessAndFailure() {
        // given
        record Call(AdminEndpoint endpoint, String outcome, int status, Duration elapsed) {
        }
        List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        envoy.stubFor(get("/ready").willReturn(aResponse().withStatus(200).withBody("LIVE\n")));
        int refused = ServerInfoBodies.refusedPort();
        EnvoyAdminClient client = client(EnvoyAdminClient.builder().adminUrl(URI.create(base()))
                .agentUrl(URI.create("http://127.0.0.1:" + refused))
                .listener((endpoint, outcome, status, elapsed) -> calls.add(new Call(endpoint, outcome, status, elapsed))));

        // when
        client.ready();
        catchThrowable(client::agentReady);

        // then
        assertThat(calls).extracting(c -> c.endpoint().tagValue(), Call::outcome, Call::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ready", "success", 200),
                        org.assertj.core.groups.Tuple.tuple("agent_ready", "connection_refused", -1));
        assertThat(calls).allSatisfy(c -> assertThat(c.elapsed()).isPositive().isLessThan(Duration.ofSeconds(5)));
    }

    @Test
    void listenerIsToldOfTimeouts() {
        // given
        List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
        envoy.stubFor(get("/ready").willReturn(aResponse().withStatus(200).withBody("LIVE\n").withFixedDelay(3_000)));
        EnvoyAdminClient client = client(EnvoyAdminClient.builder().adminUrl(URI.create(base()))
                .callTimeout(Duration.ofMillis(150))
                .listener((endpoint, outcome, status, elapsed) -> outcomes.add(endpoint.tagValue() + "=" + outcome)));

        // when
        catchThrowable(client::ready);

        // then
        assertThat(outcomes).containsExactly("ready=timeout");
    }

    // ---- withCallTimeout ----

    @Test
    void withCallTimeoutDerivesAClientWithTheShorterTimeout() {
        // given
        envoy.stubFor(get("/ready").willReturn(aResponse().withStatus(200).withBody("LIVE\n").withFixedDelay(700)));
        EnvoyAdminClient parent = client(Duration.ofSeconds(5));

        // when
        EnvoyAdminClient derived = parent.withCallTimeout(Duration.ofMillis(150));

        // then
        assertThat(derived.callTimeout()).isEqualTo(Duration.ofMillis(150));
        assertThat(parent.callTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(derived.adminUrl()).isEqualTo(parent.adminUrl());
        assertThat(adminFailure(derived::ready).kind()).isEqualTo(EnvoyAdminException.Kind.TIMEOUT);
        derived.close(); // shares the parent's resources: must not close them
        assertThat(parent.ready().isLive()).isTrue();
        // a budget under 1 ms makes no call at all (OkHttp would read it as no timeout)
        for (Duration tooSmall : new Duration[] {Duration.ZERO, Duration.ofNanos(999_999), Duration.ofMillis(-5)}) {
            int before = envoy.getAllServeEvents().size();
            EnvoyAdminException e = adminFailure(parent.withCallTimeout(tooSmall)::ready);
            assertThat(e.kind()).as(tooSmall.toString()).isEqualTo(EnvoyAdminException.Kind.TIMEOUT);
            assertThat(e.getMessage()).contains("call not made");
            assertThat(envoy.getAllServeEvents()).as("no request reached the admin port").hasSize(before);
        }
    }
}
