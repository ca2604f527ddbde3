package io.github.sidecarshutdown.testkit.emulator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.sidecarshutdown.envoy.EnvoyAdminClient;
import io.github.sidecarshutdown.istio.EnvoySidecar;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Conformance: Envoy's per-listener and inbound HTTP stats, by Envoy's exact names, so a client can watch
 * inbound traffic through {@code /stats} ({@link SidecarEmulatorBuilder#trafficStats(boolean)}); absent
 * with Istio's default stats matcher.
 */
class TrafficStatsTest {

    @RegisterExtension
    static WireMockExtension app = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @BeforeEach
    void stubs() {
        app.stubFor(get("/x").willReturn(aResponse().withStatus(200).withBody("hello")));
    }

    private static String stat(SidecarEmulator emulator, String name) throws Exception {
        return TestHttp.get(emulator.adminUrl(), "/stats?filter=^" + name.replace(".", "\\.") + "$").bodyText();
    }

    @Test
    void inboundConnectionsAndRequestsAreCountedUnderEnvoysNames() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().appPort(app.getPort()).trafficStats(true)
                .build().start()) {
            String http = "http.inbound_0.0.0.0_" + app.getPort() + ";"; // Istio >= 1.23 delimits the prefix

            // when: two inbound connections, four requests
            try (TestHttp.Connection first = TestHttp.open(emulator.inboundPort());
                    TestHttp.Connection second = TestHttp.open(emulator.inboundPort())) {
                for (int i = 0; i < 3; i++) {
                    assertThat(first.send("GET", "/x").bodyText()).isEqualTo("hello");
                }
                assertThat(second.send("GET", "/x").bodyText()).isEqualTo("hello");

                // then
                assertThat(stat(emulator, "listener.0.0.0.0_15006.downstream_cx_total"))
                        .isEqualTo("listener.0.0.0.0_15006.downstream_cx_total: 2\n");
                assertThat(stat(emulator, "listener.0.0.0.0_15006.worker_0.downstream_cx_total"))
                        .isEqualTo("listener.0.0.0.0_15006.worker_0.downstream_cx_total: 2\n");
                assertThat(stat(emulator, "listener.0.0.0.0_15006.downstream_cx_active"))
                        .isEqualTo("listener.0.0.0.0_15006.downstream_cx_active: 2\n");
                assertThat(stat(emulator, http + ".downstream_rq_total"))
                        .isEqualTo(http + ".downstream_rq_total: 4\n");
                assertThat(stat(emulator, http + ".downstream_rq_active"))
                        .isEqualTo(http + ".downstream_rq_active: 0\n");
                assertThat(stat(emulator, http + ".downstream_cx_drain_close"))
                        .isEqualTo(http + ".downstream_cx_drain_close: 0\n");
            }
            await().atMost(Duration.ofSeconds(2)).until(() -> stat(emulator,
                    "listener.0.0.0.0_15006.downstream_cx_active").equals("listener.0.0.0.0_15006.downstream_cx_active: 0\n"));

            // and when: a drain makes the next inbound response close its connection
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful&skip_exit");
            try (TestHttp.Connection third = TestHttp.open(emulator.inboundPort())) {
                assertThat(third.send("GET", "/x").headers().first("connection")).isEqualTo("close");
            }

            // then
            assertThat(stat(emulator, http + ".downstream_cx_drain_close"))
                    .isEqualTo(http + ".downstream_cx_drain_close: 1\n");
            assertThat(stat(emulator, http + ".downstream_rq_total")).isEqualTo(http + ".downstream_rq_total: 5\n");
            assertThat(stat(emulator, "listener.0.0.0.0_15006.downstream_cx_total"))
                    .isEqualTo("listener.0.0.0.0_15006.downstream_cx_total: 3\n");
        }
    }

    @Test
    void usedOnlyAndJsonShowTheSameNames() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().appPort(app.getPort()).trafficStats(true)
                .build().start()) {
            try (TestHttp.Connection inbound = TestHttp.open(emulator.inboundPort())) {
                inbound.send("GET", "/x");
            }

            // when
            String used = TestHttp.get(emulator.adminUrl(), "/stats?usedonly&filter=^(listener|http)\\.").bodyText();
            String json = TestHttp.get(emulator.adminUrl(), "/stats?format=json&filter=downstream_rq_total$").bodyText();

            // then: the never-used outbound and 15021 listeners are not listed with usedonly
            assertThat(used).contains("listener.0.0.0.0_15006.downstream_cx_total: 1\n",
                    "http.inbound_0.0.0.0_" + app.getPort() + ";.downstream_rq_total: 1\n",
                    "listener.admin.downstream_cx_total: ")
                    .doesNotContain("15001").doesNotContain("15021").doesNotContain("downstream_cx_drain_close");
            assertThat(json).isEqualTo("{\"stats\":[{\"name\":\"http.inbound_0.0.0.0_" + app.getPort()
                    + ";.downstream_rq_total\",\"value\":1}]}");
        }
    }

    @Test
    void theLibrarysEnvoySidecarCountsWhatTheProxyForwards() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().appPort(app.getPort()).trafficStats(true)
                .build().start();
                EnvoyAdminClient client = EnvoyAdminClient.builder().adminUrl(emulator.adminUrl())
                        .agentUrl(emulator.agentUrl()).build()) {
            EnvoySidecar envoy = new EnvoySidecar(client, SidecarMode.ISTIO, Duration.ofSeconds(5));
            // listed at 0 before any traffic: the counters exist, nothing arrived yet
            assertThat(envoy.inboundArrivals(Duration.ofSeconds(1))).hasValue(0);

            // when: one connection, three forwarded requests
            try (TestHttp.Connection inbound = TestHttp.open(emulator.inboundPort())) {
                for (int i = 0; i < 3; i++) {
                    assertThat(inbound.send("GET", "/x").bodyText()).isEqualTo("hello");
                }
            }

            // then: 3 requests + 1 connection on 15006; the admin's own connections are not counted
            assertThat(envoy.inboundArrivals(Duration.ofSeconds(1))).hasValue(4);
            assertThat(envoy.inboundArrivals(Duration.ofSeconds(1))).hasValue(4);
        }
    }

    @Test
    void withIstiosDefaultMatcherTheLibrarySeesNoCounter() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().appPort(app.getPort()).build().start();
                EnvoyAdminClient client = EnvoyAdminClient.builder().adminUrl(emulator.adminUrl())
                        .agentUrl(emulator.agentUrl()).build()) {
            EnvoySidecar envoy = new EnvoySidecar(client, SidecarMode.ISTIO, Duration.ofSeconds(5));

            assertThat(envoy.inboundArrivals(Duration.ofSeconds(1))).isEmpty();
        }
    }

    @Test
    void istioBefore123NamesTheInboundPrefixWithoutTheDelimiter() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().istioVersion("1.22.3").appPort(app.getPort())
                .trafficStats(true).build().start()) {
            try (TestHttp.Connection inbound = TestHttp.open(emulator.inboundPort())) {
                inbound.send("GET", "/x");
            }

            String http = "http.inbound_0.0.0.0_" + app.getPort();
            assertThat(stat(emulator, http + ".downstream_rq_total")).isEqualTo(http + ".downstream_rq_total: 1\n");
        }
    }

    @Test
    void istiosDefaultMatcherHasNoneAndExitOnZeroOnlyTheActiveSuffix() throws Exception {
        try (SidecarEmulator plain = SidecarEmulator.builder().appPort(app.getPort()).build().start();
                SidecarEmulator exitOnZero = SidecarEmulator.builder().appPort(app.getPort())
                        .mode(EmulatorMode.EXIT_ON_ZERO_ACTIVE_CONNECTIONS).build().start()) {
            for (SidecarEmulator e : new SidecarEmulator[] {plain, exitOnZero}) {
                try (TestHttp.Connection inbound = TestHttp.open(e.inboundPort())) {
                    inbound.send("GET", "/x");
                }
            }

            String plainStats = TestHttp.get(plain.adminUrl(), "/stats").bodyText();
            String exitOnZeroStats = TestHttp.get(exitOnZero.adminUrl(), "/stats").bodyText();

            assertThat(plainStats).doesNotContain("listener.0.0.0.0_").doesNotContain("http.inbound");
            assertThat(exitOnZeroStats).contains("listener.0.0.0.0_15006.downstream_cx_active: ")
                    .doesNotContain("downstream_cx_total").doesNotContain("http.inbound");
        }
    }
}
