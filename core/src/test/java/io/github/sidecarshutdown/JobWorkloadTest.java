package io.github.sidecarshutdown;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.sidecarshutdown.config.InvalidSettingException;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The job workload (docs/sidecar-states.md, "Jobs"): the app's exit is the Pod's end, so a live
 * classic sidecar is released after the cleanup tasks; the workload comes from the setting or the
 * Pod's own Job labels, and a service, or a sidecar in any state but LIVE or TERMINATING, is never
 * released this way.
 */
@Timeout(60)
class JobWorkloadTest {

    private static final Duration GRACE = Duration.ofSeconds(4);

    @TempDir
    Path dir;

    private final List<WireMockServer> servers = new ArrayList<>();

    @AfterEach
    void stopAll() {
        servers.forEach(s -> {
            if (s.isRunning()) {
                s.stop();
            }
        });
    }

    private WireMockServer server() {
        WireMockServer w = TruthFixtures.wiremock();
        servers.add(w);
        return w;
    }

    private Path labels(String content) throws Exception {
        Path f = dir.resolve("labels");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    private ShutdownCoordinatorBuilder builder(Map<String, String> env) {
        return ShutdownCoordinator.builder()
                .fromEnvironment(env)
                .runtimeHooks(new RecordingHooks())
                .gracePeriod(GRACE)
                .safetyMargin(Duration.ofSeconds(1))
                .drainTimeout(Duration.ofMillis(100))
                .taskTimeout(Duration.ofSeconds(1))
                .adminTimeout(Duration.ofMillis(500))
                .startupWait(Duration.ofSeconds(5))
                .annotationsFile(dir.resolve("no-annotations"))
                .labelsFile(dir.resolve("no-labels"))
                .adminUrl(URI.create(TruthFixtures.refusedUrl()))
                .agentUrl(URI.create(TruthFixtures.refusedUrl()))
                .linkerdAdminUrl(URI.create(TruthFixtures.refusedUrl()))
                .daprUrl(URI.create(TruthFixtures.refusedUrl()));
    }

    private static ShutdownReport run(ShutdownCoordinator c) {
        ShutdownReport report = c.shutdown();
        assertThat(report.complete()).as(report.summaryLine()).isTrue();
        return report;
    }

    // ---- the setting, and auto from the Pod's labels ----

    @Test
    void aBadWorkloadNamesTheVariableAndTheWords() {
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class,
                () -> ShutdownCoordinator.builder().fromEnvironment(Map.of("SIDECAR_SHUTDOWN_WORKLOAD", "batch")));

        assertThat(e.setting()).isEqualTo(Setting.WORKLOAD);
        assertThat(e).hasMessageStartingWith("Invalid SIDECAR_SHUTDOWN_WORKLOAD='batch': ").hasMessageContaining("auto|service|job");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "batch.kubernetes.io/job-name=\"pi\"\\ncontroller-uid=\"3f1\"|JOB",
        "job-name=\"pi-28391\"\\ncontroller-uid=\"3f1\"|JOB",
        "job-name=\"pi-28391\"|SERVICE",
        "job-name=\"orders-sync\"\\ncontroller-uid=\"3f1\"\\npod-template-hash=\"7d9\"|SERVICE",
        "app=\"orders\"\\npod-template-hash=\"7d9\"|SERVICE",
        "app=orders|SERVICE",
        "job-name=\"\"|SERVICE"})
    void autoReadsTheJobControllersLabels(String content, Workload expected) throws Exception {
        ShutdownCoordinator c = builder(Map.of()).sidecarMode(SidecarMode.NONE).labelsFile(labels(content.replace("\\n", "\n")))
                .build();

        assertThat(c.settings().workload()).isEqualTo(expected);
    }

    @Test
    void aMissingLabelsFileMakesAService() {
        ShutdownCoordinator c = builder(Map.of()).sidecarMode(SidecarMode.NONE).labelsFile(dir.resolve("absent")).build();

        assertThat(c.settings().workload()).isEqualTo(Workload.SERVICE);
    }

    @Test
    void anExplicitWorkloadIsNotOverriddenByTheLabels() throws Exception {
        ShutdownCoordinator c = builder(Map.of("SIDECAR_SHUTDOWN_WORKLOAD", "service")).sidecarMode(SidecarMode.NONE)
                .labelsFile(labels("job-name=\"pi\"")).build();

        assertThat(c.settings().workload()).isEqualTo(Workload.SERVICE);
    }

    @Test
    void aJobHasNoPropagationDelayUnlessSet() throws Exception {
        Map<String, String> k8s = Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1");

        ShutdownSettings byLabel = builder(k8s).sidecarMode(SidecarMode.NONE).labelsFile(labels("batch.kubernetes.io/job-name=\"pi\"")).build()
                .settings();
        ShutdownSettings explicit = builder(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "SIDECAR_SHUTDOWN_WORKLOAD", "job",
                "SIDECAR_SHUTDOWN_PROPAGATION_DELAY", "2s")).sidecarMode(SidecarMode.NONE).build().settings();
        ShutdownSettings service = builder(k8s).sidecarMode(SidecarMode.NONE).build().settings();

        assertThat(byLabel.propagationDelay()).isZero();
        assertThat(explicit.propagationDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(service.propagationDelay()).isEqualTo(Duration.ofSeconds(5));
    }

    // ---- the release rule ----

    @ParameterizedTest
    @ValueSource(strings = {"ISTIO", "AUTO"})
    void aJobReleasesItsLiveClassicSidecarAfterItsCleanup(SidecarMode mode) throws Exception {
        // given a classic sidecar, live and ready throughout: nobody deleted the Pod, the app is done
        WireMockServer admin = server();
        WireMockServer agent = server();
        TruthFixtures.stubLiveIstioAdmin(admin, TruthFixtures.ISTIO_SERVER_INFO);
        TruthFixtures.stubReadyAgent(agent);
        List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        ShutdownCoordinator c = builder(Map.of()).sidecarMode(mode).labelsFile(labels("batch.kubernetes.io/job-name=\"pi\""))
                .adminUrl(URI.create(admin.baseUrl())).agentUrl(URI.create(agent.baseUrl()))
                .task("flush-results", ctx -> order.add("flush-results at " + TruthFixtures.calls(admin).size()))
                .build();
        assertThat(c.awaitSidecarReady()).isEqualTo(SidecarReadiness.READY);

        // when
        ShutdownReport report = run(c);

        // then
        List<String> calls = TruthFixtures.calls(admin);
        assertThat(TruthFixtures.callsTo(admin, "POST /quitquitquit")).as("%s; %s", calls, report.summaryLine()).hasSize(1);
        assertThat(calls).as(report.summaryLine()).last().isEqualTo("POST /quitquitquit");
        assertThat(TruthFixtures.callsTo(admin, "POST /drain_listeners")).as("a live sidecar is not drained").isEmpty();
        assertThat(report.task("flush-results").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(report.sidecarAtStart()).isEqualTo(SidecarState.LIVE);
        assertThat(report.sidecarReleased()).isTrue();
        assertThat(report.workload()).isEqualTo(Workload.JOB);
        assertThat(report.summaryLine()).contains("workload job");
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().detail())
                .contains("POST /quitquitquit", "workload job", "the Job to complete");
    }

    @Test
    void aServiceLeavesTheSameLiveSidecarRunning() throws Exception {
        WireMockServer admin = server();
        WireMockServer agent = server();
        TruthFixtures.stubLiveIstioAdmin(admin, TruthFixtures.ISTIO_SERVER_INFO);
        TruthFixtures.stubReadyAgent(agent);
        ShutdownCoordinator c = builder(Map.of("SIDECAR_SHUTDOWN_WORKLOAD", "service")).sidecarMode(SidecarMode.ISTIO)
                .adminUrl(URI.create(admin.baseUrl())).agentUrl(URI.create(agent.baseUrl())).build();
        assertThat(c.awaitSidecarReady()).isEqualTo(SidecarReadiness.READY);

        ShutdownReport report = run(c);

        assertThat(TruthFixtures.callsTo(admin, "POST /quitquitquit")).as(report.summaryLine()).isEmpty();
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().detail()).contains("live", "workload service");
    }

    @Test
    void aJobNeverReleasesASidecarWhoseAgentWasNeverSeen() throws Exception {
        // given Envoy answers but pilot-agent's port never did: UNKNOWN, which never releases
        WireMockServer admin = server();
        TruthFixtures.stubLiveIstioAdmin(admin, TruthFixtures.ISTIO_SERVER_INFO);
        ShutdownCoordinator c = builder(Map.of("SIDECAR_SHUTDOWN_WORKLOAD", "job")).sidecarMode(SidecarMode.ISTIO)
                .adminUrl(URI.create(admin.baseUrl())).build();

        ShutdownReport report = run(c);

        assertThat(TruthFixtures.callsTo(admin, "POST /quitquitquit")).as(report.summaryLine()).isEmpty();
        assertThat(report.sidecarReleased()).isFalse();
    }

    @Test
    void aJobNeverReleasesAnAbsentOrGoneSidecar() {
        // given nothing listens on the admin port
        ShutdownCoordinator absent = builder(Map.of("SIDECAR_SHUTDOWN_WORKLOAD", "job")).sidecarMode(SidecarMode.ISTIO).build();
        WireMockServer admin = server();
        WireMockServer agent = server();
        TruthFixtures.stubLiveIstioAdmin(admin, TruthFixtures.ISTIO_SERVER_INFO);
        TruthFixtures.stubReadyAgent(agent);
        ShutdownCoordinator gone = builder(Map.of("SIDECAR_SHUTDOWN_WORKLOAD", "job")).sidecarMode(SidecarMode.ISTIO)
                .adminUrl(URI.create(admin.baseUrl())).agentUrl(URI.create(agent.baseUrl())).build();
        assertThat(gone.sidecar().isReady(Duration.ofSeconds(1))).isTrue();
        assertThat(gone.sidecar().probe(Duration.ofSeconds(1))).isEqualTo(SidecarState.LIVE);
        admin.stop(); // Envoy killed after answering: GONE

        ShutdownReport a = run(absent);
        ShutdownReport g = run(gone);

        assertThat(a.sidecarReleased()).as(a.summaryLine()).isFalse();
        assertThat(g.sidecarAtStart()).as(g.summaryLine()).isEqualTo(SidecarState.GONE);
        assertThat(g.sidecarReleased()).as(g.summaryLine()).isFalse();
    }

    @Test
    void aJobBesideANativeSidecarReleasesNothingAndSaysWhy() throws Exception {
        WireMockServer admin = server();
        WireMockServer agent = server();
        TruthFixtures.stubLiveIstioAdmin(admin, TruthFixtures.ISTIO_SERVER_INFO);
        TruthFixtures.stubReadyAgent(agent);
        ShutdownCoordinator c = builder(Map.of("SIDECAR_SHUTDOWN_WORKLOAD", "job")).sidecarMode(SidecarMode.NATIVE)
                .adminUrl(URI.create(admin.baseUrl())).agentUrl(URI.create(agent.baseUrl())).build();
        assertThat(c.awaitSidecarReady()).isEqualTo(SidecarReadiness.READY);

        ShutdownReport report = run(c);

        assertThat(TruthFixtures.callsTo(admin, "POST /quitquitquit")).as(report.summaryLine()).isEmpty();
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().detail())
                .isEqualTo("native sidecar: the kubelet stops it after the app exits; nothing to release for a Job");
    }

    @Test
    void aJobReleasesALiveLinkerdProxy() throws Exception {
        // what linkerd-await --shutdown does for Jobs
        WireMockServer l = server();
        l.stubFor(get(urlPathEqualTo("/ready")).willReturn(aResponse().withStatus(200).withBody("ready\n")));
        l.stubFor(get(urlPathEqualTo("/live")).willReturn(aResponse().withStatus(200).withBody("live\n")));
        l.stubFor(post(urlPathEqualTo("/shutdown")).willReturn(aResponse().withStatus(200).withBody("shutdown\n")));
        ShutdownCoordinator c = builder(Map.of("SIDECAR_SHUTDOWN_WORKLOAD", "job")).sidecarMode(SidecarMode.LINKERD)
                .linkerdAdminUrl(URI.create(l.baseUrl())).build();
        assertThat(c.awaitSidecarReady()).isEqualTo(SidecarReadiness.READY);

        ShutdownReport report = run(c);

        assertThat(TruthFixtures.callsTo(l, "POST /shutdown")).as(report.summaryLine()).hasSize(1);
        assertThat(report.sidecarReleased()).isTrue();
    }

    @Test
    void thePlanSaysTheWorkloadAndWhyAJobReleases() {
        ShutdownPlan plan = builder(Map.of("SIDECAR_SHUTDOWN_WORKLOAD", "job")).sidecarMode(SidecarMode.ISTIO).build().plan();

        assertThat(plan.workload()).isEqualTo(Workload.JOB);
        assertThat(plan.render()).contains("workload job",
                "POST /quitquitquit when the app is done, whether the sidecar is starting, live or terminating",
                "the app's exit is the Pod's end");
        assertThat(plan.toMap()).containsEntry("workload", "job");
    }
}
