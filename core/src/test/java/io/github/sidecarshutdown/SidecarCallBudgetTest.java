package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.sidecarshutdown.internal.engine.SequenceRun;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No call to the sidecar without a real, positive timeout that fits its budget (spec items 1 and 2):
 * OkHttp rounds a Duration down to whole milliseconds and takes 0 as "no timeout", so a sub-ms
 * remainder handed to it turns into a call that waits forever on a port that accepts and never
 * answers; and AUTO detection may spend at most one admin timeout per lookup.
 */
class SidecarCallBudgetTest {

    private static final Duration GRACE = Duration.ofSeconds(4);
    private static final Duration MARGIN = Duration.ofSeconds(1);
    private static final Duration BUDGET = GRACE.minus(MARGIN);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private <T extends AutoCloseable> T keep(T r) {
        resources.add(r);
        return r;
    }

    /** Envoy admin of classic Istio that answers at once (faster than Jetty, so sub-ms remainders really occur). */
    private ScriptedLoopbackServer fastIstioAdmin() throws IOException {
        return keep(new ScriptedLoopbackServer(r -> {
            if (r.startsWith("GET /server_info")) {
                return ScriptedLoopbackServer.Reply.json(200, TruthFixtures.ISTIO_SERVER_INFO);
            }
            if (r.startsWith("GET /ready")) {
                return ScriptedLoopbackServer.Reply.of(200, "LIVE\n");
            }
            return ScriptedLoopbackServer.Reply.of(200, "OK\n");
        }));
    }

    private static ShutdownCoordinatorBuilder base(SidecarMode mode, String admin, String agent, Duration adminTimeout) {
        return ShutdownCoordinator.builder()
                .fromEnvironment(Map.of())
                .runtimeHooks(new RecordingHooks())
                .gracePeriod(GRACE)
                .safetyMargin(MARGIN)
                .propagationDelay(Duration.ZERO)
                .drainTimeout(Duration.ofMillis(100))
                .taskTimeout(Duration.ofSeconds(1))
                .adminTimeout(adminTimeout)
                .sidecarMode(mode)
                .adminUrl(URI.create(admin))
                .agentUrl(URI.create(agent))
                .linkerdAdminUrl(URI.create(TruthFixtures.refusedUrl()))
                .daprUrl(URI.create(TruthFixtures.refusedUrl()));
    }

    /**
     * Runs {@code call} on its own daemon thread and fails unless it returns within {@code bound};
     * never waits much longer than that (a call that hangs forever fails the test, not the build).
     */
    private static <T> Duration returnsWithin(Duration bound, String what, Callable<T> call) throws Exception {
        CompletableFuture<Duration> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            long start = System.nanoTime();
            try {
                call.call();
                f.complete(Duration.ofNanos(System.nanoTime() - start));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "truth-timed-call");
        t.setDaemon(true);
        t.start();
        try {
            // wait a little past the bound, so the message can say how much too long it took
            Duration took = f.get(bound.toMillis() + 3_000, TimeUnit.MILLISECONDS);
            assertThat(took).as("%s took %d ms, bound %d ms", what, took.toMillis(), bound.toMillis()).isLessThanOrEqualTo(bound);
            return took;
        } catch (TimeoutException e) {
            t.interrupt();
            return fail("%s had not returned after %d ms (bound %d ms): a call without a real timeout", what,
                    bound.toMillis() + 3_000, bound.toMillis());
        } catch (ExecutionException e) {
            throw new AssertionError(what + " threw", e.getCause());
        }
    }

    // ---- item 1: a sub-millisecond remainder is never turned into "no timeout" ----

