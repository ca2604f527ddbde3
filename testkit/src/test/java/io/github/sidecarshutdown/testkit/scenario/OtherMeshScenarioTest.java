package io.github.sidecarshutdown.testkit.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.PhaseResult;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.TaskOutcome;
import io.github.sidecarshutdown.dapr.DaprSidecar;
import io.github.sidecarshutdown.linkerd.LinkerdSidecar;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import io.github.sidecarshutdown.testkit.emulator.EmulatorMode;
import io.github.sidecarshutdown.testkit.emulator.RecordedCall;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import io.github.sidecarshutdown.testkit.pod.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Core's Linkerd and Dapr adapters, and auto-detection, against the emulator, in-process. */
class OtherMeshScenarioTest {

    private static final Duration T = Duration.ofSeconds(1);

    private static ShutdownCoordinator coordinator(Map<String, String> env) {
        // every sidecar URL the test does not name refuses, whatever listens on a mesh's default port on this machine
        Map<String, String> all = new HashMap<>();
        for (String url : List.of("ADMIN_URL", "AGENT_URL", "LINKERD_ADMIN_URL", "DAPR_URL", "CONSUL_ADMIN_URL",
                "CONSUL_LIFECYCLE_URL", "KUMA_ADMIN_URL")) {
            all.put("SIDECAR_SHUTDOWN_" + url, refusedUrl());
        }
        all.putAll(env);
        return ShutdownCoordinator.builder().fromEnvironment(all).adminTimeout(T).build();
    }

