package io.github.sidecarshutdown.testkit.emulator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance: pilot-agent's {@code POST :15020/quitquitquit} per mode and Istio version
 * ({@code pilot/cmd/pilot-agent/status/server.go} {@code handleQuit}). From Istio 1.26 (istio/istio#55424)
 * it sets skip-drain before ending the agent, so Envoy is killed at once, with no drain call and no
 * {@code terminationDrainDuration}; before, it drains and waits as SIGTERM does.
 */
class QuitquitquitTest {

    @RegisterExtension
    static WireMockExtension downstream =
            WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @BeforeEach
    void stubs() {
        downstream.stubFor(get("/x").willReturn(aResponse().withStatus(200).withBody("hello")));
    }

    static Stream<Arguments> killsAtOnce() {
        return Stream.of(
                Arguments.of(EmulatorMode.ISTIO_1_26, null),
                Arguments.of(EmulatorMode.ISTIO_1_26, "1.31.0"),
                Arguments.of(EmulatorMode.EXIT_ON_ZERO_ACTIVE_CONNECTIONS, null),
                Arguments.of(EmulatorMode.NATIVE, null),
                Arguments.of(EmulatorMode.ISTIO_1_5, "1.26.0"));
    }

    static Stream<Arguments> drainsAndWaits() {
        return Stream.of(
                Arguments.of(EmulatorMode.ISTIO_1_5, null),
                Arguments.of(EmulatorMode.ISTIO_1_26, "1.25.2"),
                Arguments.of(EmulatorMode.ISTIO_1_5, "1.20.8"),
                Arguments.of(EmulatorMode.NATIVE, "1.24.3"));
    }

    private static SidecarEmulator start(EmulatorMode mode, @Nullable String istioVersion, Duration drain) {
        SidecarEmulatorBuilder builder = SidecarEmulator.builder().mode(mode).terminationDrainDuration(drain)
                .minimumDrainDuration(drain);
        if (istioVersion != null) {
            builder.istioVersion(istioVersion);
        }
        return builder.build().start();
    }

    @ParameterizedTest(name = "{0} istio {1}")
    @MethodSource("killsAtOnce")
    void fromIstio126QuitKillsEnvoyAndExitsAtOnceWithoutDraining(EmulatorMode mode, @Nullable String version)
            throws Exception {
        // given: drain windows far longer than the bound below, and an open outbound connection
        try (SidecarEmulator emulator = start(mode, version, Duration.ofSeconds(30));
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
            assertThat(outbound.send("GET", "http://127.0.0.1:" + downstream.getPort() + "/x").status())
                    .isEqualTo(200);

            // when
            long quit = System.nanoTime();
            HttpResponse response = TestHttp.post(emulator.agentUrl(), "/quitquitquit");

            // then
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("OK");
            assertThat(emulator.awaitExit(Duration.ofSeconds(3))).isTrue();
            assertThat(Duration.ofNanos(emulator.exitedAtNanos().orElseThrow() - quit))
                    .isLessThan(Duration.ofSeconds(3));
            assertThat(emulator.exitCode()).hasValue(0);
            IOException end = outbound.readUntilEnd();
            assertThat(end).isInstanceOf(SocketException.class).hasMessageContaining("reset");
            assertThat(TestHttp.isRefused(emulator.adminUrl().getPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.agentUrl().getPort())).isTrue();
            assertThat(emulator.calls()).noneMatch(c -> c.path().equals("/drain_listeners"));
            assertThat(emulator.events()).extracting(SidecarEvent::type).containsSubsequence(
                    SidecarEvent.Type.AGENT_QUIT_REQUESTED, SidecarEvent.Type.AGENT_STATUS_CLOSED,
                    SidecarEvent.Type.ENVOY_KILLED, SidecarEvent.Type.AGENT_EXITED);
        }
    }

    @ParameterizedTest(name = "{0} istio {1}")
    @MethodSource("drainsAndWaits")
    void beforeIstio126QuitDrainsInboundAndWaitsTheTerminationDrainDuration(EmulatorMode mode,
            @Nullable String version) throws Exception {
        try (SidecarEmulator emulator = start(mode, version, Duration.ofMillis(700))) {
            // when
            long quit = System.nanoTime();
            assertThat(TestHttp.post(emulator.agentUrl(), "/quitquitquit").bodyText()).isEqualTo("OK");

            // then: 15020 closes right after the answer, Envoy lives on for the drain window
            await().atMost(Duration.ofSeconds(2)).until(() -> TestHttp.isRefused(emulator.agentUrl().getPort()));
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").bodyText()).isEqualTo("LIVE\n");
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(emulator.exitedAtNanos().orElseThrow() - quit))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(700));
            assertThat(emulator.calls()).filteredOn(RecordedCall::fromSidecar).extracting(RecordedCall::toString)
                    .contains("ADMIN POST /drain_listeners?inboundonly&graceful (from sidecar)");
        }
    }
}
