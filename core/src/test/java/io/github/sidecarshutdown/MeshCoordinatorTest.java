package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.pod.MeshAnnotations;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole sequence beside Consul and Kuma stand-ins: cleanup is delivered through the sidecar and
 * bounded by its window, the release comes last and only on evidence (a Job's exit, or kuma-dp seen
 * terminating, which is then skipped with its reason), and an unknown sidecar is never released.
 */
@Timeout(60)
class MeshCoordinatorTest {

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

    private ShutdownCoordinatorBuilder builder(SidecarMode mode, Workload workload, Map<String, String> annotations) {
        return ShutdownCoordinator.builder()
                .fromEnvironment(Map.of())
                .runtimeHooks(new RecordingHooks())
                .gracePeriod(Duration.ofSeconds(8))
                .safetyMargin(Duration.ofSeconds(1))
                .propagationDelay(Duration.ZERO)
                .drainTimeout(Duration.ofMillis(100))
                .adminTimeout(Duration.ofMillis(500))
                .sidecarMode(mode)
                .workload(workload)
                .annotationsFile(MeshFakes.annotations(dir, annotations))
                .labelsFile(dir.resolve("no-labels"))
                .agentUrl(URI.create(TruthFixtures.refusedUrl()));
    }

    @Test
    void consulServiceCleanupIsBoundedByTheGracePeriodAndNothingIsReleased() throws Exception {
        MeshFakes.Envoy envoy = keep(new MeshFakes.Envoy(MeshFakes.CONSUL_SERVER_INFO));
        AtomicReference<Duration> given = new AtomicReference<>();
        ShutdownCoordinator c = builder(SidecarMode.CONSUL, Workload.SERVICE, Map.of(MeshAnnotations.CONSUL_GRACE_PERIOD, "2"))
                .consulAdminUrl(URI.create(envoy.url()))
                .task(ShutdownTask.builder("deregister", ctx -> {
                    given.set(ctx.remaining());
                    MeshFakes.callThrough(envoy);
                }).timeout(Duration.ofSeconds(5)).build())
                .build();
        c.awaitSidecarReady(Duration.ofSeconds(2));

        ShutdownReport report = c.shutdown();

        assertThat(report.task("deregister")).hasValueSatisfying(t -> assertThat(t.outcome()).isEqualTo(TaskOutcome.SUCCEEDED));
        assertThat(given.get()).as("the 5 s task is capped at what is left of the dataplane's 2 s grace period")
                .isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(envoy.server.requests).contains("GET /downstream")
                .noneMatch(r -> r.startsWith("POST")).as("no drain, no quit: the dataplane's SIGTERM cannot be seen");
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE)).hasValueSatisfying(p ->
                assertThat(p.detail()).contains("shows no sign of its own SIGTERM"));
    }

    @Test
    void withConsulLifecycleOffAnOutboundTaskIsSkippedNamingTheAnnotation() throws Exception {
        MeshFakes.Envoy envoy = keep(new MeshFakes.Envoy(MeshFakes.CONSUL_SERVER_INFO));
        ShutdownCoordinator c = builder(SidecarMode.CONSUL, Workload.SERVICE,
                Map.of(MeshAnnotations.CONSUL_LIFECYCLE, "false"))
                .consulAdminUrl(URI.create(envoy.url()))
                .task("deregister", ctx -> MeshFakes.callThrough(envoy))
                .build();

        ShutdownReport report = c.shutdown();

        // the dataplane quits Envoy at its own SIGTERM: no window to run the call in
        assertThat(report.task("deregister")).hasValueSatisfying(t -> {
            assertThat(t.outcome()).isEqualTo(TaskOutcome.SKIPPED);
            // the fix turns the proxy lifecycle on: the grace period annotation alone is ignored while it is off
            assertThat(t.reason()).contains(MeshAnnotations.CONSUL_LIFECYCLE + ": 'true' and " + MeshAnnotations.CONSUL_GRACE_PERIOD);
        });
        assertThat(envoy.server.requests).doesNotContain("GET /downstream");
    }

    @Test
    void consulJobReleasesLastAfterTheCleanup() throws Exception {
        MeshFakes.Envoy envoy = keep(new MeshFakes.Envoy(MeshFakes.CONSUL_SERVER_INFO));
        ShutdownCoordinator c = builder(SidecarMode.CONSUL, Workload.JOB, Map.of())
                .consulAdminUrl(URI.create(envoy.url()))
                .task("flush", ctx -> MeshFakes.callThrough(envoy))
                .build();

        ShutdownReport report = c.shutdown();

        assertThat(report.sidecarReleased()).as(report.summaryLine()).isTrue();
        assertThat(envoy.server.requests).containsSubsequence("GET /downstream", "POST /quitquitquit");
        assertThat(envoy.server.requests.get(envoy.server.requests.size() - 1)).isEqualTo("POST /quitquitquit");
    }

    @Test
    void anUnknownConsulSidecarIsNeverReleasedEvenForAJob() throws Exception {
        ScriptedLoopbackServer hanging = keep(ScriptedLoopbackServer.always(ScriptedLoopbackServer.Reply.hang()));
        ShutdownCoordinator c = builder(SidecarMode.CONSUL, Workload.JOB, Map.of())
                .consulAdminUrl(URI.create(hanging.url()))
                .adminTimeout(Duration.ofMillis(150))
                .task("flush", ctx -> { })
                .build();

        ShutdownReport report = c.shutdown();

        assertThat(report.sidecarReleased()).isFalse();
        assertThat(hanging.requestsStartingWith("POST")).isEmpty();
    }

    @Test
    void kumaTerminatingIsDrainedButNotReleasedAndCleanupIsDelivered() throws Exception {
        MeshFakes.Envoy envoy = keep(new MeshFakes.Envoy(MeshFakes.KUMA_SERVER_INFO));
        ShutdownCoordinator c = builder(SidecarMode.KUMA, Workload.SERVICE, Map.of())
                .kumaAdminUrl(URI.create(envoy.url()))
                .task("deregister", ctx -> MeshFakes.callThrough(envoy))
                .build();
        c.awaitSidecarReady(Duration.ofSeconds(2)); // LIVE seen
        envoy.ready = "DRAINING"; // the Pod's SIGTERM reached kuma-dp

        ShutdownReport report = c.shutdown();

        assertThat(report.task("deregister")).hasValueSatisfying(t -> assertThat(t.outcome()).isEqualTo(TaskOutcome.SUCCEEDED));
        assertThat(envoy.server.requests).containsSubsequence("POST /drain_listeners?inboundonly&graceful&skip_exit",
                "GET /downstream").doesNotContain("POST /quitquitquit");
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE)).hasValueSatisfying(p ->
                assertThat(p.detail()).contains("waits out its drain time"));
        // The sidecar declined the release: the summary must not claim it was released.
        assertThat(report.sidecarReleased()).as(report.summaryLine()).isFalse();
        assertThat(report.summaryLine()).contains("not released");
    }

    @Test
    void kumaJobReleasesLastAndAnUnknownKumaIsLeftAlone() throws Exception {
        MeshFakes.Envoy envoy = keep(new MeshFakes.Envoy(MeshFakes.KUMA_SERVER_INFO));
        ShutdownReport job = builder(SidecarMode.KUMA, Workload.JOB, Map.of())
                .kumaAdminUrl(URI.create(envoy.url()))
                .task("flush", ctx -> MeshFakes.callThrough(envoy))
                .build().shutdown();
        MeshFakes.Envoy neverLive = keep(new MeshFakes.Envoy(MeshFakes.KUMA_SERVER_INFO));
        neverLive.ready = "DRAINING"; // never seen LIVE: no evidence
        ShutdownReport unknown = builder(SidecarMode.KUMA, Workload.JOB, Map.of())
                .kumaAdminUrl(URI.create(neverLive.url()))
                .task("flush", ctx -> { })
                .build().shutdown();

        assertThat(job.sidecarReleased()).as(job.summaryLine()).isTrue();
        assertThat(envoy.server.requests.get(envoy.server.requests.size() - 1)).isEqualTo("POST /quitquitquit");
        assertThat(envoy.server.requests).containsSubsequence("GET /downstream", "POST /quitquitquit");
        assertThat(unknown.sidecarReleased()).isFalse();
        assertThat(neverLive.server.requestsStartingWith("POST")).isEmpty();
    }
}
