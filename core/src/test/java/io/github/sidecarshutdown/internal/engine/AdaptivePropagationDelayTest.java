package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.InFlightTracker;
import io.github.sidecarshutdown.ScriptedLoopbackServer;
import io.github.sidecarshutdown.ScriptedLoopbackServer.Reply;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownSettings;

import static org.assertj.core.api.Assertions.assertThat;


import io.github.sidecarshutdown.envoy.EnvoyAdminClient;
import io.github.sidecarshutdown.istio.EnvoySidecar;
import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongFunction;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The adaptive propagation delay against a real loopback server playing Envoy's {@code GET /stats}
 * (docs/timeline.md, "When the delay ends early"): the delay ends after the quiet time only on
 * evidence of silence from the sidecar's inbound counter and the app's tracker, holds while either
 * moves (backwards too), treats a sidecar that stops answering as activity, and never outlasts its
 * configured maximum or the sequence's deadline.
 */
class AdaptivePropagationDelayTest {

    /** Real time: the admin is a real socket. Deadline checks allow this much for scheduling. */
    private static final Duration SLACK = Duration.ofMillis(400);

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    /** A /stats body in Envoy's text form, with the inbound counters and stats that must not count. */
    static String statsBody(long requests) {
        return "http.inbound_0.0.0.0_8080;.downstream_rq_total: " + requests + "\n"
                + "http.inbound_0.0.0.0_8080;.downstream_rq_active: 3\n"
                + "http.outbound_0.0.0.0_8080;.downstream_rq_total: 999\n"
                + "listener.0.0.0.0_15006.downstream_cx_total: 2\n"
                + "listener.0.0.0.0_15006.worker_0.downstream_cx_total: 2\n"
                + "listener.0.0.0.0_15021.downstream_cx_total: 77\n"
                + "listener.admin.downstream_cx_total: 55\n";
    }

    /** An admin whose /stats answers {@code body(ms since start)}; every other path 404. */
    private ScriptedLoopbackServer admin(LongFunction<Reply> stats) throws Exception {
        long start = System.nanoTime();
        ScriptedLoopbackServer s = new ScriptedLoopbackServer(r -> r.startsWith("GET /stats")
                ? stats.apply((System.nanoTime() - start) / 1_000_000) : Reply.of(404, ""));
        closeables.add(s);
        return s;
    }

    private EnvoySidecar envoy(ScriptedLoopbackServer admin) {
        EnvoyAdminClient client = EnvoyAdminClient.builder().adminUrl(URI.create(admin.url()))
                .agentUrl(URI.create(admin.url())).callTimeout(Duration.ofSeconds(2)).build();
        closeables.add(client);
        return new EnvoySidecar(client, SidecarMode.ISTIO, Duration.ofSeconds(5));
    }

    private static ShutdownSettings settings(Duration max, Duration quiet) {
        return ShutdownCoordinator.builder().fromEnvironment(Map.of()).propagationDelay(max).quietPeriod(quiet)
                .adminTimeout(Duration.ofMillis(300)).settings();
    }

    /** Runs the delay under a deadline of {@code budget}; returns what it said and how long it took. */
    private static Ran run(Sidecar sidecar, InFlightTracker tracker, Duration max, Duration quiet, Duration budget)
            throws InterruptedException {
        PropagationDelay delay = new PropagationDelay(settings(max, quiet), tracker, sidecar, TimeSource.system());
        long start = System.nanoTime();
        PhaseOutcome outcome = delay.run(Deadline.after(TimeSource.system(), budget), SidecarMode.ISTIO, SidecarState.LIVE);
        return new Ran(outcome.detail(), Duration.ofNanos(System.nanoTime() - start));
    }

    record Ran(@Nullable String detail, Duration elapsed) {
    }

    // ---- the sidecar's counter ----

