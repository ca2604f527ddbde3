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

/**
 * Conformance: Istio's native sidecar (Kubernetes sidecar container). Pod deletion runs the preStop
 * {@code pilot-agent request POST drain} ({@link SidecarEmulator#podDeletionStarted()}): Envoy drains
 * inbound with {@code inboundonly&graceful&skip_exit} and pilot-agent sets skip-drain
 * ({@code pkg/envoy/agent.go} {@code DrainNow}); the kubelet's SIGTERM comes only after the app exited
 * ({@link SidecarEmulator#terminate()}) and the agent then kills Envoy and exits at once.
 */
class NativeSidecarTest {

    @RegisterExtension
    static WireMockExtension app = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @BeforeEach
    void stubs() {
        app.stubFor(get("/x").willReturn(aResponse().withStatus(200).withBody("hello")));
    }

    @Test
    void outboundAndInboundListenersOutliveEveryDrainTimerUntilSigtermThenTheSidecarExitsAtOnce()
            throws Exception {
        // given: Envoy's drain time and terminationDrainDuration both far shorter than the app's shutdown
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.NATIVE).appPort(app.getPort())
                .drainDuration(Duration.ofMillis(200)).terminationDrainDuration(Duration.ofMillis(300))
                .build().start();
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
            // when: pod deletion starts
            emulator.podDeletionStarted();

            // then: exactly the skip_exit drain
            assertThat(emulator.calls()).extracting(RecordedCall::toString)
                    .containsExactly("ADMIN POST /drain_listeners?inboundonly&graceful&skip_exit (from sidecar)");

            // and during the app's shutdown, long past both timers: nothing stops, outbound is untouched
            await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3))
                    .until(() -> !TestHttp.isRefused(emulator.inboundPort()) && emulator.isEnvoyAlive()
                            && !emulator.isExited());
            for (int i = 0; i < 2; i++) {
                HttpResponse out = outbound.send("GET", "http://127.0.0.1:" + app.getPort() + "/x");
                assertThat(out.bodyText()).isEqualTo("hello");
                assertThat(out.headers().first("connection")).isNull();
            }
            assertThat(TestHttp.get(emulator.agentUrl(), "/healthz/ready").status()).isEqualTo(200);
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=listener_stopped").bodyText())
                    .isEqualTo("listener_manager.listener_stopped: 0\n");

            // when: the app has exited and the kubelet signals the sidecar
            long sigterm = System.nanoTime();
            emulator.terminate();

            // then: killed at once, no second drain, no wait
            assertThat(emulator.awaitExit(Duration.ofSeconds(3))).isTrue();
            assertThat(Duration.ofNanos(emulator.exitedAtNanos().orElseThrow() - sigterm))
                    .isLessThan(Duration.ofMillis(300));
            assertThat(emulator.calls()).filteredOn(c -> c.path().equals("/drain_listeners")).hasSize(1);
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isTrue();
            assertThat(emulator.events()).extracting(SidecarEvent::type).containsSubsequence(
                    SidecarEvent.Type.NATIVE_PRESTOP, SidecarEvent.Type.DRAIN_STARTED,
                    SidecarEvent.Type.SIGTERM_RECEIVED, SidecarEvent.Type.ENVOY_KILLED,
                    SidecarEvent.Type.AGENT_EXITED);
        }
    }

    @Test
    void withEnvoyBefore134TheOutboundCallsOfTheShuttingDownAppGetConnectionClose() throws Exception {
        // given: Istio 1.25's native sidecar (istio/istio#51855)
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.NATIVE).istioVersion("1.25.2")
                .envoyVersion("1.33.2").build().start();
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
            // when
            emulator.podDeletionStarted();

            // then: the request works but the connection closes after it
            HttpResponse out = outbound.send("GET", "http://127.0.0.1:" + app.getPort() + "/x");
            assertThat(out.bodyText()).isEqualTo("hello");
            assertThat(out.headers().first("connection")).isEqualTo("close");
            assertThat(outbound.isClosedByServer()).isTrue();
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isFalse();
        }
    }
}
