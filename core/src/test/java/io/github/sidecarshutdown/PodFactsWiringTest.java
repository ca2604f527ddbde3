package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The annotations file feeds the startup plan and the mode; without it nothing changes. */
class PodFactsWiringTest {

    @TempDir
    Path dir;

    private static URI refused() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }

    private ShutdownCoordinatorBuilder builder(Map<String, String> env) throws IOException {
        return RefusedSidecarUrls.everywhere(ShutdownCoordinator.builder().fromEnvironment(env)).adminUrl(refused()).agentUrl(refused())
                .adminTimeout(Duration.ofMillis(200));
    }

    @Test
    void theStartupPlanUsesTheAnnotationsBeforeEnvoyAnswers() throws IOException {
        // given a Pod whose grace period (20 s) is shorter than its annotated window (25 s)
        Path file = dir.resolve("annotations");
        Files.writeString(file, "proxy.istio.io/config=\"terminationDrainDuration: 25s\\n\"\n");

        // when
        ShutdownPlan plan = builder(Map.of("SIDECAR_SHUTDOWN_ANNOTATIONS_FILE", file.toString(),
                "SIDECAR_SHUTDOWN_GRACE_PERIOD", "20s")).build().plan();

        // then
        assertThat(plan.facts().mode()).isEqualTo(SidecarMode.ISTIO);
        assertThat(plan.facts().guaranteedWindow()).contains(Duration.ofSeconds(25));
        assertThat(plan.fits()).isFalse();
        assertThat(plan.warnings()).anySatisfy(w -> assertThat(w)
                .contains("is shorter than terminationDrainDuration=25s").contains("terminationGracePeriodSeconds: 27"));
    }

    @Test
    void aNativeSidecarInTheAnnotationsMeansNoWindowAndNoRelease() throws IOException {
        Path file = dir.resolve("annotations");
        Files.writeString(file, "sidecar.istio.io/status=\"{\\\"initContainers\\\":[\\\"istio-proxy\\\"]}\"\n");

        ShutdownPlan plan = builder(Map.of()).annotationsFile(file).build().plan();

        assertThat(plan.facts().mode()).isEqualTo(SidecarMode.NATIVE);
        assertThat(plan.steps()).filteredOn(s -> s.phase() == ShutdownPhase.SIDECAR_RELEASE)
                .singleElement().satisfies(s -> assertThat(s.what())
                        .isEqualTo("none (native sidecar: the kubelet stops it after the app exits)"));
    }

    @Test
    void withoutTheFileTheBehaviourIsUnchanged() throws IOException {
        ShutdownPlan without = builder(Map.of()).annotationsFile(dir.resolve("absent")).build().plan();
        Path malformed = dir.resolve("malformed");
        Files.writeString(malformed, "this is not a downward API file");
        ShutdownPlan broken = builder(Map.of()).annotationsFile(malformed).build().plan();

        assertThat(without.facts().mode()).isEqualTo(SidecarMode.NONE);
        assertThat(broken.facts().mode()).isEqualTo(SidecarMode.NONE);
        assertThat(broken.steps()).isEqualTo(without.steps());
        assertThat(broken.warnings()).isEqualTo(without.warnings());
    }
}