    @Test
    void envoyCountsOnlyTheInboundCountersOfItsOwnStats() throws Exception {
        ScriptedLoopbackServer admin = admin(ms -> Reply.of(200, statsBody(40)
                + "http.inbound_0.0.0.0_9090.downstream_rq_total: 5\n"           // Istio < 1.23: no ';'
                + "http.InboundPassthroughCluster;.downstream_rq_total: 1\n"));  // ports of no Service

        OptionalLong count = envoy(admin).inboundArrivals(Duration.ofSeconds(1));

        // 40 + 5 + 1 requests, 2 connections on 15006; not the worker copy, 15021, admin or outbound
        assertThat(count).hasValue(48);
        assertThat(admin.requests).singleElement().asString().startsWith("GET /stats?filter=");
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "not-a-number", "negative", "status-500", "none-listed", "closed", "overflow"})
    void anUnreadableAnswerIsEmptyNotAnError(String kind) throws Exception {
        Reply reply = switch (kind) {
            case "garbage" -> Reply.of(200, "\u0000\u00ff<html>{{{}");
            case "not-a-number" -> Reply.of(200, "http.inbound_0.0.0.0_8080;.downstream_rq_total: lots\n");
            case "negative" -> Reply.of(200, "http.inbound_0.0.0.0_8080;.downstream_rq_total: -4\n");
            case "status-500" -> Reply.of(500, statsBody(3));
            case "none-listed" -> Reply.of(200, "server.state: 0\n"); // Istio's default stats matcher
            case "closed" -> Reply.close();
            default -> Reply.of(200, "http.inbound_0.0.0.0_1;.downstream_rq_total: " + Long.MAX_VALUE
                    + "\nhttp.inbound_0.0.0.0_2;.downstream_rq_total: 1\n");
        };
        ScriptedLoopbackServer admin = admin(ms -> reply);

        assertThat(envoy(admin).inboundArrivals(Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void aHangingAdminIsEmptyWithinTheTimeout() throws Exception {
        ScriptedLoopbackServer admin = admin(ms -> Reply.hang());

        long start = System.nanoTime();
        OptionalLong count = envoy(admin).inboundArrivals(Duration.ofMillis(200));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(count).isEmpty();
        assertThat(took).isLessThan(Duration.ofMillis(200).plus(SLACK));
    }

    // ---- the delay ----

    @Test
    void endsAfterTheQuietTimeWhenTheCounterStaysFlat() throws Exception {
        ScriptedLoopbackServer admin = admin(ms -> Reply.of(200, statsBody(10)));

        Ran ran = run(envoy(admin), new InFlightTracker(), Duration.ofSeconds(5), Duration.ofMillis(300), Duration.ofSeconds(20));

        assertThat(ran.detail()).isEqualTo("ended early: no inbound request for 300ms (sidecar counters and in-flight tracker)");
        assertThat(ran.elapsed()).isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
    }

    @Test
    void holdsWhileTheSidecarCountsRequestsTheAppsTrackerNeverSees() throws Exception {
        // requests reach the sidecar for 1.5 s (e.g. an app that never wired the tracker), then stop
        ScriptedLoopbackServer admin = admin(ms -> Reply.of(200, statsBody(Math.min(ms, 1500) / 20)));

        Ran ran = run(envoy(admin), new InFlightTracker(), Duration.ofSeconds(6), Duration.ofMillis(300), Duration.ofSeconds(20));

        assertThat(ran.detail()).startsWith("ended early");
        assertThat(ran.elapsed()).isBetween(Duration.ofMillis(1800), Duration.ofSeconds(6));
    }

    @Test
    void aCounterGoingBackwardsIsActivityNotQuiet() throws Exception {
        // Envoy restarted over and over for 1.5 s: every answer is lower than the one before
        ScriptedLoopbackServer admin = admin(ms -> Reply.of(200, statsBody(1_000_000 - Math.min(ms, 1500))));

        Ran ran = run(envoy(admin), new InFlightTracker(), Duration.ofSeconds(6), Duration.ofMillis(300), Duration.ofSeconds(20));

        assertThat(ran.detail()).startsWith("ended early");
        assertThat(ran.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(1800));
    }

    @Test
    void aSidecarThatAnsweredAndThenHangsIsNeverQuietButTheMaximumHolds() throws Exception {
        // the first call answers, every later one hangs: nothing proves silence any more (counted, not timed: on a busy
        // machine the first call may come later than any fixed time)
        java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
        ScriptedLoopbackServer admin = admin(ms -> answered.compareAndSet(false, true) ? Reply.of(200, statsBody(1)) : Reply.hang());
        Duration max = Duration.ofMillis(1500);

        Ran ran = run(envoy(admin), new InFlightTracker(), max, Duration.ofMillis(200), Duration.ofSeconds(20));

        assertThat(ran.detail()).isNull();
        assertThat(ran.elapsed()).isBetween(max, max.plus(SLACK));
    }

    @Test
    void aSidecarWithoutCountersLeavesTheRuleToTheAppsTracker() throws Exception {
        ScriptedLoopbackServer admin = admin(ms -> Reply.of(200, "server.state: 0\n"));
        InFlightTracker tracker = new InFlightTracker();
        long t0 = System.nanoTime();
        Thread client = new Thread(() -> {
            long end = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < end) {
                tracker.exit(tracker.enter());
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "test-worker-client");
        client.start();

        Ran ran = run(envoy(admin), tracker, Duration.ofSeconds(6), Duration.ofMillis(300), Duration.ofSeconds(20));
        Duration sinceClientStart = Duration.ofNanos(System.nanoTime() - t0);
        client.join(5000);

        // the last request left at >= 950 ms after t0, so quiet cannot be proven before 1250 ms
        assertThat(ran.detail()).isEqualTo("ended early: no inbound request for 300ms "
                + "(in-flight tracker; the sidecar's counters unavailable)");
        assertThat(sinceClientStart).isGreaterThanOrEqualTo(Duration.ofMillis(1250));
        assertThat(ran.elapsed()).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void neverOutlastsTheMaximumWhileRequestsKeepComing() throws Exception {
        ScriptedLoopbackServer admin = admin(ms -> Reply.of(200, statsBody(ms)));
        Duration max = Duration.ofMillis(1200);

        Ran ran = run(envoy(admin), new InFlightTracker(), max, Duration.ofMillis(200), Duration.ofSeconds(20));

        assertThat(ran.detail()).isNull();
        assertThat(ran.elapsed()).isBetween(max, max.plus(SLACK));
    }

    @Test
    void neverWaitsPastTheSequencesDeadlineEvenWithAHangingAdmin() throws Exception {
        // a slow admin (each answer after 250 ms) and a deadline shorter than the delay
        ScriptedLoopbackServer admin = admin(ms -> Reply.of(200, statsBody(ms)).after(250));
        Duration budget = Duration.ofMillis(700);

        Ran ran = run(envoy(admin), new InFlightTracker(), Duration.ofSeconds(5), Duration.ofSeconds(1), budget);

        assertThat(ran.detail()).isNull();
        assertThat(ran.elapsed()).isBetween(budget, budget.plus(SLACK));
    }
}
