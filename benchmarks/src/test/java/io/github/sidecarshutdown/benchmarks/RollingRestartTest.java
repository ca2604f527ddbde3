package io.github.sidecarshutdown.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Rollouts of Pods that are real loopback HTTP servers, behind the real load balancer and clients. On a busy machine
 * any thread may stall for a while (a client between picking a Pod and connecting to it, the kubelet's thread before it
 * stops a deleted Pod): the margins below are wide enough for that, and a rollout whose clients were starved of what
 * a verdict needs runs again, at most {@value #ATTEMPTS} times, then fails saying it was inconclusive.
 */
class RollingRestartTest {

    private static final Duration LAG = Duration.ofMillis(300);
    /** How long a Pod "that serves past the lag" keeps serving after its deletion: the lag and room for stalls. */
    private static final Duration SERVES_PAST_LAG = LAG.plusSeconds(2);
    static final int ATTEMPTS = 3;

    /** Counts Pods started and not yet deleted, and Pods closed, across one rollout. */
    private static final class Fleet implements RollingRestart.ReplicaFactory {
        /** A new fleet per attempt. */
        interface Maker {
            Fleet make();
        }

        final Duration servesAfterDeletion;
        final Duration startTime;
        final AtomicInteger live = new AtomicInteger();
        final AtomicInteger mostLive = new AtomicInteger();
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        volatile String failing = "";

        Fleet(Duration servesAfterDeletion, Duration startTime) {
            this.servesAfterDeletion = servesAfterDeletion;
            this.startTime = startTime;
        }

        @Override
        public RollingRestart.Replica start(String name) throws Exception {
            mostLive.accumulateAndGet(live.incrementAndGet(), Math::max);
            Thread.sleep(startTime.toMillis());
            if (name.equals(failing)) {
                throw new IOException("image pull failed");
            }
            started.incrementAndGet();
            return new ServerPod(this);
        }
    }

    /** A Pod that serves {@code /hello} and, once deleted, keeps serving for a while, then stops and "delivers" 2 calls. */
    private static final class ServerPod implements RollingRestart.Replica {
        private final Fleet fleet;
        private final HttpServer server;
        private final AtomicInteger closes = new AtomicInteger();

        ServerPod(Fleet fleet) throws IOException {
            this.fleet = fleet;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            server.createContext("/hello", exchange -> {
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        }

        @Override
        public int port() {
            return server.getAddress().getPort();
        }

        @Override
        public RollingRestart.Ended delete() throws Exception {
            fleet.live.decrementAndGet();
            Thread.sleep(fleet.servesAfterDeletion.toMillis());
            close();
            return new RollingRestart.Ended(2, 2);
        }

        @Override
        public void close() {
            if (closes.getAndIncrement() == 0) {
                server.stop(0);
                fleet.closed.incrementAndGet();
            }
        }
    }

    /** Requests time out only when a Pod hangs, which none does here: generous, so that a stalled client does not. */
    private static RollingRestart.Settings settings(int replicas) {
        return new RollingRestart.Settings(RollingUpdate.kubernetesDefaults(replicas), LAG, 10, Duration.ofMillis(10),
                Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofSeconds(60));
    }

    /** One rollout per attempt, until {@code inconclusive} finds nothing wrong with the run's own preconditions. */
    private static RollingRestart.Result conclusive(Fleet.Maker fleet, Function<RollingRestart.Result, Optional<String>> inconclusive)
            throws Exception {
        List<String> reasons = new ArrayList<>();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            RollingRestart.Result r = RollingRestart.run(settings(4), fleet.make());
            Optional<String> why = inconclusive.apply(r);
            if (why.isEmpty()) {
                return r;
            }
            reasons.add("run " + attempt + ": " + why.get());
            System.out.println("INCONCLUSIVE rollout run " + attempt + " of " + ATTEMPTS + ": " + why.get());
        }
        throw new AssertionError("Inconclusive, not a verdict: " + ATTEMPTS + " rollouts on a machine too starved for the "
                + "test's own preconditions:\n  " + String.join("\n  ", reasons));
    }

    @Test
    void podsThatServePastTheLagLoseNothingAndEveryCallIsCounted() throws Exception {
        Fleet[] last = new Fleet[1];
        // "loses nothing" needs traffic to the Pods being replaced: at least 100 requests in all, some to an old Pod
        // after its deletion
        RollingRestart.Result r = conclusive(() -> last[0] = new Fleet(SERVES_PAST_LAG, Duration.ofMillis(50)), run -> {
            long toDeleted = run.requests().stream().filter(q -> run.oldPods().stream()
                    .anyMatch(p -> p.pod().equals(q.pod()) && q.sentAtMs() > p.deletedAtMs())).count();
            return run.requests().size() > 100 && toDeleted > 0 ? Optional.empty()
                    : Optional.of(run.requests().size() + " requests, " + toDeleted + " of them to a deleted Pod");
        });
        Fleet fleet = last[0];

        assertThat(r.failed()).as("failed requests: %s", r.requests().stream().filter(q -> !q.ok()).limit(3).toList()).isZero();
        assertThat(r.requests()).anyMatch(q -> q.pod().startsWith("old-")).anyMatch(q -> q.pod().startsWith("new-"));
        assertThat(r.cleanupSent()).isEqualTo(8);
        assertThat(r.cleanupDelivered()).isEqualTo(8);
        for (RollingRestart.Kind kind : RollingRestart.Kind.values()) {
            assertThat(r.events()).filteredOn(e -> e.kind() == kind).hasSize(4);
        }
        long lastEnd = r.oldPods().stream().mapToLong(RollingRestart.OldPod::endedAtMs).max().orElseThrow();
        assertThat(r.rolloutMs()).isEqualTo(lastEnd).isGreaterThanOrEqualTo(SERVES_PAST_LAG.toMillis());
        // Measured by the Pods themselves: never more than replicas + maxSurge (4 + 1) started and not deleted.
        assertThat(fleet.mostLive.get()).isLessThanOrEqualTo(5);
        assertThat(r.mostPods()).isEqualTo(5);
        assertThat(r.fewestAvailable()).isGreaterThanOrEqualTo(3);
        assertThat(fleet.closed.get()).isEqualTo(8);
    }

    @Test
    void podsThatStopServingAtDeletionLoseRequestsWhileTheLoadBalancerStillRoutesToThem() throws Exception {
        // New Pods take longer to start than the lag: the first old Pod is gone well before the next one is deleted.
        // The verdict needs a request the load balancer sent to a Pod that had already ended (its server closed): a
        // starved kubelet thread may close a Pod only after the lag, and then there is none.
        RollingRestart.Result r = conclusive(() -> new Fleet(Duration.ZERO, LAG.plusMillis(200)), run -> {
            long afterEnd = run.requests().stream().filter(q -> sentAfterItsPodEnded(run, q)).count();
            return afterEnd > 0 ? Optional.empty() : Optional.of("no request was routed to a deleted Pod after it ended "
                    + "(Pods deleted at, ended at: " + run.oldPods().stream().map(p -> p.deletedAtMs() + "/" + p.endedAtMs())
                    .toList() + " ms)");
        });

        List<RollingRestart.Request> failed = r.requests().stream().filter(q -> !q.ok()).toList();
        // Not only requests already under way at the deletion: the load balancer kept sending for the lag, to a Pod
        // that no longer served, and every such request failed.
        assertThat(r.requests()).filteredOn(q -> sentAfterItsPodEnded(r, q)).isNotEmpty().noneMatch(RollingRestart.Request::ok);
        for (RollingRestart.Request q : failed) {
            RollingRestart.OldPod pod = r.oldPods().stream().filter(p -> p.pod().equals(q.pod())).findFirst().orElseThrow(
                    () -> new AssertionError("a request to a Pod that was not deleted failed: " + q));
            // Still under way at the Pod's deletion or sent after it, and sent before the load balancer forgot the Pod
            // (its clock read comes before the pick; +1 ms for the rounding to ms).
            assertThat(q.endedAtMs()).as("%s", q).isGreaterThanOrEqualTo(pod.deletedAtMs());
            assertThat(q.sentAtMs()).as("%s", q).isLessThanOrEqualTo(pod.deletedAtMs() + LAG.toMillis() + 1);
        }
    }

    /** Sent to an old Pod after it had ended (its server closed before the end was recorded; +1 ms for the rounding). */
    private static boolean sentAfterItsPodEnded(RollingRestart.Result r, RollingRestart.Request q) {
        return r.oldPods().stream().anyMatch(p -> p.pod().equals(q.pod()) && q.sentAtMs() > p.endedAtMs() + 1);
    }

    @Test
    void aPodThatCannotStartFailsTheRolloutNamingItAndNothingIsLeftRunning() {
        Fleet fleet = new Fleet(Duration.ZERO, Duration.ofMillis(50));
        fleet.failing = "new-2";
        assertThatThrownBy(() -> RollingRestart.run(settings(4), fleet)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("starting new-2 failed: image pull failed");
        assertThat(fleet.closed.get()).isEqualTo(fleet.started.get());
    }
}
