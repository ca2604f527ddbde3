package io.github.sidecarshutdown;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.github.sidecarshutdown.fixtures.StartupFixtureApp;
import io.github.sidecarshutdown.internal.engine.StartupWork;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The startup work in a real child JVM (docs/timeline.md, "Off the startup path"), beside WireMock
 * standing in for Envoy admin and pilot-agent:
 * <ul>
 *   <li>once it is done, no thread started since {@code main()} is alive: not the library's, not
 *       OkHttp's (its task runner, Okio's watchdog: plain-http calls do not go through OkHttp); the
 *       plan was logged by the startup work's thread, and nothing by the app's;</li>
 *   <li>a real SIGTERM while the startup work is held in the plan's {@code /server_info} call runs
 *       the whole sequence at once (it does not wait for the held call), releases the sidecar once,
 *       and the JVM exits as for SIGTERM.</li>
 * </ul>
 */
class StartupWorkIT {

    private static final String SERVER_INFO = "{\"state\":\"LIVE\",\"version\":\"abc/1.34.2/Clean/RELEASE/BoringSSL\","
            + "\"command_line_options\":{\"drain_time\":\"45s\"},"
            + "\"node\":{\"metadata\":{\"ISTIO_VERSION\":\"1.26.2\",\"PROXY_CONFIG\":{\"terminationDrainDuration\":\"20s\"}}}}";

    private final WireMockServer admin = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    private final WireMockServer agent = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process process;
    private Thread reader;

    @BeforeEach
    void startSidecarStandIns() {
        admin.start();
        agent.start();
        admin.stubFor(get(urlPathEqualTo("/ready")).willReturn(aResponse().withStatus(200).withBody("LIVE\n")));
        admin.stubFor(post(urlPathEqualTo("/drain_listeners")).willReturn(aResponse().withStatus(200).withBody("OK\n")));
        admin.stubFor(post(urlPathEqualTo("/quitquitquit")).willReturn(aResponse().withStatus(200).withBody("OK\n")));
        agent.stubFor(get(urlPathEqualTo("/healthz/ready")).willReturn(aResponse().withStatus(200)));
    }

    @AfterEach
    void stopEverything() {
        if (process != null) {
            process.destroyForcibly();
        }
        admin.stop();
        agent.stop();
    }

    @Test
    void onceTheStartupWorkIsDoneNoThreadStartedSinceMainIsAliveAndThePlanWasLogged() throws Exception {
        admin.stubFor(get(urlPathEqualTo("/server_info")).willReturn(aResponse().withStatus(200).withBody(SERVER_INFO)));

        start("threads", "PT1S", "FIXTURE_THREADS_STARTED");
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(all()).isTrue();
        reader.join(5_000);

        String started = output.stream().filter(l -> l.startsWith("FIXTURE_THREADS_STARTED")).findFirst().orElseThrow()
                .substring("FIXTURE_THREADS_STARTED".length()).trim();
        assertThat(started.isEmpty() ? List.of() : Arrays.asList(started.split(","))).as(all()).isEmpty();
        assertThat(output).as(all()).contains("FIXTURE_READINESS READY");
        // Nothing was logged by the app's thread: SLF4J started on the startup work's, after Ready.
        assertThat(output).as(all()).noneMatch(l -> l.startsWith("[main]"));
        assertThat(output).as(all()).anyMatch(l -> l.startsWith("[" + StartupWork.THREAD_NAME + "] INFO")
                && l.contains("Sidecar ready after"));
        // The plan was logged after install() returned, by the startup work's thread (slf4j-simple names it).
        assertThat(output).as(all()).anyMatch(l -> l.startsWith("[" + StartupWork.THREAD_NAME + "] INFO")
                && l.contains("sidecar-shutdown plan:") && l.contains("istio 1.26.2"));
    }

    @Test
    void aSigtermWhileTheStartupWorkIsHeldRunsTheWholeSequenceAtOnceAndReleasesOnce() throws Exception {
        // The plan's /server_info (the first one asked) hangs for 60 s; the sequence's own is answered at once.
        admin.stubFor(get(urlPathEqualTo("/server_info")).inScenario("info").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("asked").willReturn(aResponse().withStatus(200).withBody(SERVER_INFO).withFixedDelay(60_000)));
        admin.stubFor(get(urlPathEqualTo("/server_info")).inScenario("info").whenScenarioStateIs("asked")
                .willReturn(aResponse().withStatus(200).withBody(SERVER_INFO)));

        // An admin timeout of 30 s: a sequence that waited for the held call would take that long.
        start("sigterm", "PT30S", "FIXTURE_READY");
        assertThat(output).as(all()).contains("FIXTURE_STARTUP_WORK_ALIVE true");
        // The startup work rehearses first, then asks /server_info for the plan: SIGTERM once that call is held.
        long asked = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!planCallHeld() && System.nanoTime() < asked) {
            Thread.sleep(10);
        }
        assertThat(planCallHeld()).as("the plan's /server_info call is held; %s", all()).isTrue();
        long sigterm = System.nanoTime();
        process.toHandle().destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(all()).isTrue();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
        reader.join(5_000);

        assertThat(process.exitValue()).as(all()).isEqualTo(143);
        assertThat(tookMs).as("exit after SIGTERM, not held by the startup work's 30 s call; %s", all()).isLessThan(20_000);
        assertThat(output).as(all()).filteredOn(l -> l.startsWith("FIXTURE_PHASE")).extracting(l -> l.substring(14).split("=")[0])
                .containsExactly("readiness_off", "propagation_delay", "early_outbound", "inbound_drain", "cleanup", "release",
                        "sidecar_release", "report");
        assertThat(output).as(all()).contains("FIXTURE_TASK cleanup", "FIXTURE_PHASE sidecar_release=succeeded");
        assertThat(output).as(all()).anyMatch(l -> l.startsWith("FIXTURE_REPORT complete=true"));
        assertThat(admin.findAll(postRequestedFor(urlPathEqualTo("/quitquitquit")))).as("released once").hasSize(1);
        assertThat(output).as("no plan logged once the shutdown began; %s", all())
                .noneMatch(l -> l.contains("sidecar-shutdown plan:"));
    }

    private boolean planCallHeld() {
        return admin.getAllScenarios().getScenarios().stream().anyMatch(sc -> sc.getName().equals("info") && sc.getState().equals("asked"));
    }

    private void start(String mode, String adminTimeout, String awaitLine) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-cp", System.getProperty("java.class.path"), StartupFixtureApp.class.getName(), mode,
                "http://127.0.0.1:" + admin.port(), "http://127.0.0.1:" + agent.port(), adminTimeout).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("SIDECAR_SHUTDOWN_") || k.equals("KUBERNETES_SERVICE_HOST"));
        process = pb.start();
        CountDownLatch seen = new CountDownLatch(1);
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    if (line.startsWith(awaitLine)) {
                        seen.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                // the child is gone
            }
        }, "startup-fixture-output");
        reader.setDaemon(true);
        reader.start();
        assertThat(seen.await(60, TimeUnit.SECONDS)).as(all()).isTrue();
    }

    private String all() {
        return "output:\n" + String.join("\n", output);
    }
}