    private static String refusedUrl() {
        try {
            return "http://127.0.0.1:" + LoopbackPorts.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PhaseResult phase(ShutdownReport r, ShutdownPhase p) {
        return r.phases().stream().filter(x -> x.phase() == p).findFirst().orElseThrow();
    }

    @Test
    void linkerdAdapterSeesReadinessAndReleasesTheProxy() throws Exception {
        try (SidecarEmulator e = SidecarEmulator.builder().mode(EmulatorMode.LINKERD).build().start();
                LinkerdSidecar linkerd = new LinkerdSidecar(e.adminUrl(), Duration.ofMillis(250), false)) {
            assertThat(linkerd.isReady(T)).isTrue();
            assertThat(linkerd.probe(T)).isEqualTo(SidecarState.LIVE);
            assertThat(linkerd.facts(T).mode()).isEqualTo(SidecarMode.LINKERD);
            assertThat(linkerd.facts(T).guaranteedWindow()).isEmpty();

            linkerd.release(T);

            assertThat(e.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(linkerd.probe(T)).isEqualTo(SidecarState.GONE);
            assertThat(e.calls()).extracting(RecordedCall::method, RecordedCall::path).contains(
                    org.assertj.core.groups.Tuple.tuple("POST", "/shutdown"));
        }
    }

    @Test
    void aLinkerdShutdownWithTheEndpointDisabledIsReportedAsSkippedWithTheReason() throws Exception {
        try (SidecarEmulator e = SidecarEmulator.builder().mode(EmulatorMode.LINKERD).shutdownEndpointEnabled(false)
                .terminationDrainDuration(Duration.ofSeconds(20)).build().start()) {
            ShutdownCoordinator c = coordinator(Map.of("SIDECAR_SHUTDOWN_SIDECAR_MODE", "linkerd",
                    "SIDECAR_SHUTDOWN_LINKERD_ADMIN_URL", e.adminUrl().toString()));
            c.awaitSidecarReady(Duration.ofSeconds(5));
            e.terminate();

            ShutdownReport report = c.shutdown();

            PhaseResult release = phase(report, ShutdownPhase.SIDECAR_RELEASE);
            assertThat(release.outcome()).isEqualTo(TaskOutcome.SKIPPED);
            assertThat(release.detail()).contains("shutdown endpoint is not enabled");
            assertThat(e.isExited()).isFalse();
        }
    }

    @Test
    void aLinkerdProxyThatIsStillReadyIsLeftRunning() throws Exception {
        try (SidecarEmulator e = SidecarEmulator.builder().mode(EmulatorMode.LINKERD).build().start()) {
            ShutdownCoordinator c = coordinator(Map.of("SIDECAR_SHUTDOWN_SIDECAR_MODE", "linkerd",
                    "SIDECAR_SHUTDOWN_LINKERD_ADMIN_URL", e.adminUrl().toString()));
            c.awaitSidecarReady(Duration.ofSeconds(5));

            // the app got SIGTERM alone (a liveness restart): the proxy stays, so it is not released
            ShutdownReport report = c.shutdown();

            assertThat(phase(report, ShutdownPhase.SIDECAR_RELEASE).outcome()).isEqualTo(TaskOutcome.SKIPPED);
            assertThat(phase(report, ShutdownPhase.SIDECAR_RELEASE).detail()).contains("live");
            assertThat(e.calls()).extracting(RecordedCall::method).doesNotContain("POST");
            assertThat(e.isExited()).isFalse();
        }
    }

    @Test
    void theCoordinatorReleasesATerminatingLinkerdProxyWhenTheAppIsDone() throws Exception {
        try (SidecarEmulator e = SidecarEmulator.builder().mode(EmulatorMode.LINKERD).terminationDrainDuration(Duration.ofSeconds(20))
                .build().start()) {
            ShutdownCoordinator c = coordinator(Map.of("SIDECAR_SHUTDOWN_SIDECAR_MODE", "linkerd",
                    "SIDECAR_SHUTDOWN_LINKERD_ADMIN_URL", e.adminUrl().toString()));
            c.awaitSidecarReady(Duration.ofSeconds(5));
            e.terminate(); // the Pod's SIGTERM reaches the proxy too: /ready turns 503

            ShutdownReport report = c.shutdown();

            assertThat(phase(report, ShutdownPhase.SIDECAR_RELEASE).outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
            assertThat(phase(report, ShutdownPhase.SIDECAR_RELEASE).detail()).contains("POST /shutdown");
            assertThat(e.awaitExit(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void daprAdapterWaitsForOutboundHealthAndLeavesATerminatingDaprdToItsOwnShutdown() throws Exception {
        try (SidecarEmulator e = SidecarEmulator.builder().mode(EmulatorMode.DAPR).terminationDrainDuration(Duration.ofSeconds(2))
                .build().start()) {
            ShutdownCoordinator c = coordinator(Map.of("SIDECAR_SHUTDOWN_SIDECAR_MODE", "dapr",
                    "SIDECAR_SHUTDOWN_DAPR_URL", e.adminUrl().toString()));
            try (DaprSidecar dapr = new DaprSidecar(e.adminUrl(), Duration.ofMillis(250), false)) {
                assertThat(dapr.isReady(T)).isTrue();
                assertThat(dapr.facts(T).mode()).isEqualTo(SidecarMode.DAPR);
                assertThat(dapr.identify(T)).as("daprd's /v1.0/metadata").isTrue();
            }
            c.awaitSidecarReady(Duration.ofSeconds(5));
            e.terminate(); // daprd's graceful shutdown: its outbound health turns 500

            ShutdownReport report = c.shutdown();

            // daprd is already on its own graceful shutdown, which its shutdown call would only join.
            assertThat(phase(report, ShutdownPhase.SIDECAR_RELEASE).outcome()).isEqualTo(TaskOutcome.SKIPPED);
            assertThat(phase(report, ShutdownPhase.SIDECAR_RELEASE).detail()).contains("already shutting down");
            assertThat(e.calls()).extracting(RecordedCall::path).doesNotContain("/v1.0/shutdown");
            assertThat(e.awaitExit(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void autoFindsEnvoyFirstThenLinkerdThenDapr() throws Exception {
        try (SidecarEmulator linkerd = SidecarEmulator.builder().mode(EmulatorMode.LINKERD).build().start();
                SidecarEmulator dapr = SidecarEmulator.builder().mode(EmulatorMode.DAPR).build().start();
                SidecarEmulator none = SidecarEmulator.builder().mode(EmulatorMode.NONE).build().start();
                SidecarEmulator istio = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26).build().start()) {
            String noEnvoy = none.adminUrl().toString();
            String noAgent = none.agentUrl().toString();

            // Envoy answers: Istio, whatever else is around
            assertThat(coordinator(Map.of("SIDECAR_SHUTDOWN_ADMIN_URL", istio.adminUrl().toString(),
                    "SIDECAR_SHUTDOWN_AGENT_URL", istio.agentUrl().toString(),
                    "SIDECAR_SHUTDOWN_LINKERD_ADMIN_URL", linkerd.adminUrl().toString(),
                    "SIDECAR_SHUTDOWN_DAPR_URL", dapr.adminUrl().toString())).plan().facts().mode()).isEqualTo(SidecarMode.ISTIO);
            // no Envoy: Linkerd before Dapr
            assertThat(coordinator(Map.of("SIDECAR_SHUTDOWN_ADMIN_URL", noEnvoy, "SIDECAR_SHUTDOWN_AGENT_URL", noAgent,
                    "SIDECAR_SHUTDOWN_LINKERD_ADMIN_URL", linkerd.adminUrl().toString(),
                    "SIDECAR_SHUTDOWN_DAPR_URL", dapr.adminUrl().toString())).plan().facts().mode()).isEqualTo(SidecarMode.LINKERD);
            // only Dapr
            assertThat(coordinator(Map.of("SIDECAR_SHUTDOWN_ADMIN_URL", noEnvoy, "SIDECAR_SHUTDOWN_AGENT_URL", noAgent,
                    "SIDECAR_SHUTDOWN_LINKERD_ADMIN_URL", noEnvoy,
                    "SIDECAR_SHUTDOWN_DAPR_URL", dapr.adminUrl().toString())).plan().facts().mode()).isEqualTo(SidecarMode.DAPR);
            // nothing: no sidecar, as before
            assertThat(coordinator(Map.of("SIDECAR_SHUTDOWN_ADMIN_URL", noEnvoy, "SIDECAR_SHUTDOWN_AGENT_URL", noAgent,
                    "SIDECAR_SHUTDOWN_LINKERD_ADMIN_URL", noEnvoy, "SIDECAR_SHUTDOWN_DAPR_URL", noEnvoy,
                    "SIDECAR_SHUTDOWN_ANNOTATIONS_FILE", "/nonexistent/annotations")).plan().facts().mode())
                    .isEqualTo(SidecarMode.NONE);
        }
    }

    @Test
    void nonLoopbackUrlsAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> coordinator(Map.of("SIDECAR_SHUTDOWN_LINKERD_ADMIN_URL", "http://10.0.0.1:4191")))
                .hasMessageContaining("SIDECAR_SHUTDOWN_LINKERD_ADMIN_URL").hasMessageContaining("loopback");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DaprSidecar(java.net.URI.create("http://10.0.0.1:3500"),
                Duration.ofMillis(250), false)).isInstanceOf(IllegalArgumentException.class);
    }
}
