package io.github.sidecarshutdown.examples.springits;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The example app as a real child JVM, with WireMock standing in for Envoy admin (classic Istio
 * {@code /server_info}), pilot-agent and the downstream service; inbound requests keep coming while
 * the kubelet's SIGTERM arrives (pilot-agent's port closes at the same instant).
 */
public abstract class SpringExampleSigtermTests {

    /** The example app's main class, started as a child JVM on this module's test classpath. */
    protected abstract Class<?> appClass();


    private static final String SERVER_INFO = "{\"state\":\"LIVE\",\"version\":\"abc/1.34.2/Clean/RELEASE/BoringSSL\","
            + "\"command_line_options\":{\"drain_time\":\"45s\"},"
            + "\"node\":{\"metadata\":{\"ISTIO_VERSION\":\"1.26.2\",\"PROXY_CONFIG\":{\"terminationDrainDuration\":\"20s\"}}}}";
    private static final Duration PROPAGATION_DELAY = Duration.ofMillis(1500);

    private final WireMockServer admin = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    private final WireMockServer agent = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    private final WireMockServer downstream = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    private final List<String> output = new CopyOnWriteArrayList<>();
    /** When (nanoTime) the parent read a line that starts with the key. */
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private Process process;
    private Thread readerThread;

    record Result(long start, long end, boolean ok, String detail) {
    }

    @BeforeEach
    public void startSidecarStandIns() {
        admin.start();
        agent.start();
        downstream.start();
        admin.stubFor(get(urlPathEqualTo("/ready")).willReturn(aResponse().withStatus(200).withBody("LIVE\n")));
        admin.stubFor(get(urlPathEqualTo("/server_info")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(SERVER_INFO)));
        admin.stubFor(post(urlPathEqualTo("/drain_listeners")).willReturn(aResponse().withStatus(200).withBody("OK\n")));
        admin.stubFor(post(urlPathEqualTo("/quitquitquit")).willReturn(aResponse().withStatus(200).withBody("OK\n")));
        agent.stubFor(get(urlPathEqualTo("/healthz/ready")).willReturn(aResponse().withStatus(200)));
        downstream.stubFor(post(urlPathEqualTo("/cleanup")).willReturn(aResponse().withStatus(200).withFixedDelay(200)));
    }

    @AfterEach
    public void stopEverything() {
        if (process != null) {
            process.destroyForcibly();
        }
        admin.stop();
        agent.stop();
        downstream.stop();
    }

