package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.envoy.EnvoyAdminClient;
import io.github.sidecarshutdown.kuma.KumaSidecar;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Kuma adapter against a loopback Envoy admin: kuma-dp's SIGTERM shows as {@code /ready} turning
 * from LIVE to DRAINING (TERMINATING only after LIVE was seen), its window is kuma-dp's drain time,
 * only an Envoy whose node names kuma-dp is Kuma, and a terminating kuma-dp is not released.
 */
@Timeout(30)
class KumaSidecarTest {

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

    private KumaSidecar kuma(String adminUrl, Map<String, String> annotations) {
        EnvoyAdminClient client = EnvoyAdminClient.builder().adminUrl(URI.create(adminUrl)).agentUrl(URI.create(adminUrl))
                .callTimeout(T).build();
        return keep(new KumaSidecar(client, MeshAnnotations.fromAnnotations(annotations, "test annotations")));
    }

    @Test
    void drainingAfterLiveIsTermination() throws IOException {
        MeshFakes.Envoy envoy = keep(new MeshFakes.Envoy(MeshFakes.KUMA_SERVER_INFO));
        KumaSidecar k = kuma(envoy.url(), Map.of());

        SidecarState live = k.probe(T);
        envoy.ready = "DRAINING"; // kuma-dp's SIGTERM: POST /healthcheck/fail
        SidecarState terminating = k.probe(T);
        envoy.server.die(); // kuma-dp stopped Envoy at the end of its drain time
        SidecarState gone = k.probe(T);

        assertThat(live).isEqualTo(SidecarState.LIVE);
        assertThat(terminating).isEqualTo(SidecarState.TERMINATING);
        assertThat(gone).isEqualTo(SidecarState.GONE);
    }

    @Test
    void drainingNeverPrecededByLiveIsNoEvidence() throws IOException {
        MeshFakes.Envoy envoy = keep(new MeshFakes.Envoy(MeshFakes.KUMA_SERVER_INFO));
        envoy.ready = "DRAINING";
        KumaSidecar k = kuma(envoy.url(), Map.of());

        assertThat(k.probe(T)).isEqualTo(SidecarState.UNKNOWN);
        assertThat(envoy.server.requestsStartingWith("POST")).isEmpty();
    }

    @Test
    void theWindowIsKumaDpsDrainTime() throws IOException {
        MeshFakes.Envoy envoy = keep(new MeshFakes.Envoy(MeshFakes.KUMA_SERVER_INFO));

        SidecarFacts fromEnvoy = kuma(envoy.url(), Map.of(MeshAnnotations.KUMA_DRAIN_TIME, "40s")).facts(T);
        SidecarFacts fromAnnotation = kuma(TruthFixtures.refusedUrl(), Map.of(MeshAnnotations.KUMA_DRAIN_TIME, "40s")).facts(T);
        SidecarFacts byDefault = kuma(TruthFixtures.refusedUrl(), Map.of()).facts(T);

        assertThat(fromEnvoy.mode()).isEqualTo(SidecarMode.KUMA);
        assertThat(fromEnvoy.version()).hasValueSatisfying(v -> assertThat(v).contains("kuma-dp 2.12.1"));
        assertThat(fromEnvoy.guaranteedWindow()).as("kuma-dp runs Envoy with --drain-time-s = its drain time")
                .contains(Duration.ofSeconds(3));
        assertThat(fromAnnotation.guaranteedWindow()).contains(Duration.ofSeconds(40));
        assertThat(byDefault.guaranteedWindow()).contains(Duration.ofSeconds(30));
    }

    @Test
    void onlyAnEnvoyWhoseNodeNamesKumaDpIsKuma() throws IOException {
        MeshFakes.Envoy kumaEnvoy = keep(new MeshFakes.Envoy(MeshFakes.KUMA_SERVER_INFO));
        MeshFakes.Envoy plainOn9901 = keep(new MeshFakes.Envoy(MeshFakes.PLAIN_ENVOY_SERVER_INFO));
        MeshFakes.Envoy istio = keep(new MeshFakes.Envoy(MeshFakes.ISTIO_SERVER_INFO));
        MeshFakes.Envoy consul = keep(new MeshFakes.Envoy(MeshFakes.CONSUL_SERVER_INFO));

        assertThat(kuma(kumaEnvoy.url(), Map.of()).identify(T)).isTrue();
        assertThat(kuma(plainOn9901.url(), Map.of()).identify(T)).isFalse();
        assertThat(kuma(istio.url(), Map.of()).identify(T)).isFalse();
        assertThat(kuma(consul.url(), Map.of()).identify(T)).isFalse();
    }

    @Test
    void aTerminatingKumaDpIsNotReleasedALiveOneIs() throws IOException {
        MeshFakes.Envoy terminatingEnvoy = keep(new MeshFakes.Envoy(MeshFakes.KUMA_SERVER_INFO));
        KumaSidecar terminating = kuma(terminatingEnvoy.url(), Map.of());
        terminating.probe(T);
        terminatingEnvoy.ready = "DRAINING";
        terminating.probe(T);
        MeshFakes.Envoy liveEnvoy = keep(new MeshFakes.Envoy(MeshFakes.KUMA_SERVER_INFO));
        KumaSidecar live = kuma(liveEnvoy.url(), Map.of());
        live.probe(T);

        // The decision, which the plan and the run both read, declines a terminating kuma-dp.
        io.github.sidecarshutdown.sidecar.ReleaseDecision declined = terminating.releaseDecision(SidecarState.TERMINATING);
        io.github.sidecarshutdown.sidecar.ReleaseDecision takes = live.releaseDecision(SidecarState.LIVE);
        SidecarCallResult done = live.release(T);

        assertThat(declined.releases()).isFalse();
        assertThat(declined.reason()).contains("waits out its drain time");
        assertThat(takes.call()).contains("POST /quitquitquit");
        assertThat(terminatingEnvoy.server.requestsStartingWith("POST /quitquitquit")).isEmpty();
        assertThat(done.outcome()).isEqualTo(SidecarCallResult.Outcome.DONE);
        assertThat(liveEnvoy.server.requestsStartingWith("POST /quitquitquit")).hasSize(1);
    }
}
