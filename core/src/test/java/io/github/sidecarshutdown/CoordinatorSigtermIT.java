package io.github.sidecarshutdown;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.github.sidecarshutdown.fixtures.SigtermFixtureApp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real child JVM with the hook installed, a real SIGTERM ({@link ProcessHandle#destroy()}), and
 * WireMock standing in for Envoy admin, pilot-agent and a downstream service.
 */
class CoordinatorSigtermIT {

    private static final String SERVER_INFO = "{\"state\":\"LIVE\",\"version\":\"abc/1.34.2/Clean/RELEASE/BoringSSL\","
            + "\"command_line_options\":{\"drain_time\":\"45s\"},"
            + "\"node\":{\"metadata\":{\"ISTIO_VERSION\":\"1.26.2\",\"PROXY_CONFIG\":{\"terminationDrainDuration\":\"20s\"}}}}";

    private final WireMockServer admin = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    private final WireMockServer agent = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    private final WireMockServer downstream = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    private Process process;
    private Thread readerThread;
    private final List<String> output = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startSidecarStandIns() {
        admin.start();
        agent.start();
        downstream.start();
        admin.stubFor(get(urlPathEqualTo("/ready")).willReturn(aResponse().withStatus(200).withBody("LIVE\n")));
        admin.stubFor(get(urlPathEqualTo("/server_info")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(SERVER_INFO)));
        admin.stubFor(post(urlPathEqualTo("/drain_listeners")).willReturn(aResponse().withStatus(200).withBody("OK\n")));
        admin.stubFor(post(urlPathEqualTo("/quitquitquit")).willReturn(aResponse().withStatus(200).withBody("OK\n")));
        agent.stubFor(get(urlPathEqualTo("/healthz/ready")).willReturn(aResponse().withStatus(200)));
        downstream.stubFor(post(urlPathEqualTo("/cleanup")).willReturn(aResponse().withStatus(200).withFixedDelay(300)));
        downstream.stubFor(post(urlPathEqualTo("/deregister")).willReturn(aResponse().withStatus(200)));
    }

    @AfterEach
    void stopEverything() {
        if (process != null) {
            process.destroyForcibly();
        }
        admin.stop();
        agent.stop();
        downstream.stop();
    }

    private void startApp(Map<String, String> extraEnv) throws Exception {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-cp", System.getProperty("java.class.path"),
                SigtermFixtureApp.class.getName()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SIDECAR_SHUTDOWN_"));
        env.put("SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:" + admin.port());
        env.put("SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:" + agent.port());
        env.put("SIDECAR_SHUTDOWN_GRACE_PERIOD", "15s");
        env.put("SIDECAR_SHUTDOWN_PROPAGATION_DELAY", "300ms");
        env.put("SIDECAR_SHUTDOWN_DRAIN_TIMEOUT", "1s");
        env.put("DOWNSTREAM_URL", "http://127.0.0.1:" + downstream.port());
        env.putAll(extraEnv);
        process = pb.start();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    if (line.equals("FIXTURE_READY")) {
                        ready.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                // process gone
            }
        }, "fixture-output");
        reader.setDaemon(true);
        reader.start();
        readerThread = reader;
        assertThat(ready.await(30, TimeUnit.SECONDS)).as("fixture ready; output so far:%n%s", String.join("\n", output)).isTrue();
    }

    private int terminateLikeTheKubelet() throws Exception {
        // pilot-agent closes :15020 the instant it gets the Pod's SIGTERM, which reaches both at once
        agent.stop();
        // SIGTERM through the handle: Process.destroy() would also close our end of the child's stdout.
        process.toHandle().destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited; output:%n%s", String.join("\n", output)).isTrue();
        readerThread.join(5000); // the pipe closes when the process is gone: all lines are in
        return process.exitValue();
    }

    @Test
    void sigtermRunsTheOrderedShutdownAndReleasesTheSidecarLast() throws Exception {
        startApp(Map.of());

        int exit = terminateLikeTheKubelet();

        assertThat(exit).isEqualTo(143);
        assertThat(downstream.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlPathEqualTo("/cleanup"))))
                .hasSize(1);
        assertThat(downstream.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlPathEqualTo("/deregister"))))
                .hasSize(1);
        List<ServeEvent> calls = new ArrayList<>(admin.getAllServeEvents());
        calls.sort(Comparator.comparing(e -> e.getRequest().getLoggedDate()));
        List<String> adminCalls = calls.stream().map(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl())
                .collect(Collectors.toList());
        assertThat(adminCalls).contains("POST /drain_listeners?inboundonly&graceful&skip_exit");
        assertThat(adminCalls).last().isEqualTo("POST /quitquitquit");
        assertThat(adminCalls).filteredOn(c -> c.startsWith("POST")).containsExactly(
                "POST /drain_listeners?inboundonly&graceful&skip_exit", "POST /quitquitquit");
        assertThat(adminCalls).noneMatch(c -> c.startsWith("GET /drain") || c.startsWith("GET /quit"));
        String all = String.join("\n", output);
        assertThat(all).contains("sidecar-shutdown clean in");
        assertThat(all).contains("notify-downstream=succeeded", "deregister=succeeded", "sidecar_release=succeeded");
        assertThat(output).filteredOn(l -> l.startsWith("FIXTURE_EVENT phase")).extracting(l -> l.split(" ")[2].split("=")[0])
                .containsExactly("readiness_off", "propagation_delay", "early_outbound", "inbound_drain", "cleanup", "release",
                        "sidecar_release", "report");
    }

    @Test
    void aSecondSigtermDuringShutdownRunsNoSecondSequence() throws Exception {
        // given a shutdown that is still in its 2 s propagation delay
        startApp(Map.of("SIDECAR_SHUTDOWN_PROPAGATION_DELAY", "2s"));
        agent.stop();
        process.toHandle().destroy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (output.stream().noneMatch(l -> l.startsWith("FIXTURE_EVENT phase readiness_off")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(output).as("the sequence started").anyMatch(l -> l.startsWith("FIXTURE_EVENT phase readiness_off"));

        // when the kubelet (or an impatient operator) sends SIGTERM again
        process.toHandle().destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited; output:%n%s", String.join("\n", output)).isTrue();
        readerThread.join(5000);

        // then one sequence ran to its end, once, and the JVM exited as for SIGTERM
        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(output).filteredOn(l -> l.contains("sidecar-shutdown started")).hasSize(1);
        assertThat(output).filteredOn(l -> l.startsWith("FIXTURE_EVENT phase report")).hasSize(1);
        assertThat(output).filteredOn(l -> l.startsWith("FIXTURE_EVENT task notify-downstream")).hasSize(1);
        assertThat(String.join("\n", output)).contains("sidecar-shutdown clean in", "sidecar_release=succeeded");
        assertThat(downstream.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlPathEqualTo("/cleanup"))))
                .hasSize(1);
        assertThat(admin.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlPathEqualTo("/quitquitquit"))))
                .hasSize(1);
    }

    @Test
    void aTaskThatCallsSystemExitCannotHangTheHook() throws Exception {
        startApp(Map.of("FIXTURE_MODE", "exit"));

        long start = System.nanoTime();
        int exit = terminateLikeTheKubelet();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(exit).isEqualTo(143);
        assertThat(tookMs).as("well within the 15 s grace period").isLessThan(13_000);
        String all = String.join("\n", output);
        assertThat(all).contains("calls-exit=timed_out");
        assertThat(all).contains("it called System.exit");
        // the work after it still happened
        assertThat(all).contains("sidecar_release=succeeded");
    }
}
