package io.github.sidecarshutdown.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** linkerd-proxy's admin ({@code linkerd/app/admin/src/server.rs}) and daprd's health and shutdown API. */
class MeshProxyTest {

    private static SidecarEmulator start(SidecarEmulatorBuilder b) {
        return b.build().start();
    }

    @Test
    void linkerdAnswersReadyLiveAndRefusesNonPostShutdown() throws Exception {
        try (SidecarEmulator e = start(SidecarEmulator.builder().mode(EmulatorMode.LINKERD))) {
            HttpResponse ready = TestHttp.get(e.adminUrl(), "/ready");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.bodyText()).isEqualTo("ready\n");
            assertThat(TestHttp.get(e.adminUrl(), "/live").bodyText()).isEqualTo("live\n");
            assertThat(TestHttp.get(e.adminUrl(), "/shutdown").status()).isEqualTo(405);
            assertThat(TestHttp.get(e.adminUrl(), "/other").status()).isEqualTo(404);
            assertThat(e.isExited()).isFalse();
            assertThat(TestHttp.isRefused(e.agentUrl().getPort())).isTrue(); // no pilot-agent
        }
    }

    @Test
    void linkerdShutdownMakesTheProxyExit() throws Exception {
        try (SidecarEmulator e = start(SidecarEmulator.builder().mode(EmulatorMode.LINKERD))) {
            HttpResponse r = TestHttp.post(e.adminUrl(), "/shutdown");

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("shutdown\n");
            assertThat(e.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(TestHttp.isRefused(e.adminUrl().getPort())).isTrue();
        }
    }

    @Test
    void linkerdWithTheShutdownEndpointDisabledAnswers404AndStays() throws Exception {
        try (SidecarEmulator e = start(SidecarEmulator.builder().mode(EmulatorMode.LINKERD).shutdownEndpointEnabled(false))) {
            HttpResponse r = TestHttp.post(e.adminUrl(), "/shutdown");

            assertThat(r.status()).isEqualTo(404);
            assertThat(r.bodyText()).isEqualTo("shutdown endpoint is not enabled\n");
            assertThat(e.isExited()).isFalse();
        }
    }

    @Test
    void linkerdOnSigtermTurnsNotReadyThenDrainsAndExits() throws Exception {
        try (SidecarEmulator e = start(SidecarEmulator.builder().mode(EmulatorMode.LINKERD)
                .terminationDrainDuration(Duration.ofMillis(400)))) {
            e.terminate();

            assertThat(TestHttp.get(e.adminUrl(), "/ready").status()).isEqualTo(503);
            assertThat(e.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(e.events()).extracting(SidecarEvent::type).contains(SidecarEvent.Type.SIGTERM_RECEIVED,
                    SidecarEvent.Type.AGENT_EXITED);
        }
    }

    @Test
    void daprAnswersHealthAndShutsDownGracefully() throws Exception {
        try (SidecarEmulator e = start(SidecarEmulator.builder().mode(EmulatorMode.DAPR)
                .terminationDrainDuration(Duration.ofMillis(300)))) {
            assertThat(TestHttp.get(e.adminUrl(), "/v1.0/healthz/outbound").status()).isEqualTo(204);
            assertThat(TestHttp.get(e.adminUrl(), "/v1.0/healthz").status()).isEqualTo(204);
            assertThat(TestHttp.get(e.adminUrl(), "/v1.0/shutdown").status()).isEqualTo(405);

            assertThat(TestHttp.post(e.adminUrl(), "/v1.0/shutdown").status()).isEqualTo(204);

            // daprd answers 204 first and starts its graceful shutdown after: health turns 500 soon after, not at once.
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10)).untilAsserted(() ->
                    assertThat(TestHttp.get(e.adminUrl(), "/v1.0/healthz/outbound").status()).isEqualTo(500));
            assertThat(e.awaitExit(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void daprOnSigtermExitsAfterItsGracefulShutdown() throws Exception {
        try (SidecarEmulator e = start(SidecarEmulator.builder().mode(EmulatorMode.DAPR)
                .terminationDrainDuration(Duration.ofMillis(300)))) {
            long start = System.nanoTime();
            e.terminate();

            assertThat(e.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(e.exitedAtNanos().getAsLong() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }
    }
}