    @ParameterizedTest(name = "adminTimeout={0}ms")
    @ValueSource(ints = {1, 2, 3})
    @Timeout(30)
    void tinyAdminTimeoutsAgainstAHangingAgentStillEndTheSequenceWithinItsBudget(int adminTimeoutMs) throws Exception {
        // given Envoy admin answering at once, pilot-agent accepting and never answering, and 30
        // cleanup tasks, each guarded by a probe (admin /ready, then the agent with what is left)
        ScriptedLoopbackServer admin = fastIstioAdmin();
        RawHttpServer agent = keep(RawHttpServer.hanging());
        ShutdownCoordinatorBuilder b = base(SidecarMode.ISTIO, admin.url(), agent.url(), Duration.ofMillis(adminTimeoutMs));
        for (int i = 0; i < 30; i++) {
            b.task("cleanup-" + i, ctx -> { });
        }
        ShutdownCoordinator c = b.build();

        // when
        ShutdownReport[] report = new ShutdownReport[1];
        // (shutdown() itself gives up waiting at budget + 1 s; 300 ms slack for measuring from outside)
        returnsWithin(BUDGET.plus(SequenceRun.OVERRUN_BOUND).plusMillis(300), "shutdown()", () -> report[0] = c.shutdown());

        // then
        assertThat(admin.accepted.get()).as("the admin port was really asked").isPositive();
        assertThat(report[0].complete()).as("the sequence ended (not a snapshot taken at the deadline): %s",
                report[0].summaryLine()).isTrue();
        assertThat(report[0].elapsed()).as(report[0].summaryLine())
                .isLessThanOrEqualTo(BUDGET.plus(SequenceRun.OVERRUN_BOUND));
        assertThat(report[0].tasks()).as("every task exactly one outcome: %s", report[0].summaryLine())
                .extracting(TaskResult::name)
                .containsExactlyInAnyOrderElementsOf(c.tasks().stream().map(ShutdownTask::name).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "istio"})
    @Timeout(30)
    void awaitSidecarReadyHonoursItsOwnTimeoutNotTheAdminTimeout(SidecarMode mode) throws Exception {
        // given admin and agent that accept and never answer, and a generous admin timeout
        RawHttpServer admin = keep(RawHttpServer.hanging());
        RawHttpServer agent = keep(RawHttpServer.hanging());
        ShutdownCoordinator c = base(mode, admin.url(), agent.url(), Duration.ofSeconds(5)).build();

        // when / then: 300 ms asked, 300 ms slack
        returnsWithin(Duration.ofMillis(600), "awaitSidecarReady(300ms)", () -> c.awaitSidecarReady(Duration.ofMillis(300)));
    }

    @Test
    @Timeout(30)
    void awaitSidecarReadyWithZeroTimeoutReturnsAtOnce() throws Exception {
        RawHttpServer admin = keep(RawHttpServer.hanging());
        RawHttpServer agent = keep(RawHttpServer.hanging());
        ShutdownCoordinator c = base(SidecarMode.AUTO, admin.url(), agent.url(), Duration.ofSeconds(5)).build();

        returnsWithin(Duration.ofMillis(300), "awaitSidecarReady(0)", () -> c.awaitSidecarReady(Duration.ZERO));
    }

    // ---- item 2: auto detection costs at most one admin timeout per lookup ----

    @Test
    @Timeout(30)
    void planInAutoModeAgainstAHangingAdminCostsOneAdminTimeout() throws Exception {
        // given Envoy admin accepting and never answering, linkerd-proxy and daprd refusing
        RawHttpServer admin = keep(RawHttpServer.hanging());
        ShutdownCoordinator c = base(SidecarMode.AUTO, admin.url(), TruthFixtures.refusedUrl(), Duration.ofSeconds(1)).build();

        // when / then: plan() asks the sidecar's facts once, within one admin timeout (+400 ms)
        returnsWithin(Duration.ofMillis(1_400), "plan()", c::plan);
        assertThat(admin.accepted.get()).as("the admin port was really asked").isPositive();
    }

    @Test
    @Timeout(30)
    void factsInAutoModeHonourTheTimeoutTheyAreGiven() throws Exception {
        RawHttpServer admin = keep(RawHttpServer.hanging());
        ShutdownCoordinator c = base(SidecarMode.AUTO, admin.url(), TruthFixtures.refusedUrl(), Duration.ofSeconds(1)).build();

        returnsWithin(Duration.ofMillis(800), "sidecar().facts(500ms)", () -> c.sidecar().facts(Duration.ofMillis(500)));
    }
}
