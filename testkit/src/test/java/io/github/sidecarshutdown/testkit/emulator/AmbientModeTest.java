package io.github.sidecarshutdown.testkit.emulator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Conformance of {@link EmulatorMode#AMBIENT} (docs/sidecar-protocol.md §7): no proxy in the Pod, so
 * the admin, agent and health ports refuse; ztunnel keeps carrying the Pod's outbound and inbound
 * traffic through the whole shutdown and drops the Pod only once every container exited
 * ({@link SidecarEmulator#terminate()} in this mode).
 */
class AmbientModeTest {

    @RegisterExtension
    static WireMockExtension downstream =
            WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @BeforeEach
    void stubs() {
        downstream.stubFor(get("/x").willReturn(aResponse().withStatus(200).withBody("hello")));
    }

    private String target() {
        return "http://127.0.0.1:" + downstream.getPort() + "/x";
    }

    private static SidecarEmulator ambient() {
        return SidecarEmulator.builder().mode(EmulatorMode.AMBIENT).appPort(downstream.getPort()).build().start();
    }

    @Test
    void nothingListensOnAdminAgentOrHealth() {
        try (SidecarEmulator emulator = ambient()) {
            assertThat(EmulatorMode.AMBIENT.hasSidecar()).isFalse();
            assertThat(TestHttp.isRefused(emulator.adminUrl().getPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.agentUrl().getPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.healthUrl().getPort())).isTrue();
            assertThat(emulator.isEnvoyAlive()).isFalse();
            assertThat(emulator.calls()).isEmpty();
        }
    }

    @Test
    void outboundAndInboundWorkThroughTheShutdownUntilTheLastContainerExited() throws Exception {
        try (SidecarEmulator emulator = ambient();
                TestHttp.Connection open = TestHttp.open(emulator.outboundProxyPort())) {
            // Pod deleted: no preStop, no drain; ztunnel does not know yet.
            emulator.podDeletionStarted();
            assertThat(emulator.awaitExit(Duration.ofMillis(100))).isFalse();
            HttpResponse outbound = open.send("GET", target());
            assertThat(outbound.bodyText()).isEqualTo("hello");
            assertThat(outbound.headers().first("connection")).isNull();
            assertThat(TestHttp.send(emulator.outboundProxyPort(), "GET", target()).bodyText()).isEqualTo("hello");
            assertThat(TestHttp.send(emulator.inboundPort(), "GET", "/x").bodyText()).isEqualTo("hello");

            // when: the last container exited, ztunnel removes the Pod
            emulator.terminate();

            // then
            assertThat(emulator.awaitExit(Duration.ZERO)).isTrue();
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isTrue();
            assertThatThrownBy(() -> open.send("GET", target())).isInstanceOf(IOException.class);
            assertThat(emulator.events()).anySatisfy(e -> assertThat(e.detail()).contains("ztunnel removes the Pod"));
            assertThat(emulator.calls()).isEmpty();
        }
    }
}
