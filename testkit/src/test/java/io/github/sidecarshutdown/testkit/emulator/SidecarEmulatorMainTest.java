package io.github.sidecarshutdown.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Command line and duration parsing of {@link SidecarEmulatorMain}. */
class SidecarEmulatorMainTest {

    @Test
    void durationsAcceptMillisSecondsAndIso() {
        assertThat(DurationParser.parse("--x", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationParser.parse("--x", "5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(DurationParser.parse("--x", "2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationParser.parse("--x", "PT5S")).isEqualTo(Duration.ofSeconds(5));
        assertThat(DurationParser.parse("--x", "0")).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> DurationParser.parse("--drain-duration", "5 seconds"))
                .hasMessage("--drain-duration: \"5 seconds\" (expected: a non-negative duration like 500ms, 5s, "
                        + "1m or PT5S)");
        assertThatThrownBy(() -> DurationParser.parse("--x", "PT-1S")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void optionsBuildTheEmulator() throws Exception {
        SidecarEmulatorMain.Options options = SidecarEmulatorMain.Options.parse(new String[] {"--mode", "istio_1_5",
                "--termination-drain-duration", "750ms", "--drain-duration=PT2S", "--app-port", "8080",
                "--ports-file", "/tmp/p.json"});

        try (SidecarEmulator emulator = options.builder.build().start()) {
            assertThat(emulator.mode()).isEqualTo(EmulatorMode.ISTIO_1_5);
            assertThat(emulator.terminationDrainDuration()).isEqualTo(Duration.ofMillis(750));
            assertThat(TestHttp.get(emulator.adminUrl(), "/server_info").bodyText()).contains("\"drain_time\": \"2s\"");
            assertThat(options.portsFile).hasToString("/tmp/p.json");
        }
    }

    @Test
    void consulLifecycleOptionsReachTheDataplane() throws Exception {
        SidecarEmulatorMain.Options options = SidecarEmulatorMain.Options.parse(new String[] {"--mode", "consul",
                "--shutdown-grace-period", "300ms", "--shutdown-drain-listeners", "false",
                "--startup-grace-period", "0s"});

        try (SidecarEmulator emulator = options.builder.build().start()) {
            assertThat(emulator.mode()).isEqualTo(EmulatorMode.CONSUL);
            long signalled = System.nanoTime();
            emulator.terminate();
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(emulator.exitedAtNanos().orElseThrow() - signalled))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(emulator.calls()).noneMatch(c -> c.path().equals("/drain_listeners"));
        }
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"--shutdown-grace-period", "-1s"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--shutdown-grace-period");
    }

    @Test
    void envoyVersionAndStatusServerOptions() throws Exception {
        SidecarEmulatorMain.Options options = SidecarEmulatorMain.Options.parse(new String[] {
                "--envoy-version", "1.33.2", "--status-server", "false"});

        try (SidecarEmulator emulator = options.builder.build().start()) {
            assertThat(TestHttp.get(emulator.adminUrl(), "/server_info").bodyText()).contains("/1.33.2/Clean/");
            assertThat(TestHttp.isRefused(emulator.agentUrl().getPort())).isTrue();
        }
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"--status-server", "no"}))
                .hasMessage("--status-server: \"no\" (expected: true or false)");
    }

    @Test
    void badOptionsFailWithTheOptionName() {
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"--mode", "ISTIO_9"}))
                .hasMessageStartingWith("--mode: \"ISTIO_9\" (expected one of [ISTIO_1_0,");
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"--admin-port", "x"}))
                .hasMessage("--admin-port: \"x\" (expected: 0..65535, 0 = ephemeral)");
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"--bogus", "1"}))
                .hasMessage("--bogus: unknown option");
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"--mode"}))
                .hasMessage("--mode: missing value");
    }
}
