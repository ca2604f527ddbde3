package io.github.sidecarshutdown.testkit.pod;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PodTerminationTest {

    private static final Instant DELETED = Instant.parse("2026-01-01T10:00:00Z");

    @Test
    void podEndIsTheLaterExitAndTheTimelineIsSortedAndRendered() {
        // given
        ContainerTermination sidecar = new ContainerTermination("istio-proxy", ContainerRole.SIDECAR,
                143, Duration.ZERO, Duration.ofMillis(5012), false, List.of());
        ContainerTermination app = new ContainerTermination("app", ContainerRole.APP, 137,
                Duration.ofMillis(1), Duration.ofMillis(2005), true,
                List.of(new OutputLine("app", OutputLine.Channel.STDOUT,
                        DELETED.plusMillis(3), "APP_EVENT sigterm")));
        List<TimelineEvent> events = List.of(
                new TimelineEvent(Duration.ofMillis(2005), "app", TimelineEvent.Kind.EXITED,
                        "exit code 137"),
                new TimelineEvent(Duration.ofMillis(-812), "istio-proxy",
                        TimelineEvent.Kind.STARTED, "pid 42"),
                new TimelineEvent(Duration.ZERO, TimelineEvent.POD, TimelineEvent.Kind.DELETED,
                        "CLASSIC"),
                new TimelineEvent(Duration.ofMillis(3), "app", TimelineEvent.Kind.OUTPUT,
                        "APP_EVENT sigterm"));

        // when
        PodTermination termination = new PodTermination(DELETED, SidecarKind.CLASSIC,
                Duration.ofSeconds(2), app, sidecar, InboundLoadResult.empty(), events);

        // then
        assertThat(termination.podEndMs()).isEqualTo(5012);
        assertThat(termination.containers()).containsExactly(sidecar, app);
        assertThat(termination.timeline()).extracting(TimelineEvent::ms)
                .containsExactly(-812L, 0L, 3L, 2005L);
        assertThat(termination.firstOutput("app", "sigterm")).map(TimelineEvent::ms).contains(3L);
        assertThat(termination.firstEvent("app", TimelineEvent.Kind.SIGKILL)).isEmpty();
        assertThat(termination.sinceDeletion(app.lines().get(0).time())).isEqualTo(Duration.ofMillis(3));
        assertThat(app.firstLineContaining("sigterm")).isPresent();
        assertThat(termination.toTimelineText()).isEqualTo(String.join("\n",
                "Pod termination: sidecar CLASSIC, grace period 2000 ms, deleted at 2026-01-01T10:00:00Z",
                "     -812 ms  istio-proxy  STARTED       pid 42",
                "        0 ms  pod          DELETED       CLASSIC",
                "        3 ms  app          OUTPUT        APP_EVENT sigterm",
                "     2005 ms  app          EXITED        exit code 137",
                "istio-proxy: exit code 143 at 5012 ms",
                "app: exit code 137 at 2005 ms (killed at the grace period)",
                "Pod ended at 5012 ms",
                ""));
    }

    @Test
    void podWithoutSidecarEndsWithTheApp() {
        ContainerTermination app = new ContainerTermination("app", ContainerRole.APP, 143,
                Duration.ZERO, Duration.ofMillis(300), false, List.of());
        PodTermination termination = new PodTermination(DELETED, SidecarKind.NONE,
                Duration.ofSeconds(30), app, null, InboundLoadResult.empty(), List.of());
        assertThat(termination.sidecar()).isEmpty();
        assertThat(termination.podEnd()).isEqualTo(Duration.ofMillis(300));
        assertThat(termination.toString())
                .isEqualTo("PodTermination{sidecarKind=NONE, app=exit 143 at 300 ms, podEnd=300 ms}");
    }

    @Test
    void inboundResultCountsEveryOutcome() {
        InboundLoadResult result = new InboundLoadResult(List.of(
                request(InboundOutcome.OK, 200), request(InboundOutcome.OK, 200),
                request(InboundOutcome.HTTP_ERROR, 503), request(InboundOutcome.CONNECTION_REFUSED, 0)));
        assertThat(result.total()).isEqualTo(4);
        assertThat(result.failures()).isEqualTo(2);
        assertThat(result.count(InboundOutcome.TIMEOUT)).isZero();
        assertThat(result.counts()).containsEntry(InboundOutcome.OK, 2L)
                .containsEntry(InboundOutcome.CONNECTION_RESET, 0L).hasSize(6);
        assertThat(result.statusCounts()).containsExactly(
                java.util.Map.entry(200, 2L), java.util.Map.entry(503, 1L));
        assertThat(result.summary()).isEqualTo("4 requests: OK=2 HTTP_ERROR=1 CONNECTION_REFUSED=1 "
                + "CONNECTION_RESET=0 TIMEOUT=0 OTHER_ERROR=0 statuses={200=2, 503=1}");
    }

    private static InboundRequest request(InboundOutcome outcome, int status) {
        return new InboundRequest(0, Duration.ZERO, Duration.ofMillis(1), outcome, status, "");
    }
}
