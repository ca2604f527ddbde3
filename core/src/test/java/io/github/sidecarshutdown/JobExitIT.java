package io.github.sidecarshutdown;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.github.sidecarshutdown.fixtures.JobFixtureApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A batch app in a real child JVM beside a classic sidecar that nobody terminates (WireMock as
 * Envoy admin and pilot-agent, ready throughout), as in a Job's Pod whose app finished: in the job
 * workload the hook runs the cleanup, then releases the live sidecar once and last, and the JVM
 * exits with the app's own code; in the service workload the same sidecar is left running.
 */
@Timeout(120)
class JobExitIT {

    @TempDir
    Path dir;

    private final WireMockServer admin = TruthFixtures.wiremock();
    private final WireMockServer agent = TruthFixtures.wiremock();
    private final WireMockServer downstream = TruthFixtures.wiremock();
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process process;
    private Thread reader;

    @BeforeEach
    void sidecarLiveAndReady() {
        TruthFixtures.stubLiveIstioAdmin(admin, TruthFixtures.ISTIO_SERVER_INFO);
        TruthFixtures.stubReadyAgent(agent);
        downstream.stubFor(post(urlPathEqualTo("/results")).willReturn(aResponse().withStatus(200).withFixedDelay(200)));
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

    private int runToExit(Map<String, String> extraEnv) throws Exception {
        start(extraEnv);
        return awaitExit();
    }

    private void start(Map<String, String> extraEnv) throws Exception {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-cp", System.getProperty("java.class.path"), JobFixtureApp.class.getName()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SIDECAR_SHUTDOWN_") || k.equals("KUBERNETES_SERVICE_HOST"));
        env.put("SIDECAR_SHUTDOWN_ADMIN_URL", admin.baseUrl());
        env.put("SIDECAR_SHUTDOWN_AGENT_URL", agent.baseUrl());
        env.put("SIDECAR_SHUTDOWN_GRACE_PERIOD", "15s");
        env.put("SIDECAR_SHUTDOWN_DRAIN_TIMEOUT", "1s");
        env.put("SIDECAR_SHUTDOWN_ANNOTATIONS_FILE", dir.resolve("no-annotations").toString());
        env.put("SIDECAR_SHUTDOWN_LABELS_FILE", dir.resolve("no-labels").toString());
        env.put("DOWNSTREAM_URL", downstream.baseUrl());
        env.putAll(extraEnv);
        process = pb.start();
        reader = ChildOutput.capture(process, output, "fixture-output");
    }

    private int awaitExit() throws Exception {
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited; output:%n%s", String.join("\n", output)).isTrue();
        reader.join(5000);
        return process.exitValue();
    }

    private List<String> adminPosts() {
        return TruthFixtures.calls(admin).stream().filter(c -> c.startsWith("POST")).toList();
    }

    private void assertCleanupThenOneReleaseLast() {
        String all = String.join("\n", output);
        assertThat(downstream.findAll(postRequestedFor(urlPathEqualTo("/results")))).as(all).hasSize(1);
        assertThat(adminPosts()).as(all).containsExactly("POST /quitquitquit");
        assertThat(TruthFixtures.calls(admin)).as(all).last().isEqualTo("POST /quitquitquit");
        ServeEvent cleanup = downstream.getAllServeEvents().get(0);
        long quitAt = TruthFixtures.arrivalsOf(admin, "POST /quitquitquit").get(0);
        // the cleanup call had its answer (200 ms later) before the sidecar was told to go
        assertThat(quitAt).as(all).isGreaterThanOrEqualTo(cleanup.getRequest().getLoggedDate().getTime() + 200);
        assertThat(all).contains("workload job", "publish-results=succeeded", "sidecar_release=succeeded");
    }

    @ParameterizedTest(name = "JOB_END={0} -> exit {1}")
    @CsvSource({"exit:3,3", "return,0", "exit:0,0"})
    void aJobKeepsItsExitCodeAndReleasesItsLiveSidecarLast(String end, int expectedExit) throws Exception {
        int exit = runToExit(Map.of("SIDECAR_SHUTDOWN_WORKLOAD", "job", "JOB_END", end));

        assertThat(exit).as(String.join("\n", output)).isEqualTo(expectedExit);
        assertCleanupThenOneReleaseLast();
    }

    @Test
    void theJobControllersLabelMakesItAJobWithoutTheSetting() throws Exception {
        Path labels = dir.resolve("labels");
        Files.writeString(labels, "batch.kubernetes.io/job-name=\"report-28391\"\njob-name=\"report-28391\"\n");

        int exit = runToExit(Map.of("SIDECAR_SHUTDOWN_LABELS_FILE", labels.toString(), "JOB_END", "exit:3"));

        assertThat(exit).isEqualTo(3);
        assertCleanupThenOneReleaseLast();
    }

    @Test
    void aServiceThatExitsLeavesTheSameLiveSidecarRunning() throws Exception {
        int exit = runToExit(Map.of("SIDECAR_SHUTDOWN_WORKLOAD", "service", "JOB_END", "exit:3"));

        String all = String.join("\n", output);
        assertThat(exit).as(all).isEqualTo(3);
        assertThat(downstream.findAll(postRequestedFor(urlPathEqualTo("/results")))).as(all).hasSize(1);
        assertThat(adminPosts()).as(all).isEmpty();
        assertThat(all).contains("workload service", "sidecar_release=skipped");
    }

    @Test
    void aDeletedJobGetsTheOrderedShutdownOnSigterm() throws Exception {
        // given a Job still working when its Pod is deleted (or activeDeadlineSeconds passes)
        start(Map.of("SIDECAR_SHUTDOWN_WORKLOAD", "job", "JOB_END", "wait"));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!output.contains("FIXTURE_READY") && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(output).contains("FIXTURE_READY");

        // when the kubelet signals both containers: pilot-agent closes :15020, the JVM gets SIGTERM
        agent.stop();
        process.toHandle().destroy();
        int exit = awaitExit();

        // then the same order, ending with one release
        assertThat(exit).isEqualTo(143);
        String all = String.join("\n", output);
        assertThat(downstream.findAll(postRequestedFor(urlPathEqualTo("/results")))).as(all).hasSize(1);
        assertThat(adminPosts()).as(all).containsExactly("POST /drain_listeners?inboundonly&graceful&skip_exit", "POST /quitquitquit");
        assertThat(all).contains("sidecar_release=succeeded");
    }
}
