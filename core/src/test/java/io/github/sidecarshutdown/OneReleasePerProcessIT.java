package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.sidecarshutdown.fixtures.TwoCoordinatorsFixtureApp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Spec item 5 end to end: a real child JVM with two coordinators, both {@code install()}ed, a real
 * SIGTERM ({@link ProcessHandle#destroy()}) after pilot-agent closed its port, and WireMock standing
 * in for Envoy admin and pilot-agent. The sidecar is told to exit once, after B's 800 ms cleanup.
 */
@Timeout(90)
class OneReleasePerProcessIT {

    private final WireMockServer admin = TruthFixtures.wiremock();
    private final WireMockServer agent = TruthFixtures.wiremock();
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process process;
    private Thread reader;

    @AfterEach
    void stopEverything() {
        if (process != null) {
            process.destroyForcibly();
        }
        admin.stop();
        if (agent.isRunning()) {
            agent.stop();
        }
    }

    private void startApp() throws Exception {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-cp", System.getProperty("java.class.path"), TwoCoordinatorsFixtureApp.class.getName()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SIDECAR_SHUTDOWN_"));
        env.put("SIDECAR_SHUTDOWN_ADMIN_URL", admin.baseUrl());
        env.put("SIDECAR_SHUTDOWN_AGENT_URL", agent.baseUrl());
        env.put("SIDECAR_SHUTDOWN_SIDECAR_MODE", "istio");
        env.put("SIDECAR_SHUTDOWN_GRACE_PERIOD", "10s");
        env.put("SIDECAR_SHUTDOWN_SAFETY_MARGIN", "1s");
        env.put("SIDECAR_SHUTDOWN_PROPAGATION_DELAY", "0s");
        env.put("SIDECAR_SHUTDOWN_DRAIN_TIMEOUT", "200ms");
        env.put("SIDECAR_SHUTDOWN_STARTUP_WAIT", "10s");
        env.put("SIDECAR_SHUTDOWN_ANNOTATIONS_FILE", "/nonexistent/annotations");
        process = pb.start();
        CountDownLatch ready = new CountDownLatch(1);
        reader = new Thread(() -> {
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
        assertThat(ready.await(30, TimeUnit.SECONDS)).as("fixture ready; output so far:%n%s", String.join("\n", output)).isTrue();
    }

    @Test
    void sigtermToAProcessWithTwoCoordinatorsReleasesTheSidecarOnceAfterBothAreDone() throws Exception {
        TruthFixtures.stubLiveIstioAdmin(admin, TruthFixtures.ISTIO_SERVER_INFO);
        TruthFixtures.stubReadyAgent(agent);
        startApp();
        assertThat(output).as(String.join("\n", output)).contains("FIXTURE_READINESS a=READY b=READY");

        // the kubelet's SIGTERM reaches pilot-agent (closes :15020) and the app at once
        agent.stop();
        process.toHandle().destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited; output:%n%s", String.join("\n", output)).isTrue();
        reader.join(5_000);

        String all = String.join("\n", output);
        assertThat(process.exitValue()).as(all).isEqualTo(143);
        long bDone = output.stream().filter(l -> l.startsWith("FIXTURE_B_DONE ")).mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                .findFirst().orElseThrow(() -> new AssertionError("B's cleanup never ended; output:\n" + all));
        List<Long> quits = TruthFixtures.arrivalsOf(admin, "POST /quitquitquit");
        assertThat(quits).as("one process, one sidecar, one release; admin calls %s; output:%n%s", TruthFixtures.calls(admin), all)
                .hasSize(1);
        assertThat(quits.get(0)).as("quitquitquit at %d, B's cleanup ended at %d; output:%n%s", quits.get(0), bDone, all)
                .isGreaterThanOrEqualTo(bDone);
    }
}
