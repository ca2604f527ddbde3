package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.ScriptedLoopbackServer.Reply;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Pod's whole life (issue 20): a sidecar the Pod's annotations show injected but that does not
 * answer yet is STARTING, not absent; a Job releases its classic sidecar in every state in which it
 * exists or may still appear; only the Job controller's labels make a Job. Real loopback servers
 * stand for the sidecar; they start after the app where the case says so.
 */
class PodLifeTest {

    static final String ISTIO_STATUS = "{\\\"containers\\\":[\\\"istio-proxy\\\"],\\\"initContainers\\\":[\\\"istio-init\\\"]}";

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** Envoy's admin and pilot-agent's status port, started now or later on ports fixed in advance. */
    final class Istio {
        final int adminPort = TruthFixtures.freePort();
        final int agentPort = TruthFixtures.freePort();
        volatile MeshFakes.Envoy envoy;
        volatile ScriptedLoopbackServer agent;
        volatile int agentStatus = 200;
        volatile boolean envoyAnswered;

        URI adminUrl() {
            return URI.create("http://127.0.0.1:" + adminPort);
        }

        URI agentUrl() {
            return URI.create("http://127.0.0.1:" + agentPort);
        }

        /**
         * The agent answers (503 until Envoy runs, then {@link #agentStatus}), then Envoy answers,
         * with its {@code /ready} state: in that order, as pilot-agent starts its status server before
         * it launches Envoy (docs/sidecar-protocol.md, §4.1). The other order leaves an instant in
         * which only Envoy answers, which the library rightly takes for a moved status port, never
         * seeing the agent.
         */
        void start(String envoyReady) {
            try {
                // not ready before Envoy runs: pilot-agent asks Envoy at each readiness request, so it knows
                // Envoy runs from Envoy's first answer on, not only once the fake's constructor returned
                ScriptedLoopbackServer a = new ScriptedLoopbackServer(agentPort, r -> r.contains("/healthz/ready")
                        ? Reply.of(envoy == null && !envoyAnswered ? 503 : agentStatus, "") : Reply.of(404, ""));
                open.add(a);
                agent = a;
                MeshFakes.Envoy e = new MeshFakes.Envoy(adminPort, TruthFixtures.ISTIO_SERVER_INFO, () -> envoyAnswered = true);
                e.ready = envoyReady;
                open.add(e);
                envoy = e;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void startAfter(long millis, String envoyReady) {
            CompletableFuture.runAsync(() -> start(envoyReady), CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
        }

        /** What the Pod's SIGTERM does to pilot-agent: its status port closes, Envoy keeps answering. */
        void sigterm() {
            agent.die();
        }

        /** What the agent and Envoy were asked, in order, for a failure's message. */
        String requests() {
            ScriptedLoopbackServer a = agent;
            MeshFakes.Envoy e = envoy;
            return "agent " + (a == null ? "never started" : a.requests) + "; envoy " + (e == null ? "never started" : e.server.requests);
        }

        long quits() {
            MeshFakes.Envoy e = envoy;
            return e == null ? 0 : e.server.requestsStartingWith("POST /quitquitquit").size();
        }

        long drains() {
            MeshFakes.Envoy e = envoy;
            return e == null ? 0 : e.server.requestsStartingWith("POST /drain_listeners").size();
        }
    }

    private Path annotations(Map<String, String> a) {
        return MeshFakes.annotations(dir, a);
    }

    private Path labels(String content) {
        Path f = dir.resolve("labels");
        try {
            java.nio.file.Files.writeString(f, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    private ShutdownCoordinatorBuilder builder(Istio istio) {
        return ShutdownCoordinator.builder().fromEnvironment(Map.of())
                .adminUrl(istio.adminUrl()).agentUrl(istio.agentUrl())
                .consulAdminUrl(URI.create(TruthFixtures.refusedUrl())).consulLifecycleUrl(URI.create(TruthFixtures.refusedUrl()))
                .kumaAdminUrl(URI.create(TruthFixtures.refusedUrl())).linkerdAdminUrl(URI.create(TruthFixtures.refusedUrl()))
                .daprUrl(URI.create(TruthFixtures.refusedUrl()))
                .labelsFile(dir.resolve("no-labels"))
                .adminTimeout(Duration.ofSeconds(2)) // every stand-in answers at once or refuses: room for a loaded machine
                .gracePeriod(Duration.ofSeconds(6)).safetyMargin(Duration.ofSeconds(1));
    }

    // ---- 1. a sidecar that is still starting is not "no sidecar" ----

    @Test
    void anInjectedIstioSidecarThatDoesNotAnswerYetIsWaitedFor() throws Exception {
        // given the Pod's annotations show an injected sidecar, and Envoy listens only 800 ms after the app starts
        Istio istio = new Istio();
        ShutdownCoordinator c = builder(istio).annotationsFile(annotations(Map.of("sidecar.istio.io/status", ISTIO_STATUS)))
                .build();
        istio.startAfter(800, "LIVE");

        // when
        long start = System.nanoTime();
        SidecarReadiness r = c.awaitSidecarReady(Duration.ofSeconds(20));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        // then the app waited for the sidecar instead of going on without one
        assertThat(r).isEqualTo(SidecarReadiness.READY);
        assertThat(waited).isGreaterThanOrEqualTo(700);
        assertThat(c.readiness().isReady()).isTrue();
    }

    @Test
    void aSidecarFirstSeenAfterTheAppStartedIsReleasedLikeAnyOtherAtPodDeletion() throws Exception {
        // given the app started with an injected, not yet answering sidecar, which came up later
        Istio istio = new Istio();
        ShutdownCoordinator c = builder(istio).annotationsFile(annotations(Map.of("sidecar.istio.io/status", ISTIO_STATUS)))
                .propagationDelay(Duration.ZERO).build();
        istio.startAfter(500, "LIVE");
        assertThat(c.awaitSidecarReady(Duration.ofSeconds(20))).isEqualTo(SidecarReadiness.READY);

        // when the Pod is deleted: SIGTERM to pilot-agent and to the app
        istio.sigterm();
        ShutdownReport report = c.shutdown();

        // then it is drained and released when the app is done
        assertThat(report.sidecarReleased()).as("%s; %s", report.summaryLine(), istio.requests()).isTrue();
        assertThat(istio.quits()).isEqualTo(1);
    }

    @Test
    void injectedConsulAndKumaSidecarsThatDoNotAnswerYetAreWaitedFor() throws Exception {
        for (Map<String, String> injected : List.of(Map.of("consul.hashicorp.com/connect-inject-status", "injected"),
                Map.of("kuma.io/sidecar-injected", "true"))) {
            // given an injected Consul or Kuma sidecar whose Envoy (and Consul's lifecycle server) listen 600 ms later
            int admin = TruthFixtures.freePort();
            int lifecycle = TruthFixtures.freePort();
            boolean consul = injected.containsKey("consul.hashicorp.com/connect-inject-status");
            ShutdownCoordinator c = ShutdownCoordinator.builder().fromEnvironment(Map.of())
                    .adminUrl(URI.create(TruthFixtures.refusedUrl())).agentUrl(URI.create(TruthFixtures.refusedUrl()))
                    .consulAdminUrl(URI.create("http://127.0.0.1:" + admin)).kumaAdminUrl(URI.create("http://127.0.0.1:" + admin))
                    .consulLifecycleUrl(URI.create("http://127.0.0.1:" + lifecycle))
                    .linkerdAdminUrl(URI.create(TruthFixtures.refusedUrl())).daprUrl(URI.create(TruthFixtures.refusedUrl()))
                    .labelsFile(dir.resolve("no-labels")).adminTimeout(Duration.ofMillis(300))
                    .annotationsFile(annotations(injected)).build();
            CompletableFuture.runAsync(() -> {
                try {
                    open.add(new MeshFakes.Envoy(admin, consul ? MeshFakes.CONSUL_SERVER_INFO : MeshFakes.KUMA_SERVER_INFO));
                    if (consul) {
                        open.add(new ScriptedLoopbackServer(lifecycle, r -> r.startsWith("GET /graceful_startup")
                                ? Reply.of(200, "") : Reply.of(404, "404 page not found\n")));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, CompletableFuture.delayedExecutor(600, TimeUnit.MILLISECONDS));

            // when
            long start = System.nanoTime();
            SidecarReadiness r = c.awaitSidecarReady(Duration.ofSeconds(20));

            // then
            assertThat(r).as(injected.toString()).isEqualTo(SidecarReadiness.READY);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as(injected.toString()).isGreaterThanOrEqualTo(500);
        }
    }

    // ---- 2. a Job that fails early still ends ----

    @Test
    void aJobReleasesAClassicSidecarThatIsStillInitializing() throws Exception {
        // given a Job whose Envoy never got its configuration (bad config, a missing secret): /ready 503 INITIALIZING,
        // pilot-agent never ready
        Istio istio = new Istio();
        istio.agentStatus = 503;
        istio.start("INITIALIZING");
        ShutdownCoordinator c = builder(istio).workload(Workload.JOB)
                .annotationsFile(annotations(Map.of("sidecar.istio.io/status", ISTIO_STATUS))).build();

        // when the app exits with an error in its first second
        ShutdownReport report = c.shutdown();

        // then the sidecar is told to exit, so the Pod (and the Job) can end
        assertThat(istio.quits()).as(report.summaryLine()).isEqualTo(1);
        assertThat(report.sidecarReleased()).isTrue();
    }

    @Test
    void aJobRetriesTheReleaseOfAnInjectedSidecarThatAppearsLate() throws Exception {
        // given an injected sidecar that nobody has seen yet when the Job's app exits; it listens 700 ms later
        Istio istio = new Istio();
        ShutdownCoordinator c = builder(istio).workload(Workload.JOB)
                .annotationsFile(annotations(Map.of("sidecar.istio.io/status", ISTIO_STATUS))).build();
        istio.startAfter(700, "PRE_INITIALIZING");

        // when
        ShutdownReport report = c.shutdown();

        // then the release is retried until it appears, then sent
        assertThat(istio.quits()).as(report.summaryLine()).isEqualTo(1);
        assertThat(report.sidecarReleased()).isTrue();
    }

    @Test
    void aJobWhoseInjectedSidecarNeverAppearsIsNotReportedClean() throws Exception {
        // given an injected sidecar that never answers
        Istio istio = new Istio();
        ShutdownCoordinator c = builder(istio).workload(Workload.JOB).gracePeriod(Duration.ofSeconds(3))
                .annotationsFile(annotations(Map.of("sidecar.istio.io/status", ISTIO_STATUS))).build();

        // when
        ShutdownReport report = c.shutdown();

        // then the report says the sidecar could not be released
        assertThat(report.sidecarReleased()).isFalse();
        assertThat(report.outcome()).as(report.summaryLine()).isNotEqualTo(ReportOutcome.CLEAN);
    }

    @Test
    void aJobNeverReleasesANativeSidecar() throws Exception {
        // given a native sidecar (the kubelet stops it after the app), live
        Istio istio = new Istio();
        istio.start("LIVE");
        ShutdownCoordinator c = builder(istio).workload(Workload.JOB)
                .annotationsFile(annotations(Map.of("sidecar.istio.io/status",
                        "{\\\"initContainers\\\":[\\\"istio-init\\\",\\\"istio-proxy\\\"]}"))).build();
        c.awaitSidecarReady(Duration.ofSeconds(5));

        // when
        ShutdownReport report = c.shutdown();

        // then
        assertThat(istio.quits()).isZero();
        assertThat(report.outcome()).as(report.summaryLine()).isEqualTo(ReportOutcome.CLEAN);
    }

    // ---- 4. only the Job controller's labels make a Job ----

    @Test
    void onlyTheJobControllersLabelsMakeAJob() throws Exception {
        Istio istio = new Istio();
        Map<String, Workload> cases = Map.of(
                "batch.kubernetes.io/job-name=\"orders-sync\"\n", Workload.JOB,
                "job-name=\"orders-sync\"\ncontroller-uid=\"5f1c\"\n", Workload.JOB,
                "job-name=\"orders-sync\"\nbatch.kubernetes.io/controller-uid=\"5f1c\"\n", Workload.JOB,
                "job-name=\"orders-sync\"\n", Workload.SERVICE,
                "job-name=\"orders-sync\"\npod-template-hash=\"7d9f\"\napp=\"orders\"\n", Workload.SERVICE,
                "batch.kubernetes.io/job-name=\"x\"\njob-name=\"x\"\ncontroller-uid=\"1\"\npod-template-hash=\"7d9f\"\n", Workload.SERVICE);
        for (Map.Entry<String, Workload> e : cases.entrySet()) {
            ShutdownCoordinator c = builder(istio).labelsFile(labels(e.getKey())).build();
            assertThat(c.settings().workload()).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    // ---- 5. evidence that is too weak ----

    @Test
    void aServerThatAnswers200ToEverythingIsNotConsulsLifecycleServer() throws Exception {
        // given a plain Envoy whose node metadata looks like Consul's, and any HTTP server answering 200 on the lifecycle port
        MeshFakes.Envoy plain = new MeshFakes.Envoy(MeshFakes.PLAIN_CONSUL_LOOKING_SERVER_INFO);
        open.add(plain);
        ScriptedLoopbackServer anything = ScriptedLoopbackServer.always(Reply.of(200, "ok"));
        open.add(anything);
        ShutdownCoordinator c = ShutdownCoordinator.builder().fromEnvironment(Map.of())
                .adminUrl(URI.create(TruthFixtures.refusedUrl())).agentUrl(URI.create(TruthFixtures.refusedUrl()))
                .consulAdminUrl(URI.create(plain.url())).consulLifecycleUrl(URI.create(anything.url()))
                .kumaAdminUrl(URI.create(TruthFixtures.refusedUrl())).linkerdAdminUrl(URI.create(TruthFixtures.refusedUrl()))
                .daprUrl(URI.create(TruthFixtures.refusedUrl())).labelsFile(dir.resolve("no-labels"))
                .annotationsFile(dir.resolve("no-annotations")).adminTimeout(Duration.ofMillis(300))
                .workload(Workload.JOB).build();

        // when the Job's app ends
        ShutdownReport report = c.shutdown();

        // then it was not taken for Consul, so that Envoy was not told to quit
        assertThat(c.plan().facts().mode()).isNotEqualTo(SidecarMode.CONSUL);
        assertThat(plain.server.requestsStartingWith("POST /quitquitquit")).as(report.summaryLine()).isEmpty();
    }

    @Test
    void aPassing503FromALiveAgentIsNotTermination() throws Exception {
        // given a live Istio sidecar whose agent answers 503 a few times in a row (a starved agent, an Envoy
        // reload), for a few milliseconds, then 200 again
        Istio istio = new Istio();
        istio.start("LIVE");
        ShutdownCoordinator c = builder(istio).propagationDelay(Duration.ZERO)
                .task("notify", ctx -> { }).build();
        assertThat(c.awaitSidecarReady(Duration.ofSeconds(5))).isEqualTo(SidecarReadiness.READY);
        java.util.concurrent.atomic.AtomicInteger answers = new java.util.concurrent.atomic.AtomicInteger();
        istio.agent.script(r -> r.contains("/healthz/ready")
                ? Reply.of(answers.getAndIncrement() < 3 ? 503 : 200, "") : Reply.of(404, ""));

        // when the app alone gets SIGTERM (a liveness restart: the Pod is not being deleted)
        ShutdownReport report = c.shutdown();

        // then nothing is drained or released: one 503 is not evidence that the sidecar got its SIGTERM
        assertThat(istio.drains()).as(report.summaryLine()).isZero();
        assertThat(istio.quits()).as(report.summaryLine()).isZero();
    }
}
