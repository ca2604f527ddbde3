package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The startup plan says what the run will do (issue 21): outside checks found a plan that promised
 * a release the run never makes, advised a fix that changes nothing, missed what the linter catches,
 * and an explicit mode that did not honour {@code startup-policy}.
 */
class PlanTruthTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private ShutdownCoordinatorBuilder builder() {
        return ShutdownCoordinator.builder().fromEnvironment(Map.of())
                .adminUrl(URI.create(TruthFixtures.refusedUrl())).agentUrl(URI.create(TruthFixtures.refusedUrl()))
                .consulAdminUrl(URI.create(TruthFixtures.refusedUrl())).consulLifecycleUrl(URI.create(TruthFixtures.refusedUrl()))
                .kumaAdminUrl(URI.create(TruthFixtures.refusedUrl())).linkerdAdminUrl(URI.create(TruthFixtures.refusedUrl()))
                .daprUrl(URI.create(TruthFixtures.refusedUrl())).labelsFile(dir.resolve("no-labels"))
                .annotationsFile(dir.resolve("no-annotations")).adminTimeout(Duration.ofMillis(300));
    }

    private MeshFakes.Envoy envoy(String serverInfo) throws IOException {
        MeshFakes.Envoy e = new MeshFakes.Envoy(serverInfo);
        open.add(e);
        return e;
    }

    private static ShutdownPlan.Step release(ShutdownPlan plan) {
        return plan.steps().stream().filter(s -> s.phase() == ShutdownPhase.SIDECAR_RELEASE).findFirst().orElseThrow();
    }

    @Test
    void aKumaServicesPlanDoesNotPromiseTheReleaseTheRunSkips() throws Exception {
        // given kuma-dp (drain time 3 s) and a cleanup that needs 12 s
        MeshFakes.Envoy kuma = envoy(MeshFakes.KUMA_SERVER_INFO);
        ShutdownCoordinator c = builder().kumaAdminUrl(URI.create(kuma.url()))
                .annotationsFile(MeshFakes.annotations(dir, Map.of("kuma.io/sidecar-injected", "true")))
                .task(ShutdownTask.builder("flush", ctx -> { }).timeout(Duration.ofSeconds(12)).build()).build();

        // when
        ShutdownPlan plan = c.plan();

        // then the plan neither promises a release nor sells a long drain time as free
        assertThat(release(plan).what()).as(plan.render()).doesNotContain("POST /quitquitquit");
        assertThat(plan.warnings()).as(plan.render()).noneMatch(w -> w.contains("releases the sidecar as soon as the app is done"));
        assertThat(plan.warnings()).as(plan.render()).anyMatch(w -> w.contains("kuma.io/sidecar-drain-time"));
    }

    @Test
    void aNativeConsulDataplanesPlanInAJobNamesNoRelease() throws Exception {
        MeshFakes.Envoy consul = envoy(MeshFakes.CONSUL_SERVER_INFO);
        ShutdownCoordinator c = builder().consulAdminUrl(URI.create(consul.url())).workload(Workload.JOB)
                .annotationsFile(MeshFakes.annotations(dir, Map.of("consul.hashicorp.com/connect-inject-status", "injected",
                        "consul.hashicorp.com/enable-consul-dataplane-as-sidecar", "true"))).build();

        ShutdownPlan plan = c.plan();
        ShutdownReport report = c.shutdown();

        assertThat(release(plan).what()).as(plan.render()).doesNotContain("POST /quitquitquit");
        assertThat(consul.server.requestsStartingWith("POST /quitquitquit")).as(report.summaryLine()).isEmpty();
    }

    @Test
    void withConsulsProxyLifecycleOffTheFixTurnsItOn() throws Exception {
        MeshFakes.Envoy consul = envoy(MeshFakes.CONSUL_SERVER_INFO);
        ShutdownCoordinator c = builder().consulAdminUrl(URI.create(consul.url())).gracePeriod(Duration.ofSeconds(40))
                .annotationsFile(MeshFakes.annotations(dir, Map.of("consul.hashicorp.com/connect-inject-status", "injected",
                        "consul.hashicorp.com/enable-sidecar-proxy-lifecycle", "false")))
                .task("notify-peers", ctx -> { }).build();

        ShutdownPlan plan = c.plan();

        assertThat(plan.warnings()).as(plan.render())
                .anyMatch(w -> w.contains("consul.hashicorp.com/enable-sidecar-proxy-lifecycle"));
    }

    @Test
    void aMeshWindowAsLongAsTheGracePeriodIsAWarning() throws Exception {
        // given Consul's and the Pod's defaults: a 30 s window and terminationGracePeriodSeconds 30
        MeshFakes.Envoy consul = envoy(MeshFakes.CONSUL_SERVER_INFO);
        ShutdownCoordinator c = builder().consulAdminUrl(URI.create(consul.url())).gracePeriod(Duration.ofSeconds(30))
                .annotationsFile(MeshFakes.annotations(dir, Map.of("consul.hashicorp.com/connect-inject-status", "injected")))
                .build();

        ShutdownPlan plan = c.plan();

        // then every deletion would take the whole grace period and end in SIGKILL: the plan says so
        assertThat(plan.fits()).as(plan.render()).isFalse();
        assertThat(plan.warnings()).as(plan.render()).anyMatch(w -> w.contains("SIGKILL"));
    }

    @Test
    void anExplicitModeHonoursTheOptionalStartupPolicyWhenNothingAnswers() throws Exception {
        // given sidecar-mode kuma, whose admin port refuses (Kuma 2.14 serves it on a Unix socket), policy optional
        ShutdownCoordinator c = builder().setting(io.github.sidecarshutdown.config.Setting.SIDECAR_MODE,
                "SIDECAR_SHUTDOWN_SIDECAR_MODE", "kuma").startupWait(Duration.ofSeconds(8)).build();

        // when
        long start = System.nanoTime();
        SidecarReadiness r = c.awaitSidecarReady();

        // then it goes on at once, as auto mode does
        assertThat(r).isEqualTo(SidecarReadiness.NO_SIDECAR);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3_000);
    }
}
