package io.github.sidecarshutdown.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Conformance: pilot-agent's status port moved by the Pod ({@code status.sidecar.istio.io/port: "N"},
 * {@link SidecarEmulatorBuilder#agentPort(int)}) or absent ({@code "0"},
 * {@link SidecarEmulatorBuilder#statusServerEnabled(boolean)}), and a client holding the wrong agent URL.
 * Envoy's admin must answer normally in all of them.
 */
class StatusPortTest {

    /** A loopback port that nothing listens on right now (a client's stale or wrong agent URL). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, SocketListener.LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aMovedStatusPortServesThereAndServerInfoSaysWhere() throws Exception {
        int moved = freePort();
        try (SidecarEmulator emulator = SidecarEmulator.builder().agentPort(moved)
                .terminationDrainDuration(Duration.ofSeconds(2)).build().start()) {
            int wrong = freePort();

            // then: the agent answers on the moved port, 15021 reaches it, /server_info names it
            assertThat(emulator.agentUrl().getPort()).isEqualTo(moved);
            assertThat(TestHttp.get(emulator.agentUrl(), "/healthz/ready").status()).isEqualTo(200);
            assertThat(TestHttp.get(emulator.healthUrl(), "/healthz/ready").status()).isEqualTo(200);
            assertThat(TestHttp.get(emulator.adminUrl(), "/server_info").bodyText())
                    .contains("\"statusPort\": " + moved, "\"proxyAdminPort\": " + emulator.adminUrl().getPort());
            // and a client configured with another agent URL is refused while Envoy answers
            assertThat(TestHttp.isRefused(wrong)).isTrue();
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").bodyText()).isEqualTo("LIVE\n");

            // when
            emulator.terminate();

            // then: the moved port closes at SIGTERM, as 15020 would; Envoy answers until it is killed
            assertThat(TestHttp.isRefused(moved)).isTrue();
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").bodyText()).isEqualTo("LIVE\n");
            assertThat(TestHttp.get(emulator.healthUrl(), "/healthz/ready").status()).isEqualTo(503);
            assertThat(emulator.awaitExit(Duration.ofSeconds(6))).isTrue();
            assertThat(TestHttp.isRefused(emulator.adminUrl().getPort())).isTrue();
        }
    }

    @Test
    void withoutStatusPortTheAdminAnswersAndTheAgentPortRefusesBeforeAndAfterSigterm() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().statusServerEnabled(false)
                .terminationDrainDuration(Duration.ofSeconds(1)).build().start()) {
            // then: Envoy's admin is a normal Istio sidecar's ...
            HttpResponse ready = TestHttp.get(emulator.adminUrl(), "/ready");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.bodyText()).isEqualTo("LIVE\n");
            assertThat(TestHttp.get(emulator.adminUrl(), "/server_info").bodyText())
                    .contains("\"ISTIO_VERSION\": \"1.26.2\"", "\"PROXY_CONFIG\": {",
                            "\"terminationDrainDuration\": \"1s\"")
                    .doesNotContain("statusPort");
            // ... but there is no agent to talk to, directly or through 15021
            assertThat(TestHttp.isRefused(emulator.agentUrl().getPort())).isTrue();
            HttpResponse health = TestHttp.get(emulator.healthUrl(), "/healthz/ready");
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.bodyText()).startsWith("upstream connect error");

            // when
            emulator.terminate();

            // then: pilot-agent still drains and waits; the admin answers, the agent port still refuses
            await().atMost(Duration.ofSeconds(2)).until(() -> emulator.calls().stream().anyMatch(c ->
                    c.toString().equals("ADMIN POST /drain_listeners?inboundonly&graceful (from sidecar)")));
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").bodyText()).isEqualTo("LIVE\n");
            assertThat(TestHttp.isRefused(emulator.agentUrl().getPort())).isTrue();
            assertThat(emulator.isExited()).isFalse();
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(TestHttp.isRefused(emulator.adminUrl().getPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.agentUrl().getPort())).isTrue();
            assertThat(emulator.calls()).noneMatch(c -> c.target() == RecordedCall.Target.AGENT);
        }
    }

    @Test
    void withoutStatusPortTheNativePreStopCannotDrainSoSigtermDrainsAndWaits() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.NATIVE).statusServerEnabled(false)
                .terminationDrainDuration(Duration.ofMillis(600)).build().start()) {
            // when: the preStop `pilot-agent request POST drain` finds nothing to talk to
            emulator.podDeletionStarted();

            // then: no drain yet
            assertThat(emulator.calls()).noneMatch(c -> c.path().equals("/drain_listeners"));
            assertThat(emulator.events()).filteredOn(e -> e.type() == SidecarEvent.Type.NATIVE_PRESTOP)
                    .singleElement().extracting(SidecarEvent::detail).asString().contains("failed");

            // when: the kubelet's SIGTERM after the app exited
            long sigterm = System.nanoTime();
            emulator.terminate();

            // then: the classic drain and terminationDrainDuration, since /drain never set skip-drain
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(emulator.exitedAtNanos().orElseThrow() - sigterm))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(600));
            assertThat(emulator.calls()).extracting(RecordedCall::toString)
                    .containsExactly("ADMIN POST /drain_listeners?inboundonly&graceful (from sidecar)");
        }
    }
}
