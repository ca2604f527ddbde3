package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The plan names each mesh's calls, window and knob from its mode, with no switch of its own. */
class MeshPlanTest {

    private static ShutdownSettings settings(Workload workload) {
        return ShutdownCoordinator.builder().fromEnvironment(Map.of()).propagationDelay(Duration.ZERO)
                .gracePeriod(Duration.ofSeconds(60)).workload(workload).settings();
    }

    private static SidecarFacts facts(SidecarMode mode, Duration window) {
        return new SidecarFacts(mode, Optional.empty(), Optional.of(window), false, Optional.empty(), "test");
    }

    private static String step(ShutdownPlan plan, ShutdownPhase phase) {
        return plan.steps().stream().filter(s -> s.phase() == phase).findFirst().orElseThrow().what();
    }

    private static final List<ShutdownTask> CLEANUP = List.of(ShutdownTask.builder("deregister", ctx -> { })
            .timeout(Duration.ofSeconds(20)).build());

    @Test
    void consulIsReleasedOnlyInAJobAndItsWarningNamesItsAnnotation() {
        ShutdownPlan service = ShutdownPlan.compute(settings(Workload.SERVICE), CLEANUP, facts(SidecarMode.CONSUL, Duration.ofSeconds(15)));
        ShutdownPlan job = ShutdownPlan.compute(settings(Workload.JOB), CLEANUP, facts(SidecarMode.CONSUL, Duration.ofSeconds(15)));

        assertThat(step(service, ShutdownPhase.SIDECAR_RELEASE)).startsWith("none (sidecar consul: its SIGTERM cannot be seen");
        assertThat(step(service, ShutdownPhase.INBOUND_DRAIN)).doesNotContain("drain_listeners");
        assertThat(step(job, ShutdownPhase.SIDECAR_RELEASE)).startsWith("POST /quitquitquit if the sidecar is live or terminating");
        assertThat(service.warnings()).anySatisfy(w -> assertThat(w)
                .contains("forwards only for consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds=15s")
                .contains("annotate the Pod with consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds: \"31\""));
    }

    @Test
    void kumaDrainsAndItsWarningNamesItsAnnotation() {
        ShutdownPlan plan = ShutdownPlan.compute(settings(Workload.SERVICE), CLEANUP, facts(SidecarMode.KUMA, Duration.ofSeconds(15)));

        assertThat(step(plan, ShutdownPhase.INBOUND_DRAIN)).startsWith("POST /drain_listeners?inboundonly&graceful&skip_exit");
        assertThat(plan.warnings()).anySatisfy(w -> assertThat(w).contains("kuma.io/sidecar-drain-time: \"31s\""));
    }
}
