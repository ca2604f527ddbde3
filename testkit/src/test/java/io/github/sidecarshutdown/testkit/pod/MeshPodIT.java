package io.github.sidecarshutdown.testkit.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain;
import io.github.sidecarshutdown.testkit.pod.fixtures.JobAppMain;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Consul and Kuma Pods through the simulator, with the sidecar emulator as a real process in
 * {@code --mode CONSUL} / {@code KUMA} (docs/emulator-meshes.md): the kubelet's SIGTERM reaches
 * consul-dataplane at deletion, and Kuma's control plane releases a finished Job's sidecar.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MeshPodIT {

    private static final List<String> JVM = List.of(
            "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m");

    @AfterEach
    void noChildProcessIsLeft() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList()).isEmpty());
    }

    @Test
    void consulDataplaneDrainsAtSigtermAndExitsWithEnvoyAfterTheGracePeriod() throws Exception {
        Duration grace = Duration.ofSeconds(1);
        try (PodSimulator pod = PodSimulator.builder()
                .sidecarKind(SidecarKind.CLASSIC)
                .terminationGracePeriod(Duration.ofSeconds(10))
                .sidecar(sidecar("consul-dataplane", "CONSUL", "--shutdown-grace-period", "1s"))
                .app(app("--work-ms", "60000"))
                .build()) {
            pod.start();

            PodTermination termination = pod.deletePod();
            System.out.println(termination.toTimelineText());

            ContainerTermination sidecar = termination.sidecar().orElseThrow();
            assertThat(sidecar.sigtermAt()).isNotNull();
            assertThat(sidecar.killedAtGrace()).isFalse();
            assertThat(sidecar.exitCode()).isZero();
            assertThat(sidecar.exitedAt()).isGreaterThanOrEqualTo(grace);
            long drained = termination.firstOutput("consul-dataplane", "DRAIN_STARTED").orElseThrow().ms();
            long quit = termination.firstOutput("consul-dataplane", "ENVOY_EXITED").orElseThrow().ms();
            assertThat(quit - drained).isGreaterThanOrEqualTo(grace.toMillis() - 50);
        }
    }

    @Test
    void kumasControlPlaneQuitsTheSidecarOfAFinishedJob() throws Exception {
        try (PodSimulator pod = PodSimulator.builder()
                .sidecarKind(SidecarKind.CLASSIC)
                .terminationGracePeriod(Duration.ofSeconds(10))
                .sidecar(sidecar("kuma-sidecar", "KUMA", "--drain-duration", "30s"))
                .app(app("--work-ms", "200"))
                .controlPlaneQuitsJobSidecar(ready -> ready.port("admin"))
                .build()) {
            pod.start();

            JobRun run = pod.awaitJobCompletion(Duration.ofSeconds(5));
            System.out.println(run.toTimelineText());

            assertThat(run.phase()).isEqualTo(PodPhase.SUCCEEDED);
            ContainerTermination sidecar = run.sidecar().orElseThrow();
            assertThat(sidecar.sigtermAt()).isNull();
            assertThat(sidecar.killedAtGrace()).isFalse();
            assertThat(sidecar.exitCode()).isZero();
            assertThat(run.timeline()).anySatisfy(e -> {
                assertThat(e.kind()).isEqualTo(TimelineEvent.Kind.CONTROL_PLANE_QUIT);
                assertThat(e.detail()).contains("200");
            });
            assertThat(run.firstOutput("kuma-sidecar", "ENVOY_EXITED")).isPresent();
        }
    }

    private static ContainerSpec sidecar(String name, String mode, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("--mode", mode));
        all.addAll(List.of(args));
        return ContainerSpec.builder().name(name)
                .command(JavaProcess.javaCommand(JVM, SidecarEmulatorMain.class.getName(), all))
                .readyPattern("^SIDECAR_EMULATOR_READY ").build();
    }

    private static ContainerSpec app(String... args) {
        return ContainerSpec.builder().name("app")
                .command(JavaProcess.javaCommand(JVM, JobAppMain.class, args))
                .readyPattern("^APP_READY").build();
    }
}
