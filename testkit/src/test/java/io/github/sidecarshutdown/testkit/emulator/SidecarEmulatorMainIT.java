package io.github.sidecarshutdown.testkit.emulator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SidecarEmulatorMain} as a child JVM receiving a real SIGTERM ({@code ProcessHandle.destroy()}):
 * the pilot-agent sequence seen from outside.
 */
class SidecarEmulatorMainIT {

    @RegisterExtension
    static WireMockExtension downstream =
            WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @TempDir
    Path tmp;

    @Test
    void sigtermRunsTheAgentSequenceAndTheProcessExitsZero() throws Exception {
        downstream.stubFor(get("/x").willReturn(aResponse().withStatus(200).withBody("hello")));
        Path portsFile = tmp.resolve("ports.json");
        Process process = startEmulator("--mode", "ISTIO_1_5", "--termination-drain-duration", "2s",
                "--ports-file", portsFile.toString());
        List<String> lines = new CopyOnWriteArrayList<>();
        try {
            Thread reader = new Thread(() -> readLines(process, lines), "emulator-stdout");
            reader.setDaemon(true);
            reader.start();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> lines.stream().anyMatch(l -> l.startsWith(SidecarEmulatorMain.READY_PREFIX)));
            String ready = lines.stream().filter(l -> l.startsWith(SidecarEmulatorMain.READY_PREFIX)).findFirst()
                    .orElseThrow();
            Map<String, Integer> ports = parsePorts(ready.substring(SidecarEmulatorMain.READY_PREFIX.length()));
            assertThat(ports).containsOnlyKeys("admin", "agent", "health", "outbound", "inbound");
            assertThat(Files.readString(portsFile)).isEqualTo(ready.substring(SidecarEmulatorMain.READY_PREFIX.length()));
            String target = "http://127.0.0.1:" + downstream.getPort() + "/x";
            assertThat(TestHttp.send(ports.get("agent"), "GET", "/healthz/ready").status()).isEqualTo(200);
            assertThat(TestHttp.send(ports.get("outbound"), "GET", target).bodyText()).isEqualTo("hello");

            // when: a real SIGTERM (through the handle: Process.destroy() would also close our end of stdout)
            long sigterm = System.nanoTime();
            assertThat(process.toHandle().destroy()).isTrue();

            // then: 15020-equivalent refused right away, admin still answers, outbound still forwards
            await().atMost(Duration.ofSeconds(2)).until(() -> TestHttp.isRefused(ports.get("agent")));
            assertThat(TestHttp.send(ports.get("admin"), "GET", "/ready").bodyText()).isEqualTo("LIVE\n");
            HttpResponse during = TestHttp.send(ports.get("outbound"), "GET", target);
            assertThat(during.bodyText()).isEqualTo("hello");
            assertThat(during.headers().first("connection")).isEqualTo("close"); // Envoy < 1.34 in ISTIO_1_5
            assertThat(TestHttp.send(ports.get("health"), "GET", "/healthz/ready").status()).isEqualTo(503);

            // then: after the drain duration, outbound refused and the process exits 0
            await().atMost(Duration.ofSeconds(10)).until(() -> TestHttp.isRefused(ports.get("outbound")));
            assertThat(Duration.ofNanos(System.nanoTime() - sigterm)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
            reader.join(5_000); // stdout ends with the process
            List<String> events = new ArrayList<>();
            for (String line : lines) {
                Matcher m = Pattern.compile("^SIDECAR_EMULATOR_EVENT \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z "
                        + "([A-Z_]+)").matcher(line);
                if (m.find()) {
                    events.add(m.group(1));
                }
            }
            assertThat(events).as("stdout: %s", lines).containsSubsequence("STARTED", "SIGTERM_RECEIVED", "AGENT_STATUS_CLOSED",
                    "DRAIN_STARTED", "ENVOY_KILLED", "AGENT_EXITED");
            assertThat(lines).filteredOn(l -> l.startsWith(SidecarEmulatorMain.READY_PREFIX)).hasSize(1);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void nativePrestopFileRunsTheDrainAndSigtermThenKillsAtOnce() throws Exception {
        Path prestop = tmp.resolve("prestop");
        Process process = startEmulator("--mode", "NATIVE", "--native-prestop-file", prestop.toString());
        List<String> lines = new CopyOnWriteArrayList<>();
        try {
            Thread reader = new Thread(() -> readLines(process, lines), "emulator-stdout");
            reader.setDaemon(true);
            reader.start();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> lines.stream().anyMatch(l -> l.startsWith(SidecarEmulatorMain.READY_PREFIX)));
            Map<String, Integer> ports = parsePorts(lines.stream()
                    .filter(l -> l.startsWith(SidecarEmulatorMain.READY_PREFIX)).findFirst().orElseThrow()
                    .substring(SidecarEmulatorMain.READY_PREFIX.length()));

            // when: the Pod simulator signals pod deletion
            Files.writeString(prestop, "");

            // then
            await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream().anyMatch(l -> l.contains("DRAIN_STARTED")));
            assertThat(TestHttp.send(ports.get("agent"), "GET", "/healthz/ready").status()).isEqualTo(200);

            // when: SIGTERM after the app exited; the default 5 s drain must not apply
            assertThat(process.toHandle().destroy()).isTrue();

            // then
            assertThat(process.waitFor(4, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void helpPrintsTheUsageAndExitsZero() throws Exception {
        for (String help : List.of("--help", "-h")) {
            Finished run = runToEnd("--mode", "istio", help);

            assertThat(run.exitCode).as(help).isZero();
            assertThat(run.stdout).as(help).isEqualTo(SidecarEmulatorMain.usage()).contains("Modes (--mode;");
            assertThat(run.stderr).as(help).isEmpty();
        }
    }

    @Test
    void aBadArgumentExitsTwoNamingTheOption() throws Exception {
        Finished badMode = runToEnd("--mode", "istio-1.26");
        assertThat(badMode.exitCode).isEqualTo(2);
        assertThat(badMode.stdout).isEmpty();
        assertThat(badMode.stderr).startsWith("SidecarEmulatorMain: --mode: \"istio-1.26\" (expected one of istio,")
                .contains("Run with --help");

        Finished badDuration = runToEnd("--mode", "kuma", "--drain-duration", "ten");
        assertThat(badDuration.exitCode).isEqualTo(2);
        assertThat(badDuration.stderr).startsWith("SidecarEmulatorMain: --drain-duration: \"ten\"");

        Finished envoy = runToEnd("--mode", "envoy");
        assertThat(envoy.exitCode).isEqualTo(2);
        assertThat(envoy.stderr).contains("--mode: \"envoy\": the library's plain-Envoy mode");
    }

    @Test
    void theLibrarysModeNameStartsThatSidecar() throws Exception {
        Process process = startEmulator("--mode", "consul", "--shutdown-grace-period", "200ms");
        List<String> lines = new CopyOnWriteArrayList<>();
        try {
            Thread reader = new Thread(() -> readLines(process, lines), "emulator-stdout");
            reader.setDaemon(true);
            reader.start();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> lines.stream().anyMatch(l -> l.startsWith(SidecarEmulatorMain.READY_PREFIX)));
            Map<String, Integer> ports = parsePorts(lines.stream()
                    .filter(l -> l.startsWith(SidecarEmulatorMain.READY_PREFIX)).findFirst().orElseThrow()
                    .substring(SidecarEmulatorMain.READY_PREFIX.length()));
            // consul-dataplane's lifecycle server on the agent port, Consul's Envoy node on the admin port
            assertThat(TestHttp.send(ports.get("agent"), "GET", "/graceful_startup").status()).isEqualTo(200);
            assertThat(TestHttp.send(ports.get("admin"), "GET", "/server_info").bodyText()).contains("consul");

            assertThat(process.toHandle().destroy()).isTrue();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
        } finally {
            process.destroyForcibly();
        }
    }

    /** A run of the main that ends by itself, with everything it printed. */
    private record Finished(int exitCode, String stdout, String stderr) {
    }

    private static Finished runToEnd(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                SidecarEmulatorMain.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        try {
            java.util.concurrent.CompletableFuture<String> err = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> readAll(process.getErrorStream()));
            String out = readAll(process.getInputStream());
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited by itself").isTrue();
            return new Finished(process.exitValue(), out, err.get(10, TimeUnit.SECONDS));
        } finally {
            process.destroyForcibly();
        }
    }

    private static String readAll(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static Process startEmulator(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                SidecarEmulatorMain.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static void readLines(Process process, List<String> lines) {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        } catch (java.io.IOException ignored) {
            // process gone
        }
    }

    private static Map<String, Integer> parsePorts(String json) {
        Map<String, Integer> ports = new java.util.LinkedHashMap<>();
        Matcher m = Pattern.compile("\"(\\w+)\":(\\d+)").matcher(json);
        while (m.find()) {
            ports.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return ports;
    }
}
