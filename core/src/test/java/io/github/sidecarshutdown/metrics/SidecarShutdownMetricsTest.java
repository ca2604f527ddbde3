package io.github.sidecarshutdown.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.PhaseResult;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.ShutdownTrigger;
import io.github.sidecarshutdown.TaskOutcome;
import io.github.sidecarshutdown.TaskResult;
import io.github.sidecarshutdown.envoy.AdminEndpoint;
import io.github.sidecarshutdown.envoy.EnvoyAdminClient;
import io.github.sidecarshutdown.sidecar.SidecarState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SidecarShutdownMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private SidecarShutdownMetrics bound() {
        SidecarShutdownMetrics metrics = new SidecarShutdownMetrics();
        metrics.bindTo(registry);
        return metrics;
    }

    private double stateGauge(SidecarState s) {
        Gauge g = registry.find(SidecarMetricNames.SIDECAR_STATE).tag("state", s.name().toLowerCase()).gauge();
        assertThat(g).as("gauge for %s", s).isNotNull();
        return g.value();
    }

    @Test
    void stateGaugeIsOneForTheLastStateAndZeroForTheOthers() {
        // given
        SidecarShutdownMetrics metrics = bound();

        // when
        metrics.onSidecarState(SidecarState.LIVE);
        metrics.onSidecarState(SidecarState.TERMINATING);

        // then
        assertThat(registry.find(SidecarMetricNames.SIDECAR_STATE).gauges()).hasSize(SidecarState.values().length);
        for (SidecarState s : SidecarState.values()) {
            assertThat(stateGauge(s)).as(s.name()).isEqualTo(s == SidecarState.TERMINATING ? 1.0 : 0.0);
        }
    }

    @Test
    void stateGaugeStartsAtUnknown() {
        // when
        bound();

        // then
        assertThat(stateGauge(SidecarState.UNKNOWN)).isEqualTo(1.0);
        assertThat(stateGauge(SidecarState.LIVE)).isEqualTo(0.0);
        assertThat(stateGauge(SidecarState.GONE)).isEqualTo(0.0);
    }

    @Test
    void phaseTimerIsTaggedWithPhaseAndOutcome() {
        // given
        SidecarShutdownMetrics metrics = bound();

        // when
        metrics.onPhaseCompleted(new PhaseResult(ShutdownPhase.INBOUND_DRAIN, TaskOutcome.SUCCEEDED, Duration.ofSeconds(5),
                Duration.ofMillis(1200), null));
        metrics.onPhaseCompleted(new PhaseResult(ShutdownPhase.INBOUND_DRAIN, TaskOutcome.SUCCEEDED, Duration.ofSeconds(6),
                Duration.ofMillis(800), "idle"));
        metrics.onPhaseCompleted(new PhaseResult(ShutdownPhase.CLEANUP, TaskOutcome.TIMED_OUT, Duration.ofSeconds(7),
                Duration.ofSeconds(3), null));

        // then
        Timer drain = registry.get(SidecarMetricNames.PHASE).tags("phase", "inbound_drain", "outcome", "succeeded").timer();
        assertThat(drain.count()).isEqualTo(2);
        assertThat(drain.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2000.0);
        assertThat(registry.get(SidecarMetricNames.PHASE).tags("phase", "cleanup", "outcome", "timed_out").timer().count())
                .isEqualTo(1);
        assertThat(registry.find(SidecarMetricNames.PHASE).timers()).hasSize(2);
    }

    @Test
    void taskTimerIsTaggedWithPhaseTaskAndOutcome() {
        // given
        SidecarShutdownMetrics metrics = bound();

        // when
        metrics.onTaskCompleted(new TaskResult("deregister", ShutdownPhase.EARLY_OUTBOUND, TaskOutcome.FAILED,
                Duration.ZERO, Duration.ofMillis(300), 2, "connection refused", new java.io.IOException("refused")));
        metrics.onTaskCompleted(new TaskResult("flush-kafka", ShutdownPhase.CLEANUP, TaskOutcome.SKIPPED,
                Duration.ofSeconds(4), Duration.ZERO, 0, "window too short", null));

        // then
        Timer deregister = registry.get(SidecarMetricNames.TASK)
                .tags("phase", "early_outbound", "task", "deregister", "outcome", "failed").timer();
        assertThat(deregister.count()).isEqualTo(1);
        assertThat(deregister.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(300.0);
        assertThat(registry.get(SidecarMetricNames.TASK)
                .tags("phase", "cleanup", "task", "flush-kafka", "outcome", "skipped").timer().count()).isEqualTo(1);
    }

    @Test
    void shutdownTimerIsTaggedWithReportOutcomeAndTrigger() {
        // given
        SidecarShutdownMetrics metrics = bound();
        TaskResult failed = new TaskResult("flush", ShutdownPhase.CLEANUP, TaskOutcome.FAILED, Duration.ZERO,
                Duration.ofMillis(10), 1, "boom", null);
        ShutdownReport degraded = new ShutdownReport(ShutdownTrigger.JVM_HOOK, Instant.parse("2026-01-01T00:00:00Z"),
                Duration.ofSeconds(9), Duration.ofSeconds(28), true, "istio 1.26.2", SidecarState.LIVE, true,
                List.of(new PhaseResult(ShutdownPhase.CLEANUP, TaskOutcome.SUCCEEDED, Duration.ZERO, Duration.ofMillis(10), null)),
                List.of(failed), io.github.sidecarshutdown.Workload.SERVICE);
        ShutdownReport clean = new ShutdownReport(ShutdownTrigger.PROGRAMMATIC, Instant.parse("2026-01-01T00:00:00Z"),
                Duration.ofSeconds(1), Duration.ofSeconds(28), true, "no sidecar", SidecarState.ABSENT, false,
                List.of(), List.of(), io.github.sidecarshutdown.Workload.SERVICE);

        // when
        metrics.onShutdownCompleted(degraded);
        metrics.onShutdownCompleted(clean);

        // then
        Timer t = registry.get(SidecarMetricNames.SHUTDOWN).tags("outcome", "degraded", "trigger", "jvm_hook").timer();
        assertThat(t.count()).isEqualTo(1);
        assertThat(t.totalTime(TimeUnit.SECONDS)).isEqualTo(9.0);
        assertThat(registry.get(SidecarMetricNames.SHUTDOWN).tags("outcome", "clean", "trigger", "programmatic").timer()
                .count()).isEqualTo(1);
    }

    @Test
    void adminCallsAreTimedByEndpointAndOutcome() {
        // given
        SidecarShutdownMetrics metrics = bound();

        // when
        metrics.onAdminCall(AdminEndpoint.READY, "success", 200, Duration.ofMillis(2));
        metrics.onAdminCall(AdminEndpoint.READY, "success", 200, Duration.ofMillis(4));
        metrics.onAdminCall(AdminEndpoint.AGENT_READY, "connection_refused", -1, Duration.ofMillis(1));

        // then
        Timer ready = registry.get(SidecarMetricNames.ADMIN_REQUESTS).tags("endpoint", "ready", "outcome", "success").timer();
        assertThat(ready.count()).isEqualTo(2);
        assertThat(ready.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(6.0);
        assertThat(registry.get(SidecarMetricNames.ADMIN_REQUESTS)
                .tags("endpoint", "agent_ready", "outcome", "connection_refused").timer().count()).isEqualTo(1);
    }

    @Test
    void realAdminClientCallsReachTheTimer() throws Exception {
        // given
        SidecarShutdownMetrics metrics = bound();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (EnvoyAdminClient client = EnvoyAdminClient.builder().adminUrl(URI.create("http://127.0.0.1:" + port))
                .listener(metrics).build()) {

            // when
            try {
                client.ready();
            } catch (RuntimeException expected) {
                // refused: counted all the same
            }
        }

        // then
        assertThat(registry.get(SidecarMetricNames.ADMIN_REQUESTS)
                .tags("endpoint", "ready", "outcome", "connection_refused").timer().count()).isEqualTo(1);
    }

    @Test
    void extraTagsAreOnEveryMeter() {
        // given
        SidecarShutdownMetrics metrics = new SidecarShutdownMetrics(Tags.of("app", "orders"));
        metrics.bindTo(registry);

        // when
        metrics.onAdminCall(AdminEndpoint.QUITQUITQUIT, "success", 200, Duration.ofMillis(1));

        // then
        assertThat(registry.get(SidecarMetricNames.ADMIN_REQUESTS).tags("app", "orders", "endpoint", "quitquitquit").timer()
                .count()).isEqualTo(1);
        assertThat(registry.find(SidecarMetricNames.SIDECAR_STATE).tag("app", "orders").gauges())
                .hasSize(SidecarState.values().length);
    }

    @Test
    void eventsBeforeBindingAreNotRecorded() {
        // given
        SidecarShutdownMetrics metrics = new SidecarShutdownMetrics();

        // when
        metrics.onAdminCall(AdminEndpoint.READY, "success", 200, Duration.ofMillis(1));
        metrics.onPhaseCompleted(new PhaseResult(ShutdownPhase.REPORT, TaskOutcome.SUCCEEDED, Duration.ZERO, Duration.ZERO, null));
        metrics.onSidecarState(SidecarState.GONE);
        metrics.bindTo(registry);

        // then
        assertThat(registry.find(SidecarMetricNames.ADMIN_REQUESTS).timers()).isEmpty();
        assertThat(registry.find(SidecarMetricNames.PHASE).timers()).isEmpty();
        assertThat(stateGauge(SidecarState.GONE)).isEqualTo(1.0);
    }
}
