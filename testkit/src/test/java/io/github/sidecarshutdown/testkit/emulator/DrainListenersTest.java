package io.github.sidecarshutdown.testkit.emulator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code POST /drain_listeners}: sidecar-protocol.md section 8 point 6 (and 1.4). */
class DrainListenersTest {

    @RegisterExtension
    static WireMockExtension app = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @BeforeEach
    void stubs() {
        app.stubFor(get("/x").willReturn(aResponse().withStatus(200).withBody("hello")));
    }

    private SidecarEmulator start(SidecarEmulatorBuilder builder) {
        return builder.appPort(app.getPort()).build().start();
    }

    private String downstream() {
        return "http://127.0.0.1:" + app.getPort() + "/x";
    }

    @Test
    void gracefulInboundOnlyDrainClosesInboundButNotOutboundOnEnvoy134() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().mode(IstioMode.ISTIO_1_26));
                TestHttp.Connection inbound = TestHttp.open(emulator.inboundPort());
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
            // when
            HttpResponse drain = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful");

            // then
            assertThat(drain.status()).isEqualTo(200);
            assertThat(drain.bodyText()).isEqualTo("OK\n");
            HttpResponse in = inbound.send("GET", "/x");
            assertThat(in.bodyText()).isEqualTo("hello");
            assertThat(in.headers().first("connection")).isEqualTo("close");
            assertThat(inbound.isClosedByServer()).isTrue();
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isFalse(); // still accepting during the drain
            for (int i = 0; i < 2; i++) { // keep-alive, untouched
                HttpResponse out = outbound.send("GET", downstream());
                assertThat(out.bodyText()).isEqualTo("hello");
                assertThat(out.headers().first("connection")).isNull();
            }
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").bodyText()).isEqualTo("LIVE\n");
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=^server\\.(state|live)$").bodyText())
                    .isEqualTo("server.live: 1\nserver.state: 0\n");
        }
    }

    @Test
    void legacyEnvoyDrainAlsoClosesOutboundAndAdminConnections() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().mode(IstioMode.ISTIO_1_5));
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort());
                TestHttp.Connection admin = TestHttp.open(emulator.adminUrl().getPort())) {
            // when
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful");

            // then: Envoy < 1.34 (envoyproxy/envoy#35020)
            HttpResponse out = outbound.send("GET", downstream());
            assertThat(out.bodyText()).isEqualTo("hello");
            assertThat(out.headers().first("connection")).isEqualTo("close");
            assertThat(outbound.isClosedByServer()).isTrue();
            assertThat(admin.send("GET", "/ready").headers().first("connection")).isEqualTo("close");
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isFalse();
        }
    }

    @Test
    void drainWithoutInboundOnlyAlsoDrainsOutboundOnEnvoy134() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder());
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?graceful");

            assertThat(outbound.send("GET", downstream()).headers().first("connection")).isEqualTo("close");
        }
    }

    @Test
    void inboundListenerStopsWhenTheDrainTimeElapses() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().drainDuration(Duration.ofMillis(300)))) {
            // when
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful");

            // then
            await().atMost(Duration.ofSeconds(5)).until(() -> TestHttp.isRefused(emulator.inboundPort()));
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isFalse();
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=listener_stopped").bodyText())
                    .isEqualTo("listener_manager.listener_stopped: 1\n");
            assertThat(emulator.events()).extracting(SidecarEvent::type)
                    .containsSubsequence(SidecarEvent.Type.DRAIN_STARTED, SidecarEvent.Type.LISTENERS_STOPPED);
        }
    }

    @Test
    void skipExitKeepsInboundAcceptingAfterTheDrainTime() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().drainDuration(Duration.ofMillis(200)))) {
            // when
            HttpResponse response = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful&skip_exit");

            // then
            assertThat(response.bodyText()).isEqualTo("OK\n");
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
                    .until(() -> !TestHttp.isRefused(emulator.inboundPort()));
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=listener_stopped").bodyText())
                    .isEqualTo("listener_manager.listener_stopped: 0\n");
            try (TestHttp.Connection inbound = TestHttp.open(emulator.inboundPort())) {
                assertThat(inbound.send("GET", "/x").headers().first("connection")).isEqualTo("close");
            }
        }
    }

    @Test
    void skipExitRequiresGraceful() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            HttpResponse response = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&skip_exit");

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.bodyText()).isEqualTo("skip_exit requires graceful\n");
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isFalse();
        }
    }

    @Test
    void nonGracefulDrainStopsTheSelectedListenersAtOnce() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            HttpResponse response = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly");

            assertThat(response.bodyText()).isEqualTo("OK\n");
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isFalse();
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").status()).isEqualTo(200);
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=listener_stopped").bodyText())
                    .isEqualTo("listener_manager.listener_stopped: 1\n");
        }
    }

    @Test
    void nonGracefulDrainOfAllListenersStopsOutboundToo() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            TestHttp.post(emulator.adminUrl(), "/drain_listeners");

            assertThat(TestHttp.isRefused(emulator.inboundPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isTrue();
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").status()).isEqualTo(200); // admin is not a listener
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=listener_stopped").bodyText())
                    .isEqualTo("listener_manager.listener_stopped: 3\n");
        }
    }

    @Test
    void repeatedGracefulCallsAreNoOpsAndFlagsCountByPresence() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            HttpResponse first = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly=true&graceful=true");
            HttpResponse second = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful");

            assertThat(first.bodyText()).isEqualTo("OK\n");
            assertThat(second.bodyText()).isEqualTo("OK\n");
            assertThat(emulator.events()).filteredOn(e -> e.type() == SidecarEvent.Type.DRAIN_STARTED).hasSize(1)
                    .first().extracting(SidecarEvent::detail).asString().startsWith("inboundonly graceful");
        }
    }
}
