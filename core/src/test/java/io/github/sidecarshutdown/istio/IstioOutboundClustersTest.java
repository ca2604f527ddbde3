package io.github.sidecarshutdown.istio;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.sidecarshutdown.envoy.ClustersTextTest;
import io.github.sidecarshutdown.envoy.EnvoyAdminClient;
import io.github.sidecarshutdown.sidecar.OutboundTraffic;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Istio sidecar's outbound counters: only the app's outbound clusters, nothing when it cannot tell. */
class IstioOutboundClustersTest {

    @RegisterExtension
    static WireMockExtension admin = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();

    private static EnvoySidecar sidecar(SidecarMode mode) {
        EnvoyAdminClient client = EnvoyAdminClient.builder().adminUrl(URI.create("http://127.0.0.1:" + admin.getPort()))
                .agentUrl(URI.create("http://127.0.0.1:" + admin.getPort())).callTimeout(Duration.ofSeconds(2)).build();
        return new EnvoySidecar(client, mode, Duration.ofSeconds(5));
    }

    @Test
    void istiosOutboundClustersAreTheOutboundOnesAndThePassthrough() {
        assertThat(EnvoySidecar.isIstioOutboundCluster("outbound|4318||collector.observability.svc.cluster.local")).isTrue();
        assertThat(EnvoySidecar.isIstioOutboundCluster("outbound|9080|v2|reviews.default.svc.cluster.local")).isTrue();
        assertThat(EnvoySidecar.isIstioOutboundCluster("PassthroughCluster")).isTrue();
        for (String own : new String[] {"inbound|8080||", "InboundPassthroughCluster", "InboundPassthroughClusterIpv4", "BlackHoleCluster",
                "agent", "prometheus_stats", "xds-grpc", "sds-grpc", "zipkin"}) {
            assertThat(EnvoySidecar.isIstioOutboundCluster(own)).as(own).isFalse();
        }
    }

    @Test
    void readsOnlyTheOutboundHostsOfClassicIstio() {
        admin.stubFor(get(urlEqualTo("/clusters")).willReturn(aResponse().withStatus(200).withBody(ClustersTextTest.ISTIO)));

        Optional<OutboundTraffic> t = sidecar(SidecarMode.ISTIO).outboundTraffic(Duration.ofSeconds(1));

        assertThat(t).hasValueSatisfying(v -> assertThat(v.upstreams()).extracting(OutboundTraffic.Upstream::key).containsExactly(
                "outbound|4318||collector.observability.svc.cluster.local::10.0.3.7:4318",
                "outbound|8080||orders.default.svc.cluster.local::[fd00::7]:8080"));
    }

    @Test
    void plainEnvoyAndAnUnreadableAnswerTellNothing() {
        admin.stubFor(get(urlEqualTo("/clusters")).willReturn(aResponse().withStatus(200).withBody(ClustersTextTest.ISTIO)));
        assertThat(sidecar(SidecarMode.ENVOY).outboundTraffic(Duration.ofSeconds(1))).isEmpty();

        admin.stubFor(get(urlEqualTo("/clusters")).willReturn(aResponse().withStatus(503)));
        assertThat(sidecar(SidecarMode.ISTIO).outboundTraffic(Duration.ofSeconds(1))).isEmpty();

        admin.stubFor(get(urlEqualTo("/clusters")).willReturn(aResponse().withStatus(200).withFixedDelay(1_000).withBody(ClustersTextTest.ISTIO)));
        assertThat(sidecar(SidecarMode.ISTIO).outboundTraffic(Duration.ofMillis(100))).as("late").isEmpty();
    }
}
