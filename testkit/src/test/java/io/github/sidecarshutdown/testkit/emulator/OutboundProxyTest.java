package io.github.sidecarshutdown.testkit.emulator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The outbound listener as an HTTP forward proxy to loopback targets. */
class OutboundProxyTest {

    @RegisterExtension
    static WireMockExtension downstream = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).failOnUnmatchedRequests(true).build();

    @Test
    void jdkHttpClientReachesTheDownstreamThroughTheProxy() throws Exception {
        downstream.stubFor(get("/orders?id=7").willReturn(aResponse().withStatus(200).withBody("order 7")));
        downstream.stubFor(post("/cleanup").willReturn(aResponse().withStatus(202).withBody("done")));
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start()) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .proxy(ProxySelector.of(emulator.outboundProxyAddress())).build();
            String base = "http://127.0.0.1:" + downstream.getPort();

            // when
            var getResponse = client.send(java.net.http.HttpRequest.newBuilder(URI.create(base + "/orders?id=7"))
                    .build(), BodyHandlers.ofString());
            var postResponse = client.send(java.net.http.HttpRequest.newBuilder(URI.create(base + "/cleanup"))
                    .POST(BodyPublishers.ofString("{\"bye\":true}")).build(), BodyHandlers.ofString());

            // then
            assertThat(getResponse.statusCode()).isEqualTo(200);
            assertThat(getResponse.body()).isEqualTo("order 7");
            assertThat(postResponse.statusCode()).isEqualTo(202);
            downstream.verify(getRequestedFor(urlEqualTo("/orders?id=7")));
            downstream.verify(postRequestedFor(urlEqualTo("/cleanup")).withRequestBody(equalTo("{\"bye\":true}")));
        }
    }

    @Test
    void connectTunnelsToLoopbackTargets() throws Exception {
        downstream.stubFor(get("/t").willReturn(aResponse().withStatus(200).withBody("tunneled")));
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start();
                TestHttp.Connection c = TestHttp.open(emulator.outboundProxyPort())) {
            // when
            c.writeRaw("CONNECT 127.0.0.1:" + downstream.getPort() + " HTTP/1.1\r\nHost: x\r\n\r\n");

            // then
            String established = c.readLine();
            assertThat(established).isEqualTo("HTTP/1.1 200 Connection established");
            assertThat(c.readLine()).isEmpty();

            HttpResponse response = c.send("GET", "/t"); // plain HTTP inside the tunnel
            assertThat(response.bodyText()).isEqualTo("tunneled");
        }
    }

    @Test
    void nonLoopbackTargetsAreForbidden() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start()) {
            HttpResponse absolute = TestHttp.send(emulator.outboundProxyPort(), "GET", "http://example.com/x");
            HttpResponse tunnel = TestHttp.send(emulator.outboundProxyPort(), "CONNECT", "10.0.0.1:443");

            assertThat(absolute.status()).isEqualTo(403);
            assertThat(tunnel.status()).isEqualTo(403);
        }
    }

    @Test
    void unreachableUpstreamIs503() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start()) {
            HttpResponse response = TestHttp.send(emulator.outboundProxyPort(), "GET",
                    "http://127.0.0.1:" + closedPort + "/x");

            assertThat(response.status()).isEqualTo(503);
            assertThat(response.bodyText()).startsWith("upstream connect error");
        }
    }

    @Test
    void upstreamDelayIsWaitedForAndKeepAliveIsKept() throws Exception {
        downstream.stubFor(get("/slow").willReturn(aResponse().withStatus(200).withFixedDelay(300).withBody("slow")));
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start();
                TestHttp.Connection c = TestHttp.open(emulator.outboundProxyPort())) {
            for (int i = 0; i < 2; i++) {
                HttpResponse response = c.send("GET", "http://127.0.0.1:" + downstream.getPort() + "/slow");
                assertThat(response.bodyText()).isEqualTo("slow");
            }
            assertThat(c.isClosedByServer()).isFalse();
        }
    }

    @Test
    void inFlightRequestIsResetWhenEnvoyDies() throws Exception {
        // given: a request in flight when Envoy is killed
        downstream.stubFor(get("/hang").willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start();
                TestHttp.Connection c = TestHttp.open(emulator.outboundProxyPort())) {
            c.writeRaw("GET http://127.0.0.1:" + downstream.getPort() + "/hang HTTP/1.1\r\nHost: x\r\n\r\n");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(3))
                    .until(() -> !downstream.getAllServeEvents().isEmpty());

            // when
            TestHttp.post(emulator.adminUrl(), "/quitquitquit");

            // then: the in-flight call dies with a reset instead of an answer
            assertThat(c.readUntilEnd()).isInstanceOf(java.net.SocketException.class);
        }
    }
}
