package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The plan names each mesh's calls, window and knob from the sidecar its descriptor makes, from the
 * Pod's annotations alone (what the linter plans a manifest with), with no switch of its own.
 */
class MeshPlanTest {

    private static ShutdownSettings settings(Workload workload) {
        return ShutdownCoordinator.builder().fromEnvironment(Map.of()).propagationDelay(Duration.ZERO)
                .gracePeriod(Duration.ofSeconds(60)).workload(workload).settings();
    }

    private static String step(ShutdownPlan plan, ShutdownPhase phase) {
        return plan.steps().stream().filter(s -> s.phase() == phase).findFirst().orElseThrow().what();
    }

    private static final List<ShutdownTask> CLEANUP = List.of(ShutdownTask.builder("deregister", ctx -> { })
            .timeout(Duration.ofSeconds(20)).build());

    private static final Map<String, String> CONSUL = Map.of("consul.hashicorp.com/connect-inject-status", "injected",
            "consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds", "15");
    private static final Map<String, String> KUMA = Map.of("kuma.io/sidecar-injected", "true", "kuma.io/sidecar-drain-time", "15s");

    @Test
    void consulIsReleasedOnlyInAJobAndItsWarningNamesItsAnnotation() {
        ShutdownPlan service = ShutdownPlan.forPod(settings(Workload.SERVICE), CLEANUP, CONSUL);
        ShutdownPlan job = ShutdownPlan.forPod(settings(Workload.JOB), CLEANUP, CONSUL);

        assertThat(step(service, ShutdownPhase.SIDECAR_RELEASE)).as(service.render()).startsWith("none (")
                .contains("shows no sign of its own SIGTERM");
        assertThat(step(service, ShutdownPhase.INBOUND_DRAIN)).doesNotContain("drain_listeners");
        assertThat(service.calls()).isEmpty();
        assertThat(step(job, ShutdownPhase.SIDECAR_RELEASE)).as(job.render())
                .startsWith("POST /quitquitquit when the app is done, whether the sidecar is starting, live or terminating");
        assertThat(job.calls()).singleElement().satisfies(c -> assertThat(c.when())
                .isEqualTo(Set.of(SidecarState.STARTING, SidecarState.LIVE, SidecarState.TERMINATING)));
        assertThat(service.warnings()).as(service.render()).anySatisfy(w -> assertThat(w)
                .contains("forwards only for consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds=15s")
                .contains("annotate the Pod with consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds: '31'"));
    }

    private static final Map<String, String> ISTIO = Map.of("sidecar.istio.io/status", "{\"containers\":[\"istio-proxy\"]}");

    private static List<String> kinds(ShutdownPlan plan) {
        return plan.problems().stream().map(ShutdownPlan.Problem::kind).toList();
    }

    @Test
    void aJobWhoseClassicSidecarNothingReleasesIsAProblemWithTheSettingAsFix() {
        ShutdownSettings off = ShutdownCoordinator.builder().fromEnvironment(Map.of("SIDECAR_SHUTDOWN_RELEASE_SIDECAR", "false"))
                .propagationDelay(Duration.ZERO).gracePeriod(Duration.ofSeconds(60)).workload(Workload.JOB).settings();

        for (Map<String, String> pod : List.of(ISTIO, CONSUL)) {
            ShutdownPlan plan = ShutdownPlan.forPod(off, CLEANUP, pod);
            assertThat(kinds(plan)).as(plan.render()).contains("job-release-disabled");
            ShutdownPlan.Problem p = plan.problems().stream().filter(x -> x.kind().equals("job-release-disabled")).findFirst().orElseThrow();
            assertThat(p.problem()).startsWith("SIDECAR_SHUTDOWN_RELEASE_SIDECAR=false in a Job").contains("never completes");
            assertThat(p.fix().settings()).isEqualTo(Map.of("SIDECAR_SHUTDOWN_RELEASE_SIDECAR", "true"));
        }
        // kuma-cp ends a finished Job's sidecar; a native sidecar is the kubelet's; with the release on nothing is missing
        assertThat(kinds(ShutdownPlan.forPod(off, CLEANUP, KUMA))).doesNotContain("job-release-disabled");
        assertThat(kinds(ShutdownPlan.forPod(off, CLEANUP, Map.of("sidecar.istio.io/status", "{\"containers\":[]}",
                "sidecar.istio.io/nativeSidecar", "true")))).doesNotContain("job-release-disabled");
        assertThat(kinds(ShutdownPlan.forPod(settings(Workload.JOB), CLEANUP, ISTIO))).doesNotContain("job-release-disabled");
        assertThat(kinds(ShutdownPlan.forPod(ShutdownCoordinator.builder().fromEnvironment(Map.of("SIDECAR_SHUTDOWN_RELEASE_SIDECAR",
                "false")).gracePeriod(Duration.ofSeconds(60)).workload(Workload.SERVICE).settings(), CLEANUP, ISTIO)))
                .doesNotContain("job-release-disabled");
    }

    @Test
    void kumaDrainsAndItsWarningNamesItsAnnotation() {
        ShutdownPlan plan = ShutdownPlan.forPod(settings(Workload.SERVICE), CLEANUP, KUMA);

        assertThat(step(plan, ShutdownPhase.INBOUND_DRAIN)).startsWith("POST /drain_listeners?inboundonly&graceful&skip_exit");
        assertThat(plan.warnings()).as(plan.render()).anySatisfy(w -> assertThat(w).contains("kuma.io/sidecar-drain-time: '31s'"));
    }

    @Test
    void aKumaJobIsReleasedLiveOrStartingButNotOnceTerminating() {
        ShutdownPlan job = ShutdownPlan.forPod(settings(Workload.JOB), CLEANUP, KUMA);

        assertThat(job.calls()).filteredOn(c -> c.phase() == ShutdownPhase.SIDECAR_RELEASE).singleElement()
                .satisfies(c -> assertThat(c.when()).isEqualTo(Set.of(SidecarState.STARTING, SidecarState.LIVE)));
        assertThat(step(job, ShutdownPhase.SIDECAR_RELEASE)).as(job.render()).contains("kuma-dp got its SIGTERM");
    }
}
