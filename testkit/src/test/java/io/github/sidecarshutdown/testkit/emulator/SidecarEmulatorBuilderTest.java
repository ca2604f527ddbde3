package io.github.sidecarshutdown.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Builder defaults, custom values and invalid values, and Istio's timing defaults. */
class SidecarEmulatorBuilderTest {

    @Test
    void defaultsAreIstioDefaults() throws Exception {
        // given / when
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start()) {
            String info = TestHttp.get(emulator.adminUrl(), "/server_info").bodyText();

            // then
            assertThat(emulator.mode()).isEqualTo(EmulatorMode.ISTIO_1_26);
            assertThat(emulator.istioVersion()).isEqualTo("1.26.2");
            assertThat(emulator.envoyVersion()).isEqualTo("1.34.2");
            assertThat(emulator.terminationDrainDuration()).isEqualTo(Duration.ofSeconds(5));
            assertThat(info).contains("\"terminationDrainDuration\": \"5s\"", "\"drainDuration\": \"45s\"",
                    "\"drain_time\": \"45s\"");
            assertThat(emulator.adminUrl().getHost()).isEqualTo("127.0.0.1");
            assertThat(emulator.adminUrl().getPort()).isPositive();
        }
    }

    @Test
    void timingDefaultsOfSection815() {
        assertThat(IstioDefaults.TERMINATION_DRAIN_DURATION).isEqualTo(Duration.ofSeconds(5));
        assertThat(IstioDefaults.DRAIN_DURATION).isEqualTo(Duration.ofSeconds(45));
        assertThat(IstioDefaults.MINIMUM_DRAIN_DURATION).isEqualTo(Duration.ofSeconds(5));
        assertThat(IstioDefaults.ACTIVE_CONNECTION_CHECK_INTERVAL).isEqualTo(Duration.ofSeconds(1));
        assertThat(IstioDefaults.STATS_REQUEST_TIMEOUT).isEqualTo(Duration.ofSeconds(2));
        assertThat(IstioDefaults.READINESS_STATS_TIMEOUT).isEqualTo(Duration.ofSeconds(3));
        assertThat(IstioDefaults.STATS_FLUSH_INTERVAL).isEqualTo(Duration.ofSeconds(5));
        assertThat(IstioDefaults.HEALTH_CONNECT_TIMEOUT).isEqualTo(Duration.ofMillis(250));
        assertThat(IstioDefaults.WAIT_PERIOD).isEqualTo(Duration.ofMillis(500));
        assertThat(IstioDefaults.WAIT_REQUEST_TIMEOUT).isEqualTo(Duration.ofMillis(500));
        assertThat(IstioDefaults.WAIT_TIMEOUT).isEqualTo(Duration.ofSeconds(60));
        assertThat(IstioDefaults.READINESS_PROBE_PERIOD).isEqualTo(Duration.ofSeconds(15));
        assertThat(IstioDefaults.READINESS_FAILURE_THRESHOLD).isEqualTo(4);
        assertThat(IstioDefaults.STARTUP_PROBE_PERIOD).isEqualTo(Duration.ofSeconds(1));
        assertThat(IstioDefaults.STARTUP_FAILURE_THRESHOLD).isEqualTo(600);
        assertThat(IstioDefaults.TERMINATION_GRACE_PERIOD).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void customValuesAreReported() throws Exception {
        // given
        SidecarEmulatorBuilder builder = SidecarEmulator.builder()
                .mode(EmulatorMode.ISTIO_1_5)
                .istioVersion("1.20.8")
                .terminationDrainDuration(Duration.ofMillis(300))
                .drainDuration(Duration.ofSeconds(2));

        // when
        try (SidecarEmulator emulator = builder.build().start()) {
            String info = TestHttp.get(emulator.adminUrl(), "/server_info").bodyText();

            // then
            assertThat(emulator.mode()).isEqualTo(EmulatorMode.ISTIO_1_5);
            assertThat(info).contains("\"terminationDrainDuration\": \"0.300s\"", "\"drain_time\": \"2s\"",
                    "\"ISTIO_VERSION\": \"1.20.8\"", "1.33.5");
        }
    }

    @Test
    void builderCanBuildSeveralEmulators() {
        SidecarEmulatorBuilder builder = SidecarEmulator.builder();
        try (SidecarEmulator a = builder.build().start(); SidecarEmulator b = builder.build().start()) {
            assertThat(a.adminUrl()).isNotEqualTo(b.adminUrl());
        }
    }

    @Test
    void invalidValuesAreRejectedWithClearMessages() {
        SidecarEmulatorBuilder b = SidecarEmulator.builder();
        assertThatThrownBy(() -> b.terminationDrainDuration(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("terminationDrainDuration: PT-1S (expected: >= 0)");
        assertThatThrownBy(() -> b.activeConnectionCheckInterval(Duration.ZERO))
                .hasMessage("activeConnectionCheckInterval: PT0S (expected: > 0)");
        assertThatThrownBy(() -> b.statsFlushInterval(Duration.ZERO))
                .hasMessage("statsFlushInterval: PT0S (expected: > 0)");
        assertThatThrownBy(() -> b.adminPort(70000))
                .hasMessage("adminPort: 70000 (expected: 0..65535, 0 = ephemeral)");
        assertThatThrownBy(() -> b.istioVersion("latest"))
                .hasMessage("istioVersion: latest (expected: like 1.26.2)");
        assertThatThrownBy(() -> b.mode(null)).isInstanceOf(NullPointerException.class).hasMessage("mode");
        assertThatThrownBy(() -> SidecarEmulator.builder().timeToInitializing(Duration.ofSeconds(2))
                .timeToLive(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("timeToLive: PT1S (expected: >= timeToInitializing PT2S)");
    }

    @Test
    void lifecycleMisuseIsRefused() {
        SidecarEmulator emulator = SidecarEmulator.builder().build();
        assertThatThrownBy(emulator::adminUrl).isInstanceOf(IllegalStateException.class)
                .hasMessage("emulator not started");
        emulator.start();
        assertThatThrownBy(emulator::start).hasMessage("emulator already started");
        emulator.close();
        emulator.close(); // idempotent
        assertThat(TestHttp.isRefused(emulator.adminUrl().getPort())).isTrue();
        assertThat(emulator.events()).last().extracting(SidecarEvent::type).isEqualTo(SidecarEvent.Type.CLOSED);
    }
}
