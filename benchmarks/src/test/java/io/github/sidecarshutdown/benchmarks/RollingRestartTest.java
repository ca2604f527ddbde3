package io.github.sidecarshutdown.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Rollouts of Pods that are real loopback HTTP servers, behind the real load balancer and clients. */
class RollingRestartTest {

    private static final Duration LAG = Duration.ofMillis(300);

    /** Counts Pods started and not yet deleted, and Pods closed, across one rollout. */
    private static final class Fleet implements RollingRestart.ReplicaFactory {
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

    private static RollingRestart.Settings settings(int replicas) {
        return new RollingRestart.Settings(RollingUpdate.kubernetesDefaults(replicas), LAG, 10, Duration.ofMillis(10),
                Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(30));
    }

    @Test
    void podsThatServePastTheLagLoseNothingAndEveryCallIsCounted() throws Exception {
        Fleet fleet = new Fleet(LAG.plusMillis(300), Duration.ofMillis(50));
        RollingRestart.Result r = RollingRestart.run(settings(4), fleet);

        assertThat(r.failed()).as("failed requests: %s", r.requests().stream().filter(q -> !q.ok()).limit(3).toList()).isZero();
        assertThat(r.requests()).hasSizeGreaterThan(100);
        assertThat(r.requests()).anyMatch(q -> q.pod().startsWith("old-")).anyMatch(q -> q.pod().startsWith("new-"));
        assertThat(r.cleanupSent()).isEqualTo(8);
        assertThat(r.cleanupDelivered()).isEqualTo(8);
        for (RollingRestart.Kind kind : RollingRestart.Kind.values()) {
            assertThat(r.events()).filteredOn(e -> e.kind() == kind).hasSize(4);
        }
        long lastEnd = r.oldPods().stream().mapToLong(RollingRestart.OldPod::endedAtMs).max().orElseThrow();
        assertThat(r.rolloutMs()).isEqualTo(lastEnd).isGreaterThanOrEqualTo(600);
        // Measured by the Pods themselves: never more than replicas + maxSurge (4 + 1) started and not deleted.
        assertThat(fleet.mostLive.get()).isLessThanOrEqualTo(5);
        assertThat(r.mostPods()).isEqualTo(5);
        assertThat(r.fewestAvailable()).isGreaterThanOrEqualTo(3);
        assertThat(fleet.closed.get()).isEqualTo(8);
    }

    @Test
    void podsThatStopServingAtDeletionLoseRequestsWhileTheLoadBalancerStillRoutesToThem() throws Exception {
        // New Pods take longer to start than the lag: the first old Pod is gone well before the next one is deleted.
        RollingRestart.Result r = RollingRestart.run(settings(4), new Fleet(Duration.ZERO, LAG.plusMillis(200)));

        List<RollingRestart.Request> failed = r.requests().stream().filter(q -> !q.ok()).toList();
        assertThat(failed).isNotEmpty();
        // Not only requests already under way at the deletion: the load balancer kept sending for the lag.
        assertThat(failed).anySatisfy(q -> assertThat(q.sentAtMs() - r.oldPods().stream().filter(p -> p.pod().equals(q.pod()))
                .findFirst().orElseThrow().deletedAtMs()).isGreaterThan(LAG.toMillis() / 2));
        for (RollingRestart.Request q : failed) {
            RollingRestart.OldPod pod = r.oldPods().stream().filter(p -> p.pod().equals(q.pod())).findFirst().orElseThrow(
                    () -> new AssertionError("a request to a Pod that was not deleted failed: " + q));
            // Sent after the Pod's deletion, before the load balancer forgot it (a small margin for the clock reads).
            assertThat(q.sentAtMs()).isBetween(pod.deletedAtMs() - 5, pod.deletedAtMs() + LAG.toMillis() + 5);
        }
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
