package io.github.sidecarshutdown.testkit.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain;
import io.github.sidecarshutdown.testkit.pod.fixtures.JobAppMain;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job Pods ({@code restartPolicy: Never}) through the simulator, with the real sidecar emulator as a
 * process: the app runs to completion by itself; a classic sidecar keeps the Pod running unless
 * released; a native one is stopped by the kubelet; a Job deleted mid-run shuts down like any Pod.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JobPodIT {

    private static final List<String> JVM = List.of(
            "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m");
    private static final Duration BOUND = Duration.ofSeconds(4);

    @TempDir
    Path tempDir;

    @AfterEach
    void noChildProcessIsLeft() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList()).isEmpty());
    }

    @Test
    void classicSidecarKeepsTheJobPodRunningWithoutARelease() throws Exception {
        try (PodSimulator pod = pod(SidecarKind.CLASSIC, "ISTIO_1_26", ready -> job("--work-ms", "200"))) {
            pod.start();

            JobRun run = pod.awaitJobCompletion(BOUND);
            System.out.println(run.toTimelineText());

            assertThat(run.phase()).isEqualTo(PodPhase.RUNNING);
            assertThat(run.completed()).isFalse();
            assertThat(run.appExitCode()).hasValue(0);
            assertThat(run.completedAt()).isEmpty();
            assertThat(run.completionGap()).isEmpty();
            // The sidecar got no signal from the kubelet: only the simulator's kill at the bound.
            ContainerTermination sidecar = run.sidecar().orElseThrow();
            assertThat(sidecar.sigtermAt()).isNull();
            assertThat(sidecar.killedAtGrace()).isTrue();
            assertThat(sidecar.exitedAt()).isGreaterThanOrEqualTo(BOUND);
            assertThat(run.timeline()).anySatisfy(e -> assertThat(e.kind()).isEqualTo(TimelineEvent.Kind.NOT_COMPLETED));
        }
    }

    @Test
    void shellTrapReleaseCompletesTheJobPodAndKeepsTheAppsExitCode() throws Exception {
        try (PodSimulator pod = pod(SidecarKind.CLASSIC, "ISTIO_1_26", ready -> job("--work-ms", "200",
                "--exit-code", "3", "--quit-url", "http://127.0.0.1:" + ready.port("agent") + "/quitquitquit"))) {
            pod.start();

            JobRun run = pod.awaitJobCompletion(BOUND);
            System.out.println(run.toTimelineText());

            assertThat(run.phase()).isEqualTo(PodPhase.FAILED);
            assertThat(run.appExitCode()).hasValue(3);
            assertThat(run.firstOutput("app", "APP_EVENT quit 200")).isPresent();
            ContainerTermination sidecar = run.sidecar().orElseThrow();
            assertThat(sidecar.killedAtGrace()).isFalse();
            assertThat(sidecar.sigtermAt()).isNull();
            assertThat(sidecar.exitCode()).isZero();
            assertThat(run.completedAt()).contains(sidecar.exitedAt().compareTo(run.app().exitedAt()) > 0
                    ? sidecar.exitedAt() : run.app().exitedAt());
            assertThat(run.completionGap()).hasValueSatisfying(gap -> assertThat(gap).isLessThan(BOUND));
            assertThat(run.completionTime()).contains(run.observedAt().plus(run.completedAt().orElseThrow()));
        }
    }

    @Test
    void releasedJobExitingZeroSucceeds() throws Exception {
        try (PodSimulator pod = pod(SidecarKind.CLASSIC, "ISTIO_1_26", ready -> job(
                "--quit-url", "http://127.0.0.1:" + ready.port("agent") + "/quitquitquit"))) {
            pod.start();

            JobRun run = pod.awaitJobCompletion(BOUND);

            assertThat(run.phase()).as(run.toTimelineText()).isEqualTo(PodPhase.SUCCEEDED);
            assertThat(run.appExitCode()).hasValue(0);
        }
    }

    @Test
    void nativeSidecarIsStoppedByTheKubeletAfterTheApp() throws Exception {
        try (PodSimulator pod = pod(SidecarKind.NATIVE, "NATIVE", ready -> job("--work-ms", "200", "--exit-code", "3"))) {
            pod.start();

            JobRun run = pod.awaitJobCompletion(BOUND);
            System.out.println(run.toTimelineText());

            // A native sidecar's exit code does not count: the app's 3 makes it Failed, no release needed.
            assertThat(run.phase()).isEqualTo(PodPhase.FAILED);
            assertThat(run.appExitCode()).hasValue(3);
            ContainerTermination sidecar = run.sidecar().orElseThrow();
            assertThat(sidecar.sigtermAt()).isNotNull().isGreaterThanOrEqualTo(run.app().exitedAt());
            assertThat(sidecar.killedAtGrace()).isFalse();
            assertThat(run.timeline()).anySatisfy(e -> assertThat(e.kind()).isEqualTo(TimelineEvent.Kind.PRESTOP));
            assertThat(run.firstOutput("istio-proxy", "AGENT_QUIT_REQUESTED")).isEmpty();
            // The preStop's /drain ran before the SIGTERM, so Envoy dies at once instead of after its window.
            assertThat(run.firstOutput("istio-proxy", "NATIVE_PRESTOP")).isPresent();
            assertThat(sidecar.exitedAt().minus(run.app().exitedAt())).isLessThan(Duration.ofSeconds(2));
            assertThat(run.completedAt()).contains(sidecar.exitedAt());
        }
    }

    @Test
    void jobDeletedMidRunShutsDownLikeAnyPod() throws Exception {
        try (PodSimulator pod = pod(SidecarKind.CLASSIC, "ISTIO_1_26", ready -> job("--work-ms", "60000"))) {
            pod.start();

            PodTermination termination = pod.deletePod();
            System.out.println(termination.toTimelineText());

            assertThat(termination.app().exitCode()).isEqualTo(143);
            assertThat(termination.app().sigtermAt()).isNotNull();
            assertThat(termination.sidecar().orElseThrow().sigtermAt()).isNotNull();
            assertThat(termination.app().killedAtGrace()).isFalse();
            assertThatThrownBy(() -> pod.awaitJobCompletion(BOUND)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void ambientOutboundWorksUntilTheLastContainerExited() throws Exception {
        HttpServer downstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        downstream.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        downstream.start();
        String url = "http://127.0.0.1:" + downstream.getAddress().getPort() + "/done";
        try (PodSimulator pod = pod(SidecarKind.AMBIENT, "AMBIENT", ready -> job("--work-ms", "300",
                "--call-url", url, "--proxy", String.valueOf(ready.port("outbound"))))) {
            pod.start();

            JobRun run = pod.awaitJobCompletion(BOUND);
            System.out.println(run.toTimelineText());

            assertThat(run.phase()).isEqualTo(PodPhase.SUCCEEDED);
            assertThat(run.firstOutput("app", "APP_EVENT call ok 204")).isPresent();
            ContainerTermination ztunnel = run.sidecar().orElseThrow();
            assertThat(ztunnel.sigtermAt()).isNotNull().isGreaterThanOrEqualTo(run.app().exitedAt());
            assertThat(run.completedAt()).contains(run.app().exitedAt());
        } finally {
            downstream.stop(0);
        }
    }

    @Test
    void observationBoundMustBePositive() throws Exception {
        try (PodSimulator pod = pod(SidecarKind.CLASSIC, "ISTIO_1_26", ready -> job("--work-ms", "60000"))) {
            assertThatThrownBy(() -> pod.awaitJobCompletion(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private PodSimulator pod(SidecarKind kind, String mode, Function<ReadyLine, ContainerSpec> app) throws Exception {
        Path preStop = tempDir.resolve("prestop");
        List<String> args = new ArrayList<>(List.of("--mode", mode, "--termination-drain-duration", "2s"));
        if (kind == SidecarKind.NATIVE) {
            args.addAll(List.of("--native-prestop-file", preStop.toString()));
        }
        Files.deleteIfExists(preStop);
        return PodSimulator.builder()
                .sidecarKind(kind)
                .nativePreStopFile(preStop)
                .terminationGracePeriod(Duration.ofSeconds(10))
                .sidecar(ContainerSpec.builder().name("istio-proxy")
                        .command(JavaProcess.javaCommand(JVM, SidecarEmulatorMain.class.getName(), args))
                        .readyPattern("^SIDECAR_EMULATOR_READY ").build())
                .app(app)
                .build();
    }

    private static ContainerSpec job(String... args) {
        return ContainerSpec.builder().name("app")
                .command(JavaProcess.javaCommand(JVM, JobAppMain.class, args))
                .readyPattern("^APP_READY").build();
    }
}
