package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the report and the plan say is true and safe to log (spec items 8 and 9): a phase's outcome
 * reflects its tasks, and text a sidecar sends cannot forge a log line.
 */
@Timeout(60)
class ReportTruthTest {

    private final CountDownLatch never = new CountDownLatch(1);
    private WireMockServer admin;

    @AfterEach
    void cleanUp() {
        never.countDown();
        if (admin != null) {
            admin.stop();
        }
    }

    private static ShutdownCoordinatorBuilder noSidecar() {
        return ShutdownCoordinator.builder()
                .fromEnvironment(Map.of())
                .runtimeHooks(new RecordingHooks())
                .gracePeriod(Duration.ofSeconds(4))
                .safetyMargin(Duration.ofSeconds(1))
                .propagationDelay(Duration.ZERO)
                .drainTimeout(Duration.ofMillis(100))
                .taskTimeout(Duration.ofSeconds(1))
                .sidecarMode(SidecarMode.NONE);
    }

    // ---- item 8: a phase's outcome reflects its tasks ----

    enum CleanupTask { SUCCEEDS, THROWS, TIMES_OUT }

    @ParameterizedTest
    @EnumSource(CleanupTask.class)
    void theCleanupPhaseOutcomeReflectsItsTask(CleanupTask kind) {
        ShutdownAction action = switch (kind) {
            case SUCCEEDS -> ctx -> { };
            case THROWS -> ctx -> {
                throw new IllegalStateException("downstream said no");
            };
            case TIMES_OUT -> ctx -> never.await();
        };
        ShutdownCoordinator c = noSidecar()
                .task(ShutdownTask.builder("cleanup-task", action).timeout(Duration.ofMillis(200)).build())
                .build();

        ShutdownReport report = c.shutdown();

        assertThat(report.complete()).as(report.summaryLine()).isTrue();
        TaskOutcome expected = switch (kind) {
            case SUCCEEDS -> TaskOutcome.SUCCEEDED;
            case THROWS -> TaskOutcome.FAILED;
            case TIMES_OUT -> TaskOutcome.TIMED_OUT;
        };
        assertThat(report.task("cleanup-task").orElseThrow().outcome()).as(report.summaryLine()).isEqualTo(expected);
        assertThat(report.phase(ShutdownPhase.CLEANUP).orElseThrow().outcome()).as(report.summaryLine()).isEqualTo(expected);
    }

    // ---- item 9: sidecar strings cannot forge log lines ----

    private static final Pattern FORGED = Pattern.compile("[\\r\\n\\u0085\\u2028\\u2029]FAKE");

    @Test
    void aVersionWithANewlineCannotForgeALineInThePlanOrTheSummary() {
        String serverInfo = "{\"state\":\"LIVE\",\"version\":\"abc/1.34.2/Clean/RELEASE/BoringSSL\","
                + "\"node\":{\"metadata\":{\"ISTIO_VERSION\":\"1.26.2\\nFAKE LOG LINE\","
                + "\"PROXY_CONFIG\":{\"terminationDrainDuration\":\"20s\"}}}}";
        admin = TruthFixtures.wiremock();
        TruthFixtures.stubLiveIstioAdmin(admin, serverInfo);
        ShutdownCoordinator c = noSidecar()
                .sidecarMode(SidecarMode.AUTO)
                .adminTimeout(Duration.ofMillis(500))
                .adminUrl(URI.create(admin.baseUrl()))
                .agentUrl(URI.create(TruthFixtures.refusedUrl()))
                .linkerdAdminUrl(URI.create(TruthFixtures.refusedUrl()))
                .daprUrl(URI.create(TruthFixtures.refusedUrl()))
                .task("notify", ctx -> { })
                .build();

        String plan = c.plan().render();
        String summary = c.shutdown().summaryLine();

        assertThat(plan).as("the sidecar's version really reached the plan").contains("1.26.2");
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(FORGED.matcher(plan).find()).as("plan:%n%s", plan).isFalse();
            soft.assertThat(FORGED.matcher(summary).find()).as("summary:%n%s", summary).isFalse();
        });
    }
}
