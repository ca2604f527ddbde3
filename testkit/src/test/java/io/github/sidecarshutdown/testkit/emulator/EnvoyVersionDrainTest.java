package io.github.sidecarshutdown.testkit.emulator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Conformance: what a drain does depends on the Envoy version the emulator reports in
 * {@code /server_info} ({@link SidecarEmulatorBuilder#envoyVersion(String)}): directional
 * {@code inboundonly&graceful} drains from Envoy 1.34 (envoyproxy/envoy#37873), a global drain-close
 * before (envoyproxy/envoy#35020), and {@code skip_exit} only from 1.28 (envoyproxy/envoy#30003).
 */
class EnvoyVersionDrainTest {

    @RegisterExtension
    static WireMockExtension app = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @BeforeEach
    void stubs() {
        app.stubFor(get("/x").willReturn(aResponse().withStatus(200).withBody("hello")));
    }

    private static SidecarEmulator start(String envoyVersion) {
        return SidecarEmulator.builder().envoyVersion(envoyVersion).appPort(app.getPort()).build().start();
    }

    private static String downstream() {
        return "http://127.0.0.1:" + app.getPort() + "/x";
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.34.0", "1.34.1", "1.36.2-dev"})
    void fromEnvoy134AnInboundOnlyGracefulDrainLeavesOutboundHealthAndAdminConnectionsAlone(String version)
            throws Exception {
        try (SidecarEmulator emulator = start(version);
                TestHttp.Connection inbound = TestHttp.open(emulator.inboundPort());
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort());
                TestHttp.Connection health = TestHttp.open(emulator.healthUrl().getPort());
                TestHttp.Connection admin = TestHttp.open(emulator.adminUrl().getPort())) {
            assertThat(TestHttp.get(emulator.adminUrl(), "/server_info").bodyText())
                    .containsPattern("\"version\": \"[0-9a-f]{40}/" + version.replace(".", "\\.") + "/Clean/");

            // when
            assertThat(TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful").bodyText())
                    .isEqualTo("OK\n");

            // then: inbound drain-closes ...
            HttpResponse in = inbound.send("GET", "/x");
            assertThat(in.bodyText()).isEqualTo("hello");
            assertThat(in.headers().first("connection")).isEqualTo("close");
            assertThat(inbound.isClosedByServer()).isTrue();
            // ... and every other connection stays keep-alive, over several requests
            for (int i = 0; i < 3; i++) {
                HttpResponse out = outbound.send("GET", downstream());
                assertThat(out.bodyText()).isEqualTo("hello");
                assertThat(out.headers().first("connection")).as("outbound, request %d", i).isNull();
                assertThat(health.send("GET", "/healthz/ready").headers().first("connection"))
                        .as("15021, request %d", i).isNull();
                assertThat(admin.send("GET", "/ready").headers().first("connection"))
                        .as("admin, request %d", i).isNull();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.33.5", "1.28.0", "1.22.11"})
    void beforeEnvoy134AnInboundOnlyGracefulDrainDrainClosesOutboundToo(String version) throws Exception {
        try (SidecarEmulator emulator = start(version);
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort());
                TestHttp.Connection health = TestHttp.open(emulator.healthUrl().getPort());
                TestHttp.Connection admin = TestHttp.open(emulator.adminUrl().getPort())) {
            // given: keep-alive before the drain
            assertThat(outbound.send("GET", downstream()).headers().first("connection")).isNull();

            // when
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful");

            // then: the global drain manager drain-closes every HTTP connection manager
            HttpResponse out = outbound.send("GET", downstream());
            assertThat(out.bodyText()).isEqualTo("hello");
            assertThat(out.headers().first("connection")).isEqualTo("close");
            assertThat(outbound.isClosedByServer()).isTrue();
            assertThat(health.send("GET", "/healthz/ready").headers().first("connection")).isEqualTo("close");
            assertThat(admin.send("GET", "/ready").headers().first("connection")).isEqualTo("close");
            // but the outbound listener keeps accepting: inboundonly only selects what stops at the end
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isFalse();
        }
    }

    @Test
    void beforeEnvoy128SkipExitIsAnUnknownFlagSoGracefulListenersStillStop() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().envoyVersion("1.27.7")
                .drainDuration(Duration.ofMillis(300)).build().start()) {
            // when
            HttpResponse response = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful&skip_exit");

            // then
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("OK\n");
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isFalse();
            await().atMost(Duration.ofSeconds(5)).until(() -> TestHttp.isRefused(emulator.inboundPort()));
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isFalse();
        }
    }

    @Test
    void beforeEnvoy128SkipExitWithoutGracefulIsAPlainDrainNot400() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().envoyVersion("1.27.7").build().start()) {
            HttpResponse response = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&skip_exit");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("OK\n");
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isTrue();
        }
    }

    @Test
    void fromEnvoy128SkipExitWithoutGracefulIs400AndStopsNothing() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().envoyVersion("1.28.0").build().start()) {
            HttpResponse response = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&skip_exit");

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.bodyText()).isEqualTo("skip_exit requires graceful\n");
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isFalse();
        }
    }

    @Test
    void envoyVersionSetsTheLegacyDrainAndAContradictionIsRefused() throws Exception {
        try (SidecarEmulator legacy = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26).envoyVersion("1.33.2")
                .build().start();
                TestHttp.Connection outbound = TestHttp.open(legacy.outboundProxyPort())) {
            TestHttp.post(legacy.adminUrl(), "/drain_listeners?inboundonly&graceful");

            assertThat(outbound.send("GET", downstream()).headers().first("connection")).isEqualTo("close");
        }
        assertThatThrownBy(() -> SidecarEmulator.builder().envoyVersion("1.34.1").legacyEnvoyDrain(true).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("legacyEnvoyDrain: true (expected: false with envoyVersion 1.34.1; "
                        + "Envoy drains directionally from 1.34)");
        assertThatThrownBy(() -> SidecarEmulator.builder().envoyVersion("latest"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("envoyVersion: latest (expected: like 1.34.1)");
    }
}
