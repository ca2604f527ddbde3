package io.github.sidecarshutdown.testkit.wholejvm;

import static io.github.sidecarshutdown.testkit.wholejvm.WholeJvmRun.env;
import static io.github.sidecarshutdown.testkit.wholejvm.WholeJvmRun.phase;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.testkit.emulator.EmulatorMode;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 23's table, one test per row: something else in the JVM sends through the sidecar at exit
 * (the OpenTelemetry SDK's own hook, a plain hook, grpc-java's customary hook with a call in flight,
 * a second coordinator run by another hook). Each is a real child JVM with the library installed the
 * way the README shows, beside the sidecar emulator (classic Istio, a 25 s drain window), deleted
 * like the kubelet deletes a Pod. Without the library every one of them is delivered (the window
 * is long); with it, the release must not cut them off, and the report must say what it waited for.
 */
@Timeout(180)
class OtherHooksIT {

    /** JVM options of the app; a subclass runs the whole table again with others. */
    List<String> jvmOptions() {
        return List.of();
    }

    private SidecarEmulator emulator;
    private WholeJvmRun run;

    @BeforeEach
    void startSidecar() throws Exception {
        emulator = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26).terminationDrainDuration(Duration.ofSeconds(25))
                .build().start();
        run = new WholeJvmRun(emulator);
    }

    @AfterEach
    void stop(org.junit.jupiter.api.TestInfo test) throws Exception {
        // What the release waited for, for the record (the reports are in the output either way).
        run.output().stream().filter(l -> l.startsWith("FIXTURE_JAVA")).findFirst().ifPresent(l -> System.out.println("WHOLE_JVM " + l));
        run.output().stream().filter(l -> l.startsWith("FIXTURE_REPORT")).forEach(l -> {
            String name = l.split(" ")[1];
            Map<String, Object> report = run.report(name);
            System.out.println("WHOLE_JVM " + test.getDisplayName() + " [" + name + "] " + report.get("outcome")
                    + " sidecar_release: " + phase(report, "sidecar_release").get("detail") + " releaseWaits=" + report.get("releaseWaits"));
        });
        run.close();
        emulator.close();
    }

    /** The send reached the downstream, the release came after its answer, and the report is clean. */
    private void assertDeliveredBeforeTheRelease(String path, Duration answerTakes) {
        assertReleasedAfter(path, answerTakes);
        Map<String, Object> report = run.report("main");
        assertThat(report.get("outcome")).as(run.all()).isEqualTo("clean");
    }

    /** The send reached the downstream and the release came after its answer. */
    private void assertReleasedAfter(String path, Duration answerTakes) {
        assertReleasedAfter(path, answerTakes, Duration.ZERO);
    }

    /**
     * The send reached the downstream and the release came after its answer; {@code inFlightBefore}:
     * a send that arrived that long before SIGTERM was still in flight (its answer came after) and counts.
     */
    private void assertReleasedAfter(String path, Duration answerTakes, Duration inFlightBefore) {
        List<WholeJvmRun.Arrival> got = run.arrivals(path);
        assertThat(got).as("%s reached the downstream through the sidecar; output:%n%s", path, run.all()).isNotEmpty();
        long last = got.get(got.size() - 1).nanos();
        assertThat(last).as("sent at exit, or in flight then").isGreaterThan(run.sigtermNanos() - inFlightBefore.toNanos());
        long quit = run.quitNanos().orElseThrow(() -> new AssertionError("never released; output:\n" + run.all()));
        assertThat(quit - last).as("the release came %d ms after %s arrived, whose answer takes %d ms; output:%n%s",
                TimeUnit.NANOSECONDS.toMillis(quit - last), path, answerTakes.toMillis(), run.all())
                .isGreaterThanOrEqualTo(answerTakes.toNanos());
        assertThat(run.report("main").get("sidecarReleased")).isEqualTo(true);
    }

    private String releaseDetail(String coordinator) {
        return String.valueOf(phase(run.report(coordinator), "sidecar_release").get("detail"));
    }

    @Test
    void theOpenTelemetrySdksOwnHookWithAColdExporterIsNotCutOff() throws Exception {
        run.start("otel-cold", Map.of(), jvmOptions());

        assertThat(run.terminate(Duration.ofSeconds(40))).as(run.all()).isTrue();

        assertDeliveredBeforeTheRelease("/v1/traces", Duration.ofMillis(300));
        assertThat(releaseDetail("main")).contains("shutdown hook");
    }

    @Test
    void theOpenTelemetrySdksOwnHookWithAWarmExporterIsNotCutOff() throws Exception {
        run.start("otel-warm", Map.of(), jvmOptions());
        // the fixture gives its exporter 600 ms to warm up; a busy machine may need longer for the first export
        Awaitility.await("exports flowing before SIGTERM").atMost(Duration.ofSeconds(20))
                .until(() -> !run.arrivals("/v1/traces").isEmpty());

        assertThat(run.terminate(Duration.ofSeconds(40))).as(run.all()).isTrue();

        // Exports flow every 100 ms: the last one may have left just before SIGTERM, its answer after.
        assertReleasedAfter("/v1/traces", Duration.ofMillis(300), Duration.ofMillis(300));
        assertThat(run.report("main").get("outcome")).as(run.all()).isEqualTo("clean");
    }

    @Test
    void aPlainHookSendingAfter200msIsNotCutOff() throws Exception {
        run.start("hook-200ms", Map.of(), jvmOptions());

        assertThat(run.terminate(Duration.ofSeconds(40))).as(run.all()).isTrue();

        assertThat(run.sent("hook")).as(run.all()).contains("ok");
        assertDeliveredBeforeTheRelease("/hook", Duration.ZERO);
        assertThat(releaseDetail("main")).contains("shutdown hook");
    }

    @Test
    void aPlainHookSendingAfter1500msBesideA1sLibraryTaskIsNotCutOff() throws Exception {
        run.start("hook-1500ms", Map.of(), jvmOptions());

        assertThat(run.terminate(Duration.ofSeconds(40))).as(run.all()).isTrue();

        assertThat(run.sent("hook")).as(run.all()).contains("ok");
        assertDeliveredBeforeTheRelease("/hook", Duration.ZERO);
    }

    @Test
    void kubernetesDefaultsWithAQuietPeriodDoNotCutOffAPlainHook() throws Exception {
        // the README's settings in a Pod: the 5 s delay that a 250 ms quiet period ends early
        run.start("hook-1500ms", env("KUBERNETES_SERVICE_HOST", "10.96.0.1", "SIDECAR_SHUTDOWN_PROPAGATION_DELAY", "",
                "SIDECAR_SHUTDOWN_QUIET_PERIOD", "250ms"), jvmOptions());

        assertThat(run.terminate(Duration.ofSeconds(40))).as(run.all()).isTrue();

        assertThat(run.sent("hook")).as(run.all()).contains("ok");
        assertDeliveredBeforeTheRelease("/hook", Duration.ZERO);
    }

    @Test
    void aGrpcServerWithGrpcJavasHookAndACallInFlightThatCallsOutIsNotCutOff() throws Exception {
        run.start("grpc", Map.of(), jvmOptions());

        assertThat(run.terminate(Duration.ofSeconds(40))).as(run.all()).isTrue();

        assertThat(run.sent("grpc-callout")).as(run.all()).contains("ok");
        assertThat(run.sent("grpc-answer")).as(run.all()).hasValueSatisfying(v -> assertThat(v).startsWith("ok"));
        assertDeliveredBeforeTheRelease("/grpc-callout", Duration.ZERO);
        assertThat(releaseDetail("main")).contains("shutdown hook");
    }

    @Test
    void aSecondCoordinatorRunByAnotherHook300msLaterFinishesItsCleanupBeforeTheRelease() throws Exception {
        run.start("second-coordinator", Map.of(), jvmOptions());

        assertThat(run.terminate(Duration.ofSeconds(40))).as(run.all()).isTrue();

        assertThat(run.sent("second-cleanup")).as(run.all()).contains("ok");
        Map<String, Object> second = run.report("second");
        assertThat(second.get("outcome")).as(run.all()).isEqualTo("clean");
        assertThat(second.get("sidecar")).as("the second coordinator saw the sidecar").isNotEqualTo("none");
        assertThat(emulator.calls()).as("one process, one release").filteredOn(c -> c.path().equals("/quitquitquit")).hasSize(1);
        long quit = run.quitNanos().orElseThrow();
        assertThat(quit).as(run.all()).isGreaterThanOrEqualTo(run.arrivals("/second-cleanup").get(0).nanos());
    }

    @Test
    void aFrameworksCoordinatorRunInSlicesFromItsOwnHookFinishesItsCleanupBeforeTheInstalledOneReleases() throws Exception {
        run.start("framework-slices", Map.of(), jvmOptions());

        assertThat(run.terminate(Duration.ofSeconds(40))).as(run.all()).isTrue();

        assertThat(run.sent("framework-cleanup")).as(run.all()).contains("ok");
        assertThat(run.report("framework").get("outcome")).as(run.all()).isEqualTo("clean");
        assertThat(emulator.calls()).as("one process, one release").filteredOn(c -> c.path().equals("/quitquitquit")).hasSize(1);
        long quit = run.quitNanos().orElseThrow(() -> new AssertionError("never released; output:\n" + run.all()));
        assertThat(quit).as(run.all()).isGreaterThanOrEqualTo(run.arrivals("/framework-cleanup").get(0).nanos());
    }

    @Test
    void aRequestAHookStartedAndLeftInFlightHoldsTheReleaseByTheSidecarsOwnCount() throws Exception {
        run.start("async-send", Map.of(), jvmOptions());

        assertThat(run.terminate(Duration.ofSeconds(40))).as(run.all()).isTrue();

        assertThat(run.sent("async")).as(run.all()).hasValueSatisfying(v -> assertThat(v).startsWith("ok 200"));
        assertDeliveredBeforeTheRelease("/async-slow", Duration.ofMillis(800));
        assertThat(releaseDetail("main")).as(run.all()).contains("outbound requests outbound|");
    }

    @Test
    void anInboundRequestOutlivingTheDrainHoldsTheReleaseUntilItsCallOutIsDone() throws Exception {
        run.start("inbound-slow", Map.of(), jvmOptions());
        int port = Integer.parseInt(run.awaitLine("FIXTURE_APP_PORT ", Duration.ofSeconds(5)).orElseThrow().split(" ")[1]);
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        var answer = client.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/slow")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(run.awaitLine("FIXTURE_INBOUND_STARTED", Duration.ofSeconds(10))).as(run.all()).isPresent();

        assertThat(run.terminate(Duration.ofSeconds(40))).as(run.all()).isTrue();

        assertThat(answer.get(10, TimeUnit.SECONDS).body()).isEqualTo("ok");
        assertReleasedAfter("/inbound-callout", Duration.ZERO);
        // degraded: the request outlived the drain timeout; the release itself waited for it
        assertThat(phase(run.report("main"), "inbound_drain").get("outcome")).isEqualTo("timed_out");
        assertThat(phase(run.report("main"), "sidecar_release").get("outcome")).isEqualTo("succeeded");
        assertThat(releaseDetail("main")).as(run.all()).contains("inbound requests");
    }

    @Test
    void idleThingsDoNotHoldTheRelease() throws Exception {
        // an idle keep-alive pool, an idle thread pool, a sleeping scheduler and a heartbeat TCP session
        run.start("idle", Map.of(), jvmOptions());
        assertThat(run.output()).as(run.all()).contains("FIXTURE_IDLE pool 200", "FIXTURE_IDLE heartbeat HTTP/1.1 200 Connection established");

        assertThat(run.terminate(Duration.ofSeconds(40))).as(run.all()).isTrue();

        Map<String, Object> report = run.report("main");
        assertThat(report.get("outcome")).as(run.all()).isEqualTo("clean");
        assertThat(report.get("sidecarReleased")).isEqualTo(true);
        // promptly: far from the 28 s deadline a wait for any of them would run into
        Map<String, Object> release = phase(report, "sidecar_release");
        assertThat(((Number) release.get("elapsedMs")).longValue()).as("release phase; %s", run.all()).isLessThan(5_000);
    }

    @Test
    void aHookThatNeverEndsIsCutAtTheDeadlineAndTheReportSaysSo() throws Exception {
        run.start("stuck-hook", env("SIDECAR_SHUTDOWN_GRACE_PERIOD", "8s", "SIDECAR_SHUTDOWN_SAFETY_MARGIN", "1s"), jvmOptions());

        run.terminate(Duration.ofSeconds(1)); // the JVM cannot exit: the app's own hook never ends
        assertThat(run.awaitLine("FIXTURE_REPORT main", Duration.ofSeconds(20))).as(run.all()).isPresent();

        Map<String, Object> report = run.report("main");
        assertThat(report.get("outcome")).as(run.all()).isEqualTo("degraded");
        assertThat(report.get("sidecarReleased")).as("released at the deadline all the same").isEqualTo(true);
        Map<String, Object> release = phase(report, "sidecar_release");
        assertThat(release.get("outcome")).as(run.all()).isEqualTo("timed_out");
        assertThat(String.valueOf(release.get("detail"))).contains("stuck-hook");
    }
}