    private int startApp() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                appClass().getName()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SIDECAR_SHUTDOWN_") || k.equals("KUBERNETES_SERVICE_HOST"));
        env.put("SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:" + admin.port());
        env.put("SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:" + agent.port());
        env.put("SIDECAR_SHUTDOWN_GRACE_PERIOD", "25s");
        env.put("SIDECAR_SHUTDOWN_PROPAGATION_DELAY", PROPAGATION_DELAY.toMillis() + "ms");
        env.put("SIDECAR_SHUTDOWN_DRAIN_TIMEOUT", "2s");
        env.put("APP_PORT", "0");
        // so that /actuator/health shows the envoy indicator's status and details
        env.put("MANAGEMENT_ENDPOINT_HEALTH_SHOWDETAILS", "always");
        env.put("DOWNSTREAM_URL", "http://127.0.0.1:" + downstream.port());
        process = pb.start();
        CountDownLatch ready = new CountDownLatch(1);
        int[] port = new int[1];
        readerThread = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    long now = System.nanoTime();
                    output.add(line);
                    seen.putIfAbsent(line.trim(), now);
                    if (line.startsWith("APP_READY port=")) {
                        port[0] = Integer.parseInt(line.substring("APP_READY port=".length()).trim());
                        ready.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                // the process is gone
            }
        }, "app-output");
        readerThread.setDaemon(true);
        readerThread.start();
        assertThat(ready.await(120, TimeUnit.SECONDS)).as("app ready; output so far:%n%s", String.join("\n", output)).isTrue();
        return port[0];
    }

    @Test
    public void sigtermDrainsInboundRunsTheCleanupCallAndReleasesTheSidecarLast() throws Exception {
        int port = startApp();
        // readiness came only after the sidecar was checked
        agent.verify(getRequestedFor(urlPathEqualTo("/healthz/ready")));

        // the actuator: the envoy health indicator sees the live sidecar; the endpoint shows the plan
        HttpClient probe = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String health = fetch(probe, port, "/actuator/health");
        // the envoy component is UP, whichever order the JSON writer puts "status" and "details" in
        assertThat(health).as(health).containsPattern("\"envoy\":\\{[^{}]*(\\{[^{}]*\\}[^{}]*)?\"status\":\"UP\"")
                .contains("\"state\":\"live\"").contains("\"mode\":\"auto\"");
        String endpoint = fetch(probe, port, "/actuator/sidecarshutdown");
        assertThat(endpoint).as(endpoint).contains("\"state\":\"new\"").contains("\"plan\":{").contains("\"budgetMs\":23000");

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        List<Result> results = new CopyOnWriteArrayList<>();
        AtomicBoolean load = new AtomicBoolean(true);
        Thread hammer = new Thread(() -> {
            while (load.get()) {
                results.add(call(client, port));
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "inbound-load");
        hammer.start();
        Thread.sleep(500);

        // when the kubelet terminates the Pod: pilot-agent's port closes as the app gets SIGTERM
        agent.stop();
        long sigtermAt = System.nanoTime();
        // SIGTERM through the handle: Process.destroy() would also close our end of the child's stdout.
        process.toHandle().destroy();
        boolean exited = process.waitFor(90, TimeUnit.SECONDS);
        load.set(false);
        hammer.join(10_000);
        readerThread.join(5_000); // the pipe closes when the process is gone: every line is in
        String all = String.join("\n", output);

        // then
        assertThat(exited).as("exited; output:%n%s", all).isTrue();
        assertThat(process.exitValue()).as("output:%n%s", all).isEqualTo(143);

        // the cleanup call arrived
        assertThat(downstream.findAll(postRequestedFor(urlPathEqualTo("/cleanup")))).hasSize(1);
        assertThat(all).contains("APP_EVENT cleanup-call 1 ok");

        // drain inbound, then quitquitquit last
        List<ServeEvent> calls = new ArrayList<>(admin.getAllServeEvents());
        calls.sort(Comparator.comparing(e -> e.getRequest().getLoggedDate()));
        List<String> adminCalls = calls.stream().map(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl())
                .collect(Collectors.toList());
        assertThat(adminCalls).filteredOn(c -> c.startsWith("POST")).containsExactly(
                "POST /drain_listeners?inboundonly&graceful&skip_exit", "POST /quitquitquit");
        assertThat(adminCalls).last().isEqualTo("POST /quitquitquit");

        // no inbound request failed before readiness went off, and the app kept serving through the delay
        Long readinessOff = seen.get("APP_EVENT readiness REFUSING_TRAFFIC");
        assertThat(readinessOff).as("readiness went off; output:%n%s", all).isNotNull();
        assertThat(readinessOff).isGreaterThan(sigtermAt);
        assertThat(results).filteredOn(r -> r.start() < sigtermAt).as("before SIGTERM").isNotEmpty()
                .allSatisfy(r -> assertThat(r.ok()).as(r.detail()).isTrue());
        assertThat(results).filteredOn(r -> !r.ok()).as("failed requests")
                .allSatisfy(r -> assertThat(r.start()).isGreaterThan(readinessOff));
        long delayEnd = readinessOff + PROPAGATION_DELAY.toNanos() - TimeUnit.MILLISECONDS.toNanos(300);
        assertThat(results).filteredOn(r -> r.start() > readinessOff && r.end() < delayEnd).as("during the delay")
                .isNotEmpty().allSatisfy(r -> assertThat(r.ok()).as(r.detail()).isTrue());

        // the phases in order, every one of them done, the report clean and the sidecar released
        assertThat(output).filteredOn(l -> l.startsWith("APP_EVENT phase ")).extracting(l -> l.split(" ")[2])
                .containsExactly("readiness_off=succeeded", "propagation_delay=succeeded", "early_outbound=succeeded",
                        "inbound_drain=succeeded", "cleanup=succeeded", "release=succeeded", "sidecar_release=succeeded",
                        "report=succeeded");
        assertThat(output).filteredOn(l -> l.contains("sidecar-shutdown clean in")).singleElement().asString()
                .contains("cleanup-calls=succeeded", "istio 1.26.2", "terminating at start", ", released)");
    }

    private static String fetch(HttpClient client, int port, String path) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return response.body();
    }

    private static Result call(HttpClient client, int port) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return new Result(start, System.nanoTime(), response.statusCode() == 200, "HTTP " + response.statusCode());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new Result(start, System.nanoTime(), false, e.toString());
        }
    }
}
