package io.github.sidecarshutdown.spring.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The startup warnings about {@code spring.lifecycle.timeout-per-shutdown-phase}, from the plan alone. */
class SpringWarningsTest {

    @Test
    void warnsWhenThePlanDoesNotFitSpringsPhaseTimeout() {
        ShutdownPlan plan = ShutdownCoordinator.builder().sidecarMode(SidecarMode.NONE).gracePeriod(Duration.ofSeconds(60))
                .propagationDelay(Duration.ofSeconds(5)).drainTimeout(Duration.ofSeconds(10))
                .task("slow-cleanup", ctx -> { }).build().plan();

        // a 3 s phase timeout: both of our phases outlast it
        List<String> tight = SidecarStartupLifecycle.springWarnings(plan, Duration.ofSeconds(3));
        assertThat(tight).hasSize(2);
        assertThat(tight.get(0)).contains("propagation delay").contains("timeout-per-shutdown-phase=6s");
        assertThat(tight.get(1)).contains("cleanup").contains("timeout-per-shutdown-phase=16s");

        // 20 s fits both phases and, after the 5 s delay, the 58 s budget
        assertThat(SidecarStartupLifecycle.springWarnings(plan, Duration.ofSeconds(20))).isEmpty();

        // Spring's 30 s default after a 5 s delay overruns a 30 s grace period's 28 s budget
        ShutdownPlan tightGrace = ShutdownCoordinator.builder().sidecarMode(SidecarMode.NONE).gracePeriod(Duration.ofSeconds(30))
                .propagationDelay(Duration.ofSeconds(5)).build().plan();
        assertThat(SidecarStartupLifecycle.springWarnings(tightGrace, Duration.ofSeconds(30))).singleElement().asString()
                .contains("below 23s");
    }

    @Test
    void theReadmeQuickStartWarnsNothing() {
        // the README's Spring quick start: 30 s grace period, 5 s propagation delay, an early
        // outbound task of 3 s and a cleanup task of the default 5 s, the defaults otherwise
        ShutdownPlan plan = ShutdownCoordinator.builder().sidecarMode(SidecarMode.ISTIO).gracePeriod(Duration.ofSeconds(30))
                .propagationDelay(Duration.ofSeconds(5))
                .task(ShutdownTask.builder("deregister", ctx -> { }).phase(ShutdownPhase.EARLY_OUTBOUND)
                        .timeout(Duration.ofSeconds(3)).build())
                .task("notify-peers", ctx -> { })
                .build().plan();
        // 20 s: longer than inbound drain (10 s) + cleanup (5 s), and the web server's drain after
        // the 5 s delay still ends within the 28 s budget
        assertThat(SidecarStartupLifecycle.springWarnings(plan, Duration.ofSeconds(20))).isEmpty();
        // 10 s, what the README said before, cannot hold the drain timeout plus the cleanup task
        assertThat(SidecarStartupLifecycle.springWarnings(plan, Duration.ofSeconds(10))).singleElement().asString()
                .contains("may take 15s").contains("timeout-per-shutdown-phase=16s");
    }
}
