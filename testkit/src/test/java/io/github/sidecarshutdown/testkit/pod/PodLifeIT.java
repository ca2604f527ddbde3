package io.github.sidecarshutdown.testkit.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain;
import io.github.sidecarshutdown.testkit.pod.fixtures.JobAppMain;
import io.github.sidecarshutdown.testkit.pod.fixtures.StartupProbeMain;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two moments of a Pod's life the simulator models beyond its deletion, with real processes: a
 * restart in place ({@code restartPolicy: OnFailure} or {@code Always}: the kubelet starts the app
 * again in the same Pod, the classic sidecar that exited 0 stays gone) and a sidecar that starts after
 * the app (nothing listens on its ports until it does), with the Pod's annotations mounted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PodLifeIT {

    private static final List<String> JVM = List.of(
            "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m");
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path tempDir;

    @AfterEach
    void noChildProcessIsLeft() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList()).isEmpty());
    }

    // ---- restart in place ----

    @Test
    void onFailureRestartsTheAppInTheSamePodAfterItsBackoffUntilItSucceeds() throws Exception {
        Path marker = tempDir.resolve("failed-once");
        Duration backoff = Duration.ofMillis(300);
        try (PodSimulator pod = PodSimulator.builder().sidecarKind(SidecarKind.NONE)
                .restartPolicy(RestartPolicy.ON_FAILURE).restartBackoff(backoff)
                .app(job("--exit-code", "3", "--fail-once-marker", marker.toString()))
                .build()) {
            pod.start();

            JobRun run = pod.awaitJobCompletion(BOUND);
            String timeline = run.toTimelineText();

            assertThat(run.appExitCodes()).as(timeline).containsExactly(3, 0);
            assertThat(run.appRestarts()).isEqualTo(1);
            assertThat(run.phase()).as(timeline).isEqualTo(PodPhase.SUCCEEDED);
            assertThat(run.backoffLimitReached()).isFalse();
            assertThat(run.appExitCode()).hasValue(0);
            assertThat(run.toString()).contains("1 restart(s), exit codes [3, 0]");
            TimelineEvent restarting = event(run, "app", TimelineEvent.Kind.RESTARTING, "exit code 3");
            assertThat(restarting.detail()).contains("restartPolicy OnFailure: restart 1 after a 300 ms back-off");
            TimelineEvent restarted = event(run, "app", TimelineEvent.Kind.STARTED, "restart 1");
            assertThat(restarted.sinceDeletion()).as("the back-off is waited out%n%s", timeline)
                    .isGreaterThanOrEqualTo(run.appRuns().get(0).exitedAt().plus(backoff));
            assertThat(run.appRuns().get(1).exitedAt()).isEqualTo(run.app().exitedAt());
        }
    }

    /**
     * The kubelet's rule that breaks every retry of a Job whose classic sidecar was released: the app
     * restarts, the sidecar (exited 0) does not, and the retry's outbound calls find nobody listening.
     */
    @Test
    void aReleasedClassicSidecarIsNotRestartedSoTheRetrysCallsFail() throws Exception {
        AtomicInteger delivered = new AtomicInteger();
        HttpServer downstream = downstream(delivered);
        String url = "http://127.0.0.1:" + downstream.getAddress().getPort() + "/work";
        Path marker = tempDir.resolve("failed-once");
        try (PodSimulator pod = classicPod(ready -> job("--work-ms", "100", "--exit-code", "1",
                "--fail-once-marker", marker.toString(), "--call-url", url,
                "--proxy", String.valueOf(ready.port("outbound")),
                "--quit-url", "http://127.0.0.1:" + ready.port("agent") + "/quitquitquit"),
                RestartPolicy.ON_FAILURE, 6)) {
            pod.start();

            JobRun run = pod.awaitJobCompletion(BOUND);
            String timeline = run.toTimelineText();

            assertThat(run.appExitCodes()).as(timeline).containsExactly(1, 0);
            assertThat(line(run.appRuns().get(0), "APP_EVENT call ")).as(timeline).contains("call ok 200");
            assertThat(line(run.appRuns().get(0), "APP_EVENT quit ")).as(timeline).contains("quit 200");
            // The sidecar exited 0 when the first run released it, and stays exited: a restart in place
            // keeps the Pod as it is.
            assertThat(run.sidecarRuns()).as(timeline).hasSize(1);
            assertThat(run.sidecar().orElseThrow().exitCode()).isZero();
            assertThat(run.sidecar().orElseThrow().exitedAt()).isLessThan(run.appRuns().get(1).exitedAt());
            assertThat(line(run.appRuns().get(1), "APP_EVENT call ")).as(timeline).contains("call failed");
            assertThat(line(run.appRuns().get(1), "APP_EVENT quit ")).as(timeline).contains("quit failed");
            assertThat(delivered.get()).as("only the first run's call arrived%n%s", timeline).isEqualTo(1);
            assertThat(run.timeline()).noneMatch(e -> e.source().equals("istio-proxy")
                    && e.kind() == TimelineEvent.Kind.RESTARTING);
        } finally {
            downstream.stop(0);
        }
    }

    @Test
    void backoffLimitFailsTheJobAndTheJobControllerDeletesThePod() throws Exception {
        try (PodSimulator pod = classicPod(ready -> job("--work-ms", "50", "--exit-code", "2"),
                RestartPolicy.ON_FAILURE, 2)) {
            pod.start();

            JobRun run = pod.awaitJobCompletion(BOUND);
            String timeline = run.toTimelineText();

            assertThat(run.appExitCodes()).as(timeline).containsExactly(2, 2, 2);
            assertThat(run.backoffLimitReached()).isTrue();
            event(run, "app", TimelineEvent.Kind.BACKOFF_LIMIT, "limit 2 reached");
            event(run, TimelineEvent.POD, TimelineEvent.Kind.DELETED, "backoffLimit 2 reached");
            // The back-off doubles: the second restart waits at least twice the first's.
            Duration first = started(run, 1).minus(run.appRuns().get(0).exitedAt());
            Duration second = started(run, 2).minus(run.appRuns().get(1).exitedAt());
            assertThat(first).as(timeline).isGreaterThanOrEqualTo(Duration.ofMillis(100));
            assertThat(second).as(timeline).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            ContainerTermination sidecar = run.sidecar().orElseThrow();
            assertThat(sidecar.sigtermAt()).as("the Job controller's deletion%n%s", timeline).isNotNull();
            assertThat(run.phase()).as(timeline).isEqualTo(PodPhase.FAILED);
        }
    }

    @Test
    void aClassicSidecarThatCrashesIsRestartedUnderOnFailure() throws Exception {
        try (PodSimulator pod = classicPod(ready -> job("--work-ms", "4000"), RestartPolicy.ON_FAILURE, 6)) {
            pod.start();
            ProcessHandle first = pod.sidecarProcess().orElseThrow();
            first.destroyForcibly();
            await().atMost(Duration.ofSeconds(20)).until(() -> pod.sidecarProcess()
                    .filter(p -> p.pid() != first.pid()).isPresent());

            JobRun run = pod.awaitJobCompletion(Duration.ofSeconds(8));
            String timeline = run.toTimelineText();

            assertThat(run.sidecarRuns()).as(timeline).hasSizeGreaterThanOrEqualTo(2);
            assertThat(run.sidecarRuns().get(0).exitCode()).as(timeline).isEqualTo(137);
            // Nobody released the restarted sidecar: the Job Pod runs on.
            assertThat(run.appExitCode()).hasValue(0);
            assertThat(run.phase()).as(timeline).isEqualTo(PodPhase.RUNNING);
        }
    }

    @Test
    void alwaysRestartsAnAppThatExitsUntilThePodIsDeleted() throws Exception {
        try (PodSimulator pod = PodSimulator.builder().sidecarKind(SidecarKind.NONE)
                .restartPolicy(RestartPolicy.ALWAYS).restartBackoff(Duration.ofMillis(50))
                .app(job("--work-ms", "100"))
                .build()) {
            pod.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> pod.lines().stream()
                    .filter(l -> l.text().startsWith("APP_READY")).count() >= 2);

            PodTermination termination = pod.deletePod();
            String timeline = termination.toTimelineText();

            assertThat(termination.appRuns()).as(timeline).hasSizeGreaterThanOrEqualTo(2);
            assertThat(termination.appRuns().get(0).exitCode()).isZero();
            assertThat(termination.timeline()).as("nothing restarts once the Pod is deleted%n%s", timeline)
                    .filteredOn(e -> e.kind() == TimelineEvent.Kind.STARTED)
                    .allSatisfy(e -> assertThat(e.sinceDeletion()).isNegative());
        }
    }

    // ---- a sidecar that starts after the app ----

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"istio", "consul", "kuma"})
    void theSidecarStartsAfterTheAppAndTheAppSeesThePodsAnnotations(String mode) throws Exception {
        EmulatorPorts ports = EmulatorPorts.pick();
        // Short windows (Consul's grace period, Kuma's drain time): the deletion is not what is tested here.
        List<String> args = new ArrayList<>(List.of("--mode", mode, "--termination-drain-duration", "500ms",
                "--shutdown-grace-period", "500ms", "--drain-duration", "500ms"));
        args.addAll(ports.emulatorArgs());
        Map<String, String> annotations = switch (mode) {
            case "consul" -> Map.of("consul.hashicorp.com/connect-inject-status", "injected");
            case "kuma" -> Map.of("kuma.io/sidecar-injected", "true");
            default -> Map.of("sidecar.istio.io/status",
                    "{\"initContainers\":[\"istio-init\"],\"containers\":[\"istio-proxy\"]}");
        };
        Duration delay = Duration.ofMillis(1500);
        try (PodSimulator pod = PodSimulator.builder()
                .sidecar(ContainerSpec.builder().name("sidecar")
                        .command(JavaProcess.javaCommand(JVM, SidecarEmulatorMain.class.getName(), args))
                        .readyPattern("^SIDECAR_EMULATOR_READY ").build())
                .sidecarStartDelay(delay)
                .podAnnotations(annotations)
                .app(ContainerSpec.builder().name("app")
                        .command(JavaProcess.javaCommand(JVM, StartupProbeMain.class, "--port",
                                String.valueOf(ports.admin())))
                        .readyPattern("^APP_READY").build())
                .build()) {
            pod.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> pod.lines().stream()
                    .anyMatch(l -> l.text().startsWith("APP_EVENT probe answers")));

            PodTermination termination = pod.deletePod();
            String timeline = termination.toTimelineText();

            TimelineEvent appStarted = event(termination, "app", TimelineEvent.Kind.STARTED, "pid");
            TimelineEvent sidecarStarted = event(termination, "sidecar", TimelineEvent.Kind.STARTED, "pid");
            assertThat(sidecarStarted.sinceDeletion().minus(appStarted.sinceDeletion())).as(timeline)
                    .isGreaterThanOrEqualTo(delay);
            // The app ran before its sidecar: its first try found nobody on the sidecar's admin port.
            TimelineEvent refused = event(termination, "app", TimelineEvent.Kind.OUTPUT, "probe refused");
            TimelineEvent answers = event(termination, "app", TimelineEvent.Kind.OUTPUT, "probe answers");
            assertThat(refused.sinceDeletion()).as(timeline).isLessThan(sidecarStarted.sinceDeletion());
            assertThat(answers.sinceDeletion()).as(timeline).isGreaterThan(sidecarStarted.sinceDeletion());
            // The Pod's annotations reached the app as the downward API writes them.
            Path file = pod.annotationsFile().orElseThrow();
            String content = Files.readString(file);
            assertThat(content).isEqualTo(DownwardApiFile.format(annotations));
            assertThat(termination.app().lines()).extracting(OutputLine::text)
                    .contains("APP_EVENT annotation " + content);
        }
    }

    private PodSimulator classicPod(Function<ReadyLine, ContainerSpec> app, RestartPolicy policy, int backoffLimit) {
        return PodSimulator.builder()
                .restartPolicy(policy).backoffLimit(backoffLimit)
                .terminationGracePeriod(Duration.ofSeconds(10))
                .sidecar(ContainerSpec.builder().name("istio-proxy")
                        .command(JavaProcess.javaCommand(JVM, SidecarEmulatorMain.class.getName(),
                                List.of("--mode", "istio", "--termination-drain-duration", "1s")))
                        .readyPattern("^SIDECAR_EMULATOR_READY ").build())
                .app(app)
                .build();
    }

    private static ContainerSpec job(String... args) {
        return ContainerSpec.builder().name("app")
                .command(JavaProcess.javaCommand(JVM, JobAppMain.class, args))
                .readyPattern("^APP_READY").build();
    }

    private static HttpServer downstream(AtomicInteger delivered) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", exchange -> {
            delivered.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static String line(ContainerTermination run, String prefix) {
        return run.firstLineContaining(prefix).map(OutputLine::text).orElse("(no line " + prefix + ")");
    }

    private static Duration started(JobRun run, int restart) {
        return event(run, "app", TimelineEvent.Kind.STARTED, "restart " + restart).sinceDeletion();
    }

    private static TimelineEvent event(JobRun run, String source, TimelineEvent.Kind kind, String detail) {
        return find(run.timeline(), source, kind, detail, run.toTimelineText());
    }

    private static TimelineEvent event(PodTermination run, String source, TimelineEvent.Kind kind, String detail) {
        return find(run.timeline(), source, kind, detail, run.toTimelineText());
    }

    private static TimelineEvent find(List<TimelineEvent> timeline, String source, TimelineEvent.Kind kind,
            String detail, String text) {
        return timeline.stream()
                .filter(e -> e.source().equals(source) && e.kind() == kind && e.detail().contains(detail))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " of " + source + " with '" + detail + "' in\n"
                        + text));
    }
}
