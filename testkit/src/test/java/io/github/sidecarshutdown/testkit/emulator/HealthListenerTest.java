package io.github.sidecarshutdown.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The 15021 listener ({@code envoy_bootstrap.json}: {@code /healthz/ready} to the agent). */
class HealthListenerTest {

    @Test
    void forwardsReadinessToTheAgent() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().timeToLive(Duration.ofMillis(300))
                .statsFlushInterval(Duration.ofMillis(100)).build().start()) {
            assertThat(TestHttp.get(emulator.healthUrl(), "/healthz/ready").status()).isEqualTo(503);

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> TestHttp.get(emulator.healthUrl(), "/healthz/ready").status() == 200);
            assertThat(emulator.calls()).extracting(RecordedCall::target)
                    .contains(RecordedCall.Target.HEALTH, RecordedCall.Target.AGENT);
        }
    }

    @Test
    void answers503WithATextBodyOnceTheAgentRefuses() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().terminationDrainDuration(Duration.ofSeconds(10))
                .build().start()) {
            // when
            emulator.terminate();

            // then
            HttpResponse response = TestHttp.get(emulator.healthUrl(), "/healthz/ready");
            assertThat(response.status()).isEqualTo(503);
            assertThat(response.headers().first("content-type")).startsWith("text/plain");
            assertThat(response.bodyText()).startsWith("upstream connect error or disconnect/reset before headers");
        }
    }

    @Test
    void onlyReadinessIsRouted() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start()) {
            assertThat(TestHttp.get(emulator.healthUrl(), "/quitquitquit").status()).isEqualTo(404);
            assertThat(emulator.isEnvoyAlive()).isTrue();
        }
    }
}
