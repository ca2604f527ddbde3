package io.github.sidecarshutdown.testkit.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PodSimulatorBuilderTest {

    private static final ContainerSpec SIDECAR =
            ContainerSpec.builder().name("istio-proxy").command("true").build();
    private static final ContainerSpec APP = ContainerSpec.builder().name("app").command("true").build();

    @Test
    void defaults() {
        try (PodSimulator pod = PodSimulator.builder().sidecar(SIDECAR).app(APP).build()) {
            assertThat(pod.sidecarKind()).isEqualTo(SidecarKind.CLASSIC);
            assertThat(pod.terminationGracePeriod()).isEqualTo(Duration.ofSeconds(30));
            assertThat(pod.nativePreStopFile()).isEmpty();
            assertThat(pod.appProcess()).isEmpty();
            assertThat(pod.lines()).isEmpty();
            assertThat(pod.restartPolicy()).isEqualTo(RestartPolicy.NEVER);
            assertThat(pod.annotationsFile()).isEmpty();
            assertThat(pod.labelsFile()).isEmpty();
        }
        assertThat(PodSimulatorBuilder.DEFAULT_MARKER_PREFIXES)
                .containsExactly("SIDECAR_EMULATOR_EVENT", "APP_EVENT");
        assertThat(PodSimulatorBuilder.DEFAULT_RESTART_BACKOFF).isEqualTo(Duration.ofMillis(100));
        assertThat(PodSimulatorBuilder.DEFAULT_BACKOFF_LIMIT).isEqualTo(6);
    }

    @Test
    void customValues() {
        try (PodSimulator pod = PodSimulator.builder()
                .sidecarKind(SidecarKind.NATIVE)
                .sidecar(SIDECAR)
                .app(ready -> APP)
                .terminationGracePeriod(Duration.ofSeconds(2))
                .nativePreStopFile(Path.of("/tmp/prestop"))
                .markerPrefixes("X_EVENT")
                .build()) {
            assertThat(pod.sidecarKind()).isEqualTo(SidecarKind.NATIVE);
            assertThat(pod.terminationGracePeriod()).isEqualTo(Duration.ofSeconds(2));
            assertThat(pod.nativePreStopFile()).contains(Path.of("/tmp/prestop"));
        }
    }

    @Test
    void podLifeSettings() {
        try (PodSimulator pod = PodSimulator.builder()
                .sidecar(SIDECAR).app(APP)
                .restartPolicy(RestartPolicy.ON_FAILURE).restartBackoff(Duration.ZERO).backoffLimit(0)
                .sidecarStartDelay(Duration.ofMillis(1200))
                .podAnnotations(Map.of("sidecar.istio.io/status", "{}"))
                .podLabels(Map.of("batch.kubernetes.io/job-name", "nightly"))
                .build()) {
            assertThat(pod.restartPolicy()).isEqualTo(RestartPolicy.ON_FAILURE);
        }
        assertThatThrownBy(() -> PodSimulator.builder().restartBackoff(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("restartBackoff: PT-0.001S (expected: >= 0)");
        assertThatThrownBy(() -> PodSimulator.builder().backoffLimit(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backoffLimit: -1 (expected: >= 0)");
        assertThatThrownBy(() -> PodSimulator.builder().sidecarStartDelay(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sidecarStartDelay: PT-1S (expected: >= 0)");
        assertThatThrownBy(() -> PodSimulator.builder().podAnnotations(Map.of("bad key", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("podAnnotations: key 'bad key' (expected: a Kubernetes key such as sidecar.istio.io/status)");
        assertThatThrownBy(() -> PodSimulator.builder().sidecarKind(SidecarKind.NATIVE).sidecar(SIDECAR).app(APP)
                .sidecarStartDelay(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("sidecarStartDelay: PT1S with sidecarKind NATIVE (expected: a CLASSIC or PRESTOP_LOOP "
                        + "sidecar; a native sidecar starts before the app)");
        assertThatThrownBy(() -> PodSimulator.builder().sidecar(SIDECAR).app(ready -> APP)
                .sidecarStartDelay(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("app: built from the sidecar's ready line, but the sidecar starts 1000 ms after the app "
                        + "(expected: app(ContainerSpec), with the sidecar's ports chosen in advance, e.g. "
                        + "EmulatorPorts.pick())");
    }

    @Test
    void restartPolicyFollowsTheKubelet() {
        assertThat(RestartPolicy.NEVER.restartsAfter(1)).isFalse();
        assertThat(RestartPolicy.ON_FAILURE.restartsAfter(0)).isFalse();
        assertThat(RestartPolicy.ON_FAILURE.restartsAfter(1)).isTrue();
        assertThat(RestartPolicy.ON_FAILURE.restartsAfter(137)).isTrue();
        assertThat(RestartPolicy.ALWAYS.restartsAfter(0)).isTrue();
        assertThat(RestartPolicy.ON_FAILURE.manifestValue()).isEqualTo("OnFailure");
    }

    @Test
    void backoffDoublesUpToThirtyTimesTheFirst() {
        RestartingContainer container = new RestartingContainer(APP, ContainerRole.APP, null, List.of(), null,
                RestartPolicy.ON_FAILURE, Duration.ofMillis(100), 10);
        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 12).stream().map(container::backoffBefore).map(Duration::toMillis))
                .containsExactly(100L, 200L, 400L, 800L, 1600L, 3000L, 3000L, 3000L);
    }

    @Test
    void emulatorPortsAreDistinctAndPassedAsOptions() throws Exception {
        EmulatorPorts ports = EmulatorPorts.pick();
        assertThat(Set.of(ports.admin(), ports.agent(), ports.health(), ports.outbound(), ports.inbound())).hasSize(5);
        assertThat(ports.emulatorArgs()).containsExactly("--admin-port", String.valueOf(ports.admin()),
                "--agent-port", String.valueOf(ports.agent()), "--health-port", String.valueOf(ports.health()),
                "--outbound-port", String.valueOf(ports.outbound()), "--inbound-port", String.valueOf(ports.inbound()));
        assertThat(ports.url(ports.admin())).isEqualTo("http://127.0.0.1:" + ports.admin());
        assertThatThrownBy(() -> new EmulatorPorts(1, 1, 2, 3, 4))
                .hasMessage("port: 1 used twice (expected: five distinct ports)");
    }

    @Test
    void preStopLoopNeedsTheAppPortAndAPositiveInterval() {
        assertThatThrownBy(() -> PodSimulator.builder().sidecarKind(SidecarKind.PRESTOP_LOOP)
                .sidecar(SIDECAR).app(APP).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("preStopLoopPort: not set (expected: the app's port for sidecarKind PRESTOP_LOOP)");
        assertThatThrownBy(() -> PodSimulator.builder().preStopLoopPort(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("preStopLoopPort: 0 (expected: 1-65535)");
        assertThatThrownBy(() -> PodSimulator.builder().preStopLoopInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("preStopLoopInterval: PT0S (expected: > 0)");
        try (PodSimulator pod = PodSimulator.builder().sidecarKind(SidecarKind.PRESTOP_LOOP)
                .sidecar(SIDECAR).app(APP).preStopLoopPort(8080).build()) {
            assertThat(pod.sidecarKind()).isEqualTo(SidecarKind.PRESTOP_LOOP);
        }
    }

    @Test
    void invalidCombinationsAreRejectedWithExactMessages() {
        assertThatThrownBy(() -> PodSimulator.builder().terminationGracePeriod(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("terminationGracePeriod: PT-1S (expected: >= 0)");
        assertThatThrownBy(() -> PodSimulator.builder().markerPrefixes(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("markerPrefixes: '' (expected: non-empty texts)");
        assertThatThrownBy(() -> PodSimulator.builder().sidecar(SIDECAR).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("app: not set (expected: the application's spec)");
        assertThatThrownBy(() -> PodSimulator.builder().app(APP).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("sidecar: not set (expected: the sidecar's spec for sidecarKind CLASSIC)");
        assertThatThrownBy(() -> PodSimulator.builder()
                .sidecarKind(SidecarKind.NONE).sidecar(SIDECAR).app(APP).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("sidecar: set but sidecarKind is NONE "
                        + "(expected: no sidecar, or sidecarKind CLASSIC or NATIVE)");
        assertThatThrownBy(() -> PodSimulator.builder()
                .sidecarKind(SidecarKind.NONE).app(ready -> APP).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("app: built from the sidecar's ready line but sidecarKind is NONE "
                        + "(expected: app(ContainerSpec))");
        assertThatThrownBy(() -> PodSimulator.builder()
                .sidecar(SIDECAR).app(SIDECAR.toBuilder().build()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("app: name 'istio-proxy' is the sidecar's (expected: distinct names)");
    }

    @Test
    void operationsOutOfOrderAreRejected() {
        try (PodSimulator pod = PodSimulator.builder().sidecar(SIDECAR).app(APP).build()) {
            assertThatThrownBy(pod::deletePod)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("deletePod(): pod is NEW (expected: RUNNING)");
            assertThatThrownBy(pod::startInboundLoad)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("no inbound load configured on the builder");
            assertThatThrownBy(() -> pod.startInboundLoad(
                    InboundLoad.builder().url("http://127.0.0.1:1/").build()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("startInboundLoad(): pod is NEW (expected: RUNNING, after start())");
            assertThatThrownBy(pod::sidecarReady)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("sidecarReady(): the sidecar is not ready (call start() first)");
            assertThatThrownBy(pod::appReady)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("appReady(): the app is not ready (call start() first)");
        }
    }

    @Test
    void closedPodCannotStart() {
        // given
        PodSimulator pod = PodSimulator.builder().sidecar(SIDECAR).app(APP).build();

        // when
        pod.close();

        // then
        assertThatThrownBy(pod::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("start(): pod is CLOSED (expected: NEW)");
    }
}
