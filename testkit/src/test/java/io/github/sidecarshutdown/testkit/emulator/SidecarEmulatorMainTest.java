package io.github.sidecarshutdown.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
                .hasMessage("--mode: \"ISTIO_9\" (expected one of istio, native, linkerd, dapr, consul, kuma, ambient, "
                        + "none; or an Istio release line: ISTIO_1_0, ISTIO_1_1, ISTIO_1_5, ISTIO_1_26, "
                        + "EXIT_ON_ZERO_ACTIVE_CONNECTIONS)");
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"--admin-port", "x"}))
                .hasMessage("--admin-port: \"x\" (expected: 0..65535, 0 = ephemeral)");
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"--bogus", "1"}))
                .hasMessage("--bogus: unknown option");
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"--mode"}))
                .hasMessage("--mode: missing value");
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"istio"}))
                .hasMessage("\"istio\": not an option (expected: --name value or --name=value)");
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"--istio-version", "one"}))
                .hasMessage("--istio-version: \"one\" (expected: a version like 1.26.2)");
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"--time-to-live", "5 s"}))
                .hasMessageStartingWith("--time-to-live: \"5 s\"");
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"--time-to-initializing", "2s"}))
                .hasMessage("--time-to-live: 0ms (expected: >= --time-to-initializing 2000ms; Envoy is LIVE only "
                        + "after INITIALIZING)");
    }

    @Test
    void modeTakesTheLibrarysNamesAndTheEnumNames() {
        Map<String, EmulatorMode> expected = new LinkedHashMap<>();
        expected.put("istio", EmulatorMode.ISTIO_1_26);
        expected.put("native", EmulatorMode.NATIVE);
        expected.put("linkerd", EmulatorMode.LINKERD);
        expected.put("dapr", EmulatorMode.DAPR);
        expected.put("consul", EmulatorMode.CONSUL);
        expected.put("kuma", EmulatorMode.KUMA);
        expected.put("ambient", EmulatorMode.AMBIENT);
        expected.put("none", EmulatorMode.NONE);
        expected.put(" Istio ", EmulatorMode.ISTIO_1_26);
        expected.put("ISTIO_1_26", EmulatorMode.ISTIO_1_26);
        expected.put("istio_1_5", EmulatorMode.ISTIO_1_5);
        expected.put("ISTIO_1_0", EmulatorMode.ISTIO_1_0);
        expected.put("exit_on_zero_active_connections", EmulatorMode.EXIT_ON_ZERO_ACTIVE_CONNECTIONS);
        expected.put("NATIVE", EmulatorMode.NATIVE);
        expected.put("KUMA", EmulatorMode.KUMA);
        expected.forEach((name, mode) -> assertThat(EmulatorMode.forName(name)).as(name).isEqualTo(mode));
        for (EmulatorMode mode : EmulatorMode.values()) {
            assertThat(EmulatorMode.forName(mode.name())).isEqualTo(mode);
            mode.libraryName().ifPresent(library -> assertThat(EmulatorMode.forName(library)).isEqualTo(mode));
        }
        assertThat(EmulatorMode.ISTIO_1_5.libraryName()).isEmpty();
    }

    @Test
    void modeNamesReachTheEmulator() throws Exception {
        for (String name : List.of("istio", "consul", "kuma", "native")) {
            SidecarEmulatorMain.Options options = SidecarEmulatorMain.Options.parse(new String[] {"--mode", name});
            try (SidecarEmulator emulator = options.builder.build().start()) {
                assertThat(emulator.mode()).isEqualTo(EmulatorMode.forName(name));
            }
        }
    }

    @Test
    void envoyAndAutoAreRefusedWithTheReason() {
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"--mode", "envoy"}))
                .hasMessageStartingWith("--mode: \"envoy\": the library's plain-Envoy mode (an Envoy without "
                        + "pilot-agent) is not emulated (expected one of istio, native,");
        assertThatThrownBy(() -> SidecarEmulatorMain.Options.parse(new String[] {"--mode=auto"}))
                .hasMessageStartingWith("--mode: \"auto\": auto is how the library finds its sidecar");
    }

    @Test
    void timeToLiveKeepsEnvoyInitializing() throws Exception {
        SidecarEmulatorMain.Options options = SidecarEmulatorMain.Options.parse(new String[] {"--mode", "istio",
                "--time-to-initializing", "0s", "--time-to-live", "1m"});

        try (SidecarEmulator emulator = options.builder.build().start()) {
            assertThat(TestHttp.get(emulator.adminUrl(), "/server_info").bodyText())
                    .contains("\"state\": \"INITIALIZING\"");
        }
    }

    @Test
    void helpIsAnOptionAnywhere() {
        assertThat(SidecarEmulatorMain.Options.parse(new String[] {"--help"}).help).isTrue();
        assertThat(SidecarEmulatorMain.Options.parse(new String[] {"--mode", "kuma", "-h"}).help).isTrue();
        assertThat(SidecarEmulatorMain.Options.parse(new String[] {"--mode", "kuma"}).help).isFalse();
    }

    @Test
    void usageNamesEveryModeOptionOutputAndSignal() {
        String usage = SidecarEmulatorMain.usage();
        for (String mode : List.of("istio", "native", "linkerd", "dapr", "consul", "kuma", "ambient", "none",
                "ISTIO_1_26", "EXIT_ON_ZERO_ACTIVE_CONNECTIONS", "envoy")) {
            assertThat(usage).as(mode).containsPattern("(?m)[ (]" + mode + "[ ,:)]");
        }
        for (SidecarEvent.Type type : SidecarEvent.Type.values()) {
            assertThat(usage).contains(type.name());
        }
        assertThat(usage).contains(SidecarEmulatorMain.READY_PREFIX
                + "{\"admin\":P,\"agent\":P,\"health\":P,\"outbound\":P,\"inbound\":P}")
                .contains(SidecarEmulatorMain.EVENT_PREFIX + "<UTC time> <TYPE> [detail]")
                .contains("SIGTERM (kill -TERM <pid>)").contains("Exit codes: 0");
        assertThat(usage.lines()).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(110));
    }

    /** Every option the text shows is one the parser takes, and every option the parser takes is shown. */
    @Test
    void usageAndParserAgreeOnTheOptions() {
        Set<String> shown = new TreeSet<>();
        Matcher m = Pattern.compile("(?<![\\w-])--[a-z][a-z-]+").matcher(SidecarEmulatorMain.usage());
        while (m.find()) {
            shown.add(m.group());
        }
        Map<String, String> sample = new TreeMap<>();
        for (String port : List.of("--app-port", "--admin-port", "--agent-port", "--health-port", "--outbound-port",
                "--inbound-port")) {
            sample.put(port, "0");
        }
        for (String duration : List.of("--termination-drain-duration", "--drain-duration", "--minimum-drain-duration",
                "--shutdown-grace-period", "--startup-grace-period", "--time-to-initializing", "--time-to-live")) {
            sample.put(duration, "0s");
        }
        for (String bool : List.of("--shutdown-drain-listeners", "--shutdown-endpoint", "--status-server",
                "--traffic-stats")) {
            sample.put(bool, "true");
        }
        sample.put("--mode", "istio");
        sample.put("--istio-version", "1.26.2");
        sample.put("--envoy-version", "1.34.2");
        sample.put("--ports-file", "/tmp/ports.json");
        sample.put("--native-prestop-file", "/tmp/prestop");
        sample.put("--help", "");
        assertThat(shown).containsExactlyInAnyOrderElementsOf(sample.keySet());
        sample.forEach((option, value) -> {
            String[] args = value.isEmpty() ? new String[] {option} : new String[] {option, value};
            assertThat(SidecarEmulatorMain.Options.parse(args)).as(option).isNotNull();
        });
    }
}
