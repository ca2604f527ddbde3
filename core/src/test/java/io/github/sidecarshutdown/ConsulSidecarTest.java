package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.consul.ConsulSidecar;
import io.github.sidecarshutdown.envoy.EnvoyAdminClient;
import io.github.sidecarshutdown.pod.MeshAnnotations;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Consul adapter against loopback stand-ins of Envoy admin and the dataplane's lifecycle
 * server: its states (never TERMINATING: the dataplane's SIGTERM changes nothing the app can see),
 * the window from the Pod's annotations, what proves Consul, and budgets against a hanging port.
 */
@Timeout(30)
class ConsulSidecarTest {

    private static final Duration T = Duration.ofMillis(500);
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

    private ConsulSidecar consul(String adminUrl, String lifecycleUrl, Map<String, String> annotations) {
        EnvoyAdminClient client = EnvoyAdminClient.builder().adminUrl(URI.create(adminUrl)).agentUrl(URI.create(adminUrl))
                .callTimeout(T).build();
        return keep(new ConsulSidecar(client, URI.create(lifecycleUrl), Duration.ofMillis(250), false,
                MeshAnnotations.fromAnnotations(annotations, "test annotations")));
    }

    @Test
    void statesFollowEnvoysAnswersAndNeverClaimTermination() throws Exception {
        int port = TruthFixtures.freePort();
        ConsulSidecar c = consul("http://127.0.0.1:" + port, TruthFixtures.refusedUrl(), Map.of());
        assertThat(c.probe(T)).as("nothing ever answered").isEqualTo(SidecarState.ABSENT);

        MeshFakes.Envoy envoy = new MeshFakes.Envoy(MeshFakes.CONSUL_SERVER_INFO);
        ConsulSidecar onEnvoy = consul(envoy.url(), TruthFixtures.refusedUrl(), Map.of());
        keep(envoy);
        envoy.ready = "INITIALIZING";
        assertThat(onEnvoy.probe(T)).isEqualTo(SidecarState.STARTING);
        envoy.ready = "LIVE";
        assertThat(onEnvoy.probe(T)).isEqualTo(SidecarState.LIVE);
        // the dataplane's own graceful shutdown: it drains inbound, Envoy's /ready stays LIVE
        assertThat(onEnvoy.probe(T)).as("no observable sign of the dataplane's SIGTERM").isEqualTo(SidecarState.LIVE);
        envoy.ready = "DRAINING"; // only POST /healthcheck/fail does this; the dataplane never sends it
        assertThat(onEnvoy.probe(T)).isNotEqualTo(SidecarState.TERMINATING);
        envoy.server.die(); // the dataplane quit Envoy at the end of its grace period
        assertThat(onEnvoy.probe(T)).isEqualTo(SidecarState.GONE);
    }

    @Test
    void aHangingAdminPortIsUnknownWithinTheBudget() throws IOException {
        ScriptedLoopbackServer hanging = keep(ScriptedLoopbackServer.always(ScriptedLoopbackServer.Reply.hang()));
        ConsulSidecar c = consul(hanging.url(), hanging.url(), Map.of());

        long start = System.nanoTime();
        SidecarState s = c.probe(Duration.ofMillis(200));
        boolean proven = c.identify(Duration.ofMillis(200));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(s).isEqualTo(SidecarState.UNKNOWN);
        assertThat(proven).isFalse();
        // two budgets of 200 ms, each honoured (the bound is the budget's, not a speed claim)
        assertThat(took).isLessThan(Duration.ofMillis(400 + 300));
    }

    @Test
    void theWindowComesFromTheGracePeriodAnnotation() throws IOException {
        MeshFakes.Envoy envoy = keep(new MeshFakes.Envoy(MeshFakes.CONSUL_SERVER_INFO));

        SidecarFacts annotated = consul(envoy.url(), TruthFixtures.refusedUrl(),
                Map.of(MeshAnnotations.CONSUL_GRACE_PERIOD, "45")).facts(T);
        SidecarFacts unannotated = consul(envoy.url(), TruthFixtures.refusedUrl(), Map.of()).facts(T);
        SidecarFacts lifecycleOff = consul(envoy.url(), TruthFixtures.refusedUrl(),
                Map.of(MeshAnnotations.CONSUL_LIFECYCLE, "false", MeshAnnotations.CONSUL_GRACE_PERIOD, "45")).facts(T);
        ConsulSidecar nativeDataplane = consul(envoy.url(), TruthFixtures.refusedUrl(), Map.of(MeshAnnotations.CONSUL_NATIVE, "true"));

        assertThat(annotated.mode()).isEqualTo(SidecarMode.CONSUL);
        assertThat(annotated.guaranteedWindow()).contains(Duration.ofSeconds(45));
        assertThat(unannotated.guaranteedWindow()).as("consul-k8s's Helm default").contains(Duration.ofSeconds(30));
        assertThat(unannotated.source()).contains("assuming consul-k8s's default 30 s");
        assertThat(lifecycleOff.guaranteedWindow()).as("the dataplane's own default grace period is 0").contains(Duration.ZERO);
        assertThat(nativeDataplane.facts(T).guaranteedWindow()).isEmpty();
        assertThat(nativeDataplane.releaseDecision(io.github.sidecarshutdown.sidecar.SidecarState.LIVE).call()).isEmpty();
        assertThat(nativeDataplane.releaseDecision(io.github.sidecarshutdown.sidecar.SidecarState.LIVE).reason())
                .contains("the kubelet stops consul-dataplane");
    }

    @Test
    void onlyADataplaneEnvoyWithItsLifecycleServerIsConsul() throws IOException {
        ScriptedLoopbackServer lifecycle = keep(MeshFakes.lifecycle());
        MeshFakes.Envoy consulEnvoy = keep(new MeshFakes.Envoy(MeshFakes.CONSUL_SERVER_INFO));
        MeshFakes.Envoy istioOn19000 = keep(new MeshFakes.Envoy(MeshFakes.ISTIO_SERVER_INFO));
        MeshFakes.Envoy kumaEnvoy = keep(new MeshFakes.Envoy(MeshFakes.KUMA_SERVER_INFO));
        MeshFakes.Envoy plainLookalike = keep(new MeshFakes.Envoy(MeshFakes.PLAIN_CONSUL_LOOKING_SERVER_INFO));

        assertThat(consul(consulEnvoy.url(), lifecycle.url(), Map.of()).identify(T)).isTrue();
        assertThat(consul(istioOn19000.url(), lifecycle.url(), Map.of()).identify(T)).as("ISTIO_VERSION is Istio's").isFalse();
        assertThat(consul(kumaEnvoy.url(), lifecycle.url(), Map.of()).identify(T)).as("kuma-dp's node").isFalse();
        assertThat(consul(plainLookalike.url(), TruthFixtures.refusedUrl(), Map.of()).identify(T))
                .as("Consul-looking node, but no dataplane lifecycle server beside it").isFalse();
        assertThat(lifecycle.requestsStartingWith("POST")).as("identifying never starts a graceful shutdown").isEmpty();
    }

    @Test
    void noDrainCallAndTheReleaseQuitsEnvoy() throws IOException {
        MeshFakes.Envoy envoy = keep(new MeshFakes.Envoy(MeshFakes.CONSUL_SERVER_INFO));
        ConsulSidecar c = consul(envoy.url(), TruthFixtures.refusedUrl(), Map.of());

        SidecarCallResult drain = c.drainInbound(T);
        SidecarCallResult release = c.release(T);

        assertThat(c.drainCall()).isEqualTo(Optional.empty());
        assertThat(drain.outcome()).isEqualTo(SidecarCallResult.Outcome.SKIPPED);
        assertThat(release.outcome()).isEqualTo(SidecarCallResult.Outcome.DONE);
        assertThat(envoy.server.requests).contains("POST /quitquitquit").noneMatch(r -> r.startsWith("POST /drain_listeners"));
    }
}
