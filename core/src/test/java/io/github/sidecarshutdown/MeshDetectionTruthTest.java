package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sidecarshutdown.config.InvalidSettingException;
import io.github.sidecarshutdown.pod.MeshAnnotations;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sidecar-mode=auto} tells Consul and Kuma apart from each other and from Istio or plain
 * Envoy by answers only they give, never sends a mesh's call to an impostor, and lets the
 * injectors' annotations settle it before any sidecar answers.
 */
@Timeout(60)
class MeshDetectionTruthTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private <R extends AutoCloseable> R keep(R r) {
        resources.add(r);
        return r;
    }

    /** Auto mode with every mesh's port pointed where the test says; refused where it does not. */
    private ShutdownCoordinatorBuilder auto(String consulAdmin, String consulLifecycle, String kumaAdmin, Map<String, String> annotations) {
        return ShutdownCoordinator.builder()
                .fromEnvironment(Map.of())
                .runtimeHooks(new RecordingHooks())
                .gracePeriod(Duration.ofSeconds(6))
                .safetyMargin(Duration.ofSeconds(1))
                .propagationDelay(Duration.ZERO)
                .drainTimeout(Duration.ofMillis(100))
                .adminTimeout(Duration.ofMillis(500))
                .workload(Workload.JOB) // a live sidecar would be released: an impostor must never see it
                .labelsFile(dir.resolve("no-labels"))
                .annotationsFile(MeshFakes.annotations(dir, annotations))
                .sidecarMode(SidecarMode.AUTO)
                .adminUrl(URI.create(TruthFixtures.refusedUrl()))
                .agentUrl(URI.create(TruthFixtures.refusedUrl()))
                .linkerdAdminUrl(URI.create(TruthFixtures.refusedUrl()))
                .daprUrl(URI.create(TruthFixtures.refusedUrl()))
                .consulAdminUrl(URI.create(consulAdmin))
                .consulLifecycleUrl(URI.create(consulLifecycle))
                .kumaAdminUrl(URI.create(kumaAdmin))
                .task("flush", ctx -> { });
    }

    @Test
    void anIstioEnvoyMovedToConsulsPortIsNotConsul() throws IOException {
        MeshFakes.Envoy istio = keep(new MeshFakes.Envoy(MeshFakes.ISTIO_SERVER_INFO));
        ScriptedLoopbackServer lifecycle = keep(MeshFakes.lifecycle());
        ShutdownCoordinator c = auto(istio.url(), lifecycle.url(), TruthFixtures.refusedUrl(), Map.of()).build();

        SidecarMode mode = c.plan().facts().mode();
        ShutdownReport report = c.shutdown();

        assertThat(mode).isNotEqualTo(SidecarMode.CONSUL);
        assertThat(istio.server.requestsStartingWith("POST")).as(report.summaryLine()).isEmpty();
        assertThat(lifecycle.requestsStartingWith("POST")).isEmpty();
    }

    @Test
    void aPlainEnvoyOnKumasPortIsNotKuma() throws IOException {
        MeshFakes.Envoy plain = keep(new MeshFakes.Envoy(MeshFakes.PLAIN_ENVOY_SERVER_INFO));
        ShutdownCoordinator c = auto(TruthFixtures.refusedUrl(), TruthFixtures.refusedUrl(), plain.url(), Map.of()).build();

        SidecarMode mode = c.plan().facts().mode();
        ShutdownReport report = c.shutdown();

        assertThat(mode).isNotEqualTo(SidecarMode.KUMA);
        assertThat(plain.server.requestsStartingWith("POST")).as(report.summaryLine()).isEmpty();
    }

    @Test
    void aKumaEnvoyOnConsulsPortIsNotConsulAndAConsulEnvoyOnKumasPortIsNotKuma() throws IOException {
        MeshFakes.Envoy kumaOnConsulPort = keep(new MeshFakes.Envoy(MeshFakes.KUMA_SERVER_INFO));
        ScriptedLoopbackServer lifecycle = keep(MeshFakes.lifecycle());
        MeshFakes.Envoy consulOnKumaPort = keep(new MeshFakes.Envoy(MeshFakes.CONSUL_SERVER_INFO));

        SidecarMode first = auto(kumaOnConsulPort.url(), lifecycle.url(), TruthFixtures.refusedUrl(), Map.of())
                .build().plan().facts().mode();
        SidecarMode second = auto(TruthFixtures.refusedUrl(), TruthFixtures.refusedUrl(), consulOnKumaPort.url(), Map.of())
                .build().plan().facts().mode();

        assertThat(first).isNotEqualTo(SidecarMode.CONSUL);
        assertThat(second).isNotEqualTo(SidecarMode.KUMA);
    }

    @Test
    void realLookingConsulAndKumaAreDetectedAndReleasedForAJob() throws IOException {
        MeshFakes.Envoy consulEnvoy = keep(new MeshFakes.Envoy(MeshFakes.CONSUL_SERVER_INFO));
        ScriptedLoopbackServer lifecycle = keep(MeshFakes.lifecycle());
        MeshFakes.Envoy kumaEnvoy = keep(new MeshFakes.Envoy(MeshFakes.KUMA_SERVER_INFO));

        ShutdownCoordinator consul = auto(consulEnvoy.url(), lifecycle.url(), TruthFixtures.refusedUrl(), Map.of()).build();
        ShutdownCoordinator kuma = auto(TruthFixtures.refusedUrl(), TruthFixtures.refusedUrl(), kumaEnvoy.url(), Map.of()).build();

        assertThat(consul.plan().facts().mode()).isEqualTo(SidecarMode.CONSUL);
        assertThat(kuma.plan().facts().mode()).isEqualTo(SidecarMode.KUMA);
        assertThat(consul.shutdown().sidecarReleased()).isTrue();
        assertThat(kuma.shutdown().sidecarReleased()).isTrue();
        assertThat(consulEnvoy.server.requestsStartingWith("POST /quitquitquit")).hasSize(1);
        assertThat(kumaEnvoy.server.requestsStartingWith("POST /quitquitquit")).hasSize(1);
    }

    @Test
    void theInjectorsAnnotationsSettleItBeforeAnySidecarAnswers() {
        String nothing = TruthFixtures.refusedUrl();
        ShutdownCoordinator consul = auto(nothing, nothing, nothing, Map.of(MeshAnnotations.CONSUL_INJECT_STATUS, "injected",
                MeshAnnotations.CONSUL_GRACE_PERIOD, "25")).build();
        ShutdownCoordinator kuma = auto(nothing, nothing, nothing, Map.of(MeshAnnotations.KUMA_INJECTED, "true",
                MeshAnnotations.KUMA_DRAIN_TIME, "12s")).build();

        assertThat(consul.plan().facts().mode()).isEqualTo(SidecarMode.CONSUL);
        assertThat(consul.plan().facts().guaranteedWindow()).contains(Duration.ofSeconds(25));
        assertThat(kuma.plan().facts().mode()).isEqualTo(SidecarMode.KUMA);
        assertThat(kuma.plan().facts().guaranteedWindow()).contains(Duration.ofSeconds(12));
    }

    @Test
    void kumasAdminPortAnnotationIsUsedUnlessTheUrlIsSet() throws IOException {
        MeshFakes.Envoy kumaEnvoy = keep(new MeshFakes.Envoy(MeshFakes.KUMA_SERVER_INFO));
        String port = kumaEnvoy.url().substring(kumaEnvoy.url().lastIndexOf(':') + 1);
        ShutdownCoordinator c = ShutdownCoordinator.builder().fromEnvironment(Map.of()).runtimeHooks(new RecordingHooks())
                .sidecarMode(SidecarMode.KUMA).labelsFile(dir.resolve("no-labels"))
                .annotationsFile(MeshFakes.annotations(dir, Map.of(MeshAnnotations.KUMA_ADMIN_PORT, port))).build();

        assertThat(c.sidecar().describe()).contains(kumaEnvoy.url());
        assertThat(c.plan().facts().version()).hasValueSatisfying(v -> assertThat(v).contains("kuma-dp 2.12.1"));
    }

    @Test
    void badOrRemoteUrlsAreRefusedNamingTheVariable() {
        assertThatThrownBy(() -> ShutdownCoordinator.builder().fromEnvironment(Map.of("SIDECAR_SHUTDOWN_KUMA_ADMIN_URL", "9901")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("SIDECAR_SHUTDOWN_KUMA_ADMIN_URL");
        assertThatThrownBy(() -> ShutdownCoordinator.builder()
                .fromEnvironment(Map.of("SIDECAR_SHUTDOWN_CONSUL_LIFECYCLE_URL", "http://10.0.0.7:20600")).settings())
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("SIDECAR_SHUTDOWN_CONSUL_LIFECYCLE_URL")
                .hasMessageContaining("consul-dataplane lifecycle server listens on http://127.0.0.1:20600")
                .hasMessageContaining("SIDECAR_SHUTDOWN_ALLOW_NON_LOOPBACK");
    }
}
