package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.sidecarshutdown.ScriptedLoopbackServer.Reply;
import io.github.sidecarshutdown.internal.engine.SequenceRun;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Spec item 10: generated runs against real loopback sidecars (Istio admin + pilot-agent, Linkerd
 * admin, daprd) whose behaviour is drawn per run (answer, refuse, hang, answer 0-50 ms late, answer
 * then die), an admin timeout drawn from {1, 2, 5, 50} ms, and 1-3 coordinators sharing the
 * sidecar. Every run must keep: every report complete, every task exactly one outcome, every
 * coordinator done by its budget + 1 s, at most one release call in total, and none unless the
 * sidecar's readiness answered 200 before shutdown and refused or said 503 at shutdown.
 *
 * <p>The seed is printed; rerun with {@code -Drandomized.seed=N} (and {@code -Dtruth.runs=N}); a
 * failure names its run's own seed, replayed alone with {@code -Drandomized.run=S}; {@code -Dtruth.kinds=ISTIO}
 * draws only that sidecar kind.
 */
class RandomizedSidecarTruthIT {

    private static final int RUNS = Integer.getInteger("truth.runs", 100);
    private static final long SEED = Long.getLong("randomized.seed", 0x51DE_CA12L);
    private static final Long ONLY_RUN = Long.getLong("randomized.run");
    private static final long[] ADMIN_TIMEOUTS_MS = {1, 2, 5, 50};
    /** Restricts the sidecar kinds drawn (e.g. {@code -Dtruth.kinds=ISTIO}), to chase one kind's failures. */
    private static final List<Kind> KINDS = java.util.Arrays.stream(System.getProperty("truth.kinds", "ISTIO,LINKERD,DAPR")
            .split(",")).map(String::strip).map(Kind::valueOf).toList();

    /** How a server behaves. */
    enum Behaviour { ANSWER, REFUSE, HANG, LATE, ANSWER_THEN_DIE }

    /** What the sidecar's readiness endpoint says once the Pod is being deleted. */
    enum AtShutdown { STILL_READY, REFUSED, NOT_READY_503, HANG, LATE_READY }

    enum Kind { ISTIO, LINKERD, DAPR }

    @Test
    @Timeout(180)
    void everyGeneratedRunKeepsTheSidecarTruths() throws Exception {
        System.out.println("RandomizedSidecarTruthIT seed=" + SEED + " runs=" + RUNS + " (rerun with -Drandomized.seed=" + SEED + ")");
        Random master = new Random(SEED);
        int releases = 0;
        for (int i = 0; i < RUNS; i++) {
            long runSeed = master.nextLong();
            if (ONLY_RUN != null && !ONLY_RUN.equals(runSeed)) {
                continue;
            }
            try (Run run = new Run(i, runSeed)) {
                releases += run.execute();
            }
        }
        System.out.println("RandomizedSidecarTruthIT " + RUNS + " runs, " + releases + " released");
    }

    /** One generated scenario. */
    private static final class Run implements AutoCloseable {
        final int index;
        final long seed;
        final Random r;
        final StringBuilder scenario = new StringBuilder();
        final List<ScriptedLoopbackServer> servers = new ArrayList<>();
        final AtomicBoolean shuttingDown = new AtomicBoolean();
        final AtomicInteger readyAnswered200 = new AtomicInteger();
        Kind kind;
        AtShutdown atShutdown;
        int lateAtShutdown;

        Run(int index, long seed) {
            this.index = index;
            this.seed = seed;
            this.r = new Random(seed);
        }

        private String where() {
            return "run " + index + " (seed " + seed + "):" + scenario;
        }

        /** A server behaving as drawn; {@code ready} answers its readiness path (and {@code release} its release path). */
        private ScriptedLoopbackServer server(String name, Behaviour b, Function<String, Reply> answers) throws IOException {
            int late = r.nextInt(51);
            int dieAfter = 1 + r.nextInt(6);
            scenario.append(' ').append(name).append('=').append(b)
                    .append(b == Behaviour.LATE ? "(" + late + "ms)" : b == Behaviour.ANSWER_THEN_DIE ? "(" + dieAfter + ")" : "");
            AtomicInteger served = new AtomicInteger();
            ScriptedLoopbackServer[] self = new ScriptedLoopbackServer[1];
            ScriptedLoopbackServer s = new ScriptedLoopbackServer(req -> {
                switch (b) {
                    case HANG:
                        return Reply.hang();
                    case LATE:
                        return answers.apply(req).after(late);
                    case ANSWER_THEN_DIE:
                        if (served.incrementAndGet() > dieAfter) {
                            self[0].die();
                            return Reply.close();
                        }
                        return answers.apply(req);
                    default:
                        return answers.apply(req);
                }
            });
            self[0] = s;
            servers.add(s);
            if (b == Behaviour.REFUSE) {
                s.die();
            }
            return s;
        }

        private Behaviour behaviour() {
            return Behaviour.values()[r.nextInt(Behaviour.values().length)];
        }

        /** The readiness answer: 200 before shutdown; at shutdown as drawn. */
        private Reply readiness(int readyStatus, String readyBody, int notReadyStatus, ScriptedLoopbackServer[] self) {
            if (!shuttingDown.get()) {
                readyAnswered200.incrementAndGet();
                return Reply.of(readyStatus, readyBody);
            }
            switch (atShutdown) {
                case REFUSED:
                    self[0].die();
                    return Reply.close();
                case NOT_READY_503:
                    return Reply.of(notReadyStatus, "not ready\n");
                case HANG:
                    return Reply.hang();
                case LATE_READY:
                    return Reply.of(readyStatus, readyBody).after(lateAtShutdown);
                default:
                    return Reply.of(readyStatus, readyBody);
            }
        }

        int execute() throws Exception {
            Kind drawn = Kind.values()[r.nextInt(Kind.values().length)];
            kind = KINDS.contains(drawn) ? drawn : KINDS.get(drawn.ordinal() % KINDS.size());
            atShutdown = AtShutdown.values()[r.nextInt(AtShutdown.values().length)];
            lateAtShutdown = r.nextInt(51);
            boolean auto = r.nextBoolean();
            Duration adminTimeout = Duration.ofMillis(ADMIN_TIMEOUTS_MS[r.nextInt(ADMIN_TIMEOUTS_MS.length)]);
            Duration grace = Duration.ofMillis(1_500 + r.nextInt(1_001));
            Duration margin = Duration.ofMillis(500);
            Duration budget = grace.minus(margin);
            scenario.append(" kind=").append(kind).append(" auto=").append(auto).append(" adminTimeout=")
                    .append(adminTimeout.toMillis()).append("ms grace=").append(grace.toMillis()).append("ms atShutdown=")
                    .append(atShutdown);

            String admin = TruthFixtures.refusedUrl();
            String agent = TruthFixtures.refusedUrl();
            String linkerd = TruthFixtures.refusedUrl();
            String dapr = TruthFixtures.refusedUrl();
            ScriptedLoopbackServer[] readySelf = new ScriptedLoopbackServer[1];
            switch (kind) {
                case ISTIO -> {
                    admin = server("admin", behaviour(), req -> {
                        if (req.startsWith("GET /server_info")) {
                            return Reply.json(200, TruthFixtures.ISTIO_SERVER_INFO);
                        }
                        if (req.startsWith("GET /ready")) {
                            return Reply.of(200, "LIVE\n");
                        }
                        return Reply.of(200, "OK\n");
                    }).url();
                    // pilot-agent answers as its readiness says; only its shutdown behaviour is drawn
                    ScriptedLoopbackServer a = server("agent", Behaviour.ANSWER,
                            req -> readiness(200, "", 503, readySelf));
                    readySelf[0] = a;
                    agent = a.url();
                }
                case LINKERD -> {
                    Behaviour b = behaviour();
                    ScriptedLoopbackServer l = server("linkerd", b, req -> {
                        if (req.startsWith("GET /ready")) {
                            return readiness(200, "ready\n", 503, readySelf);
                        }
                        if (req.startsWith("GET /live")) {
                            return Reply.of(200, "live\n");
                        }
                        if (req.startsWith("POST /shutdown")) {
                            return Reply.of(200, "shutdown\n");
                        }
                        return Reply.of(404, "not found\n");
                    });
                    readySelf[0] = l;
                    linkerd = l.url();
                }
                case DAPR -> {
                    Behaviour b = behaviour();
                    ScriptedLoopbackServer d = server("daprd", b, req -> {
                        if (req.startsWith("GET /v1.0/healthz")) {
                            return readiness(204, "", 500, readySelf);
                        }
                        if (req.startsWith("GET /v1.0/metadata")) {
                            return Reply.json(200, "{\"id\":\"app\",\"runtimeVersion\":\"1.16.0\"}");
                        }
                        if (req.startsWith("POST /v1.0/shutdown")) {
                            return Reply.of(204, "");
                        }
                        return Reply.of(404, "");
                    });
                    readySelf[0] = d;
                    dapr = d.url();
                }
                default -> throw new IllegalStateException();
            }
            SidecarMode mode = auto ? SidecarMode.AUTO : SidecarMode.of(kind.name());

            int coordinators = 1 + r.nextInt(3);
            scenario.append(" coordinators=").append(coordinators);
            List<ShutdownCoordinator> cs = new ArrayList<>();
            for (int c = 0; c < coordinators; c++) {
                ShutdownCoordinatorBuilder b = RefusedSidecarUrls.everywhere(ShutdownCoordinator.builder()
                        .fromEnvironment(Map.of()))
                        .runtimeHooks(new RecordingHooks())
                        .gracePeriod(grace)
                        .safetyMargin(margin)
                        .propagationDelay(Duration.ZERO)
                        .drainTimeout(Duration.ofMillis(50))
                        .taskTimeout(Duration.ofMillis(300))
                        .minimumTaskWindow(Duration.ZERO)
                        .adminTimeout(adminTimeout)
                        .startupWait(Duration.ofMillis(150))
                        .sidecarMode(mode)
                        .adminUrl(URI.create(admin))
                        .agentUrl(URI.create(agent))
                        .linkerdAdminUrl(URI.create(linkerd))
                        .daprUrl(URI.create(dapr));
                int tasks = r.nextInt(5);
                for (int t = 0; t < tasks; t++) {
                    int kindOfTask = r.nextInt(4);
                    int ms = r.nextInt(40);
                    scenario.append(" c").append(c).append("t").append(t).append('=')
                            .append(kindOfTask == 0 ? "throws" : "works " + ms + "ms");
                    b.task("c" + c + "-t" + t, ctx -> {
                        Thread.sleep(ms);
                        if (kindOfTask == 0) {
                            throw new IllegalStateException("downstream said no");
                        }
                    });
                }
                cs.add(b.build());
            }

            // startup: each coordinator waits (bounded) for its sidecar
            for (ShutdownCoordinator c : cs) {
                bounded(Duration.ofSeconds(3), "awaitSidecarReady(150ms)", () -> c.awaitSidecarReady(Duration.ofMillis(150)));
            }
            boolean readyBefore = readyAnswered200.get() > 0;
            scenario.append(" readyBefore=").append(readyBefore);

            // the Pod is deleted: the sidecar's readiness changes, and every coordinator shuts down at once
            shuttingDown.set(true);
            if (atShutdown == AtShutdown.REFUSED && readySelf[0] != null) {
                readySelf[0].die();
            }
            List<CompletableFuture<ShutdownReport>> futures = new ArrayList<>();
            long[] started = new long[cs.size()];
            long[] ended = new long[cs.size()];
            for (int c = 0; c < cs.size(); c++) {
                int k = c;
                started[c] = System.nanoTime();
                futures.add(cs.get(c).shutdownAsync().whenComplete((rep, e) -> ended[k] = System.nanoTime()));
            }
            for (int c = 0; c < cs.size(); c++) {
                ShutdownReport report;
                try {
                    report = futures.get(c).get(budget.plus(SequenceRun.OVERRUN_BOUND).toMillis() + 2_000, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    return fail("%s%n  coordinator %d had not completed its report after budget + 3 s", where(), c);
                }
                String w = where() + "\n  coordinator " + c + ": " + report.summaryLine();
                assertThat(report.complete()).as(w).isTrue();
                assertThat(Duration.ofNanos(ended[c] - started[c])).as(w)
                        .isLessThanOrEqualTo(budget.plus(SequenceRun.OVERRUN_BOUND).plusMillis(300));
                assertThat(report.tasks()).as(w).extracting(TaskResult::name)
                        .containsExactlyInAnyOrderElementsOf(cs.get(c).tasks().stream().map(ShutdownTask::name).toList());
            }

            // the sidecar was told to exit at most once, and only when it was seen ready, then terminating
            List<String> releaseCalls = new ArrayList<>();
            for (ScriptedLoopbackServer s : servers) {
                s.requests.stream().filter(q -> q.startsWith("POST /quitquitquit") || q.startsWith("POST /shutdown")
                        || q.startsWith("POST /v1.0/shutdown")).forEach(releaseCalls::add);
            }
            String w = where() + "\n  release calls " + releaseCalls + "\n  requests " + servers.stream()
                    .map(s -> s.requests.toString()).toList();
            assertThat(releaseCalls).as(w).hasSizeLessThanOrEqualTo(1);
            if (!releaseCalls.isEmpty()) {
                assertThat(readyBefore).as("released a sidecar never seen ready; " + w).isTrue();
                assertThat(atShutdown).as("released a sidecar not seen terminating; " + w)
                        .isIn(AtShutdown.REFUSED, AtShutdown.NOT_READY_503);
            }
            return releaseCalls.size();
        }

        private void bounded(Duration bound, String what, java.util.concurrent.Callable<?> call) throws Exception {
            CompletableFuture<Object> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    f.complete(call.call());
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            }, "truth-bounded");
            t.setDaemon(true);
            t.start();
            try {
                f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                t.interrupt();
                throw new AssertionError(where() + "\n  " + what + " had not returned after " + bound.toMillis() + " ms");
            }
        }

        @Override
        public void close() throws IOException {
            for (ScriptedLoopbackServer s : servers) {
                s.close();
            }
        }
    }
}
