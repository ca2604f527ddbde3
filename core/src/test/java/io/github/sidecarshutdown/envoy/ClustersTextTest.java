package io.github.sidecarshutdown.envoy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /clusters} in its text form, as envoy {@code source/server/admin/clusters_handler.cc} writes it. */
public class ClustersTextTest {

    /** Istio 1.26's Envoy, trimmed: infrastructure, inbound and outbound clusters, an IPv6 host, a pipe. */
    public static final String ISTIO = String.join("\n",
            "outbound|4318||collector.observability.svc.cluster.local::observability_name::outbound|4318||collector.observability.svc.cluster.local",
            "outbound|4318||collector.observability.svc.cluster.local::default_priority::max_connections::4294967295",
            "outbound|4318||collector.observability.svc.cluster.local::default_priority::max_requests::4294967295",
            "outbound|4318||collector.observability.svc.cluster.local::added_via_api::true",
            "outbound|4318||collector.observability.svc.cluster.local::10.0.3.7:4318::cx_active::1",
            "outbound|4318||collector.observability.svc.cluster.local::10.0.3.7:4318::cx_connect_fail::0",
            "outbound|4318||collector.observability.svc.cluster.local::10.0.3.7:4318::cx_total::1",
            "outbound|4318||collector.observability.svc.cluster.local::10.0.3.7:4318::rq_active::1",
            "outbound|4318||collector.observability.svc.cluster.local::10.0.3.7:4318::rq_error::0",
            "outbound|4318||collector.observability.svc.cluster.local::10.0.3.7:4318::rq_success::4",
            "outbound|4318||collector.observability.svc.cluster.local::10.0.3.7:4318::rq_timeout::0",
            "outbound|4318||collector.observability.svc.cluster.local::10.0.3.7:4318::rq_total::5",
            "outbound|4318||collector.observability.svc.cluster.local::10.0.3.7:4318::hostname::",
            "outbound|4318||collector.observability.svc.cluster.local::10.0.3.7:4318::health_flags::healthy",
            "outbound|4318||collector.observability.svc.cluster.local::10.0.3.7:4318::weight::1",
            "outbound|8080||orders.default.svc.cluster.local::[fd00::7]:8080::cx_active::3",
            "outbound|8080||orders.default.svc.cluster.local::[fd00::7]:8080::cx_total::3",
            "outbound|8080||orders.default.svc.cluster.local::[fd00::7]:8080::rq_active::0",
            "outbound|8080||orders.default.svc.cluster.local::[fd00::7]:8080::rq_total::120",
            "inbound|8080||::127.0.0.6:8080::rq_active::2",
            "inbound|8080||::127.0.0.6:8080::rq_total::900",
            "xds-grpc::./etc/istio/proxy/XDS::cx_active::1",
            "xds-grpc::./etc/istio/proxy/XDS::rq_active::1",
            "xds-grpc::./etc/istio/proxy/XDS::rq_total::1",
            "kuma:envoy:admin::127.0.0.1:9901::rq_active::0",
            "");

    @RegisterExtension
    static WireMockExtension admin = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).failOnUnmatchedRequests(true).build();

    @Test
    void readsTheFourTrafficCountersOfEveryHostOfTheChosenClusters() {
        List<ClusterHostStats> hosts = ClustersText.parse(ISTIO, name -> name.startsWith("outbound|"));

        assertThat(hosts).containsExactly(
                new ClusterHostStats("outbound|4318||collector.observability.svc.cluster.local", "10.0.3.7:4318", 1, 5, 1, 1),
                new ClusterHostStats("outbound|8080||orders.default.svc.cluster.local", "[fd00::7]:8080", 0, 120, 3, 3));
    }

    @Test
    void clusterNamesWithColonsAndPipeHostsAreReadFromTheEnd() {
        assertThat(ClustersText.parse(ISTIO, name -> !name.startsWith("outbound|") && !name.startsWith("inbound|")))
                .containsExactly(new ClusterHostStats("xds-grpc", "./etc/istio/proxy/XDS", 1, 1, 1, 0),
                        new ClusterHostStats("kuma:envoy:admin", "127.0.0.1:9901", 0, 0, 0, 0));
    }

    @Test
    void aKeptCounterThatIsNotACountMakesTheAnswerUnreadable() {
        String bad = "outbound|80||a::10.0.0.1:80::rq_active::-1\n";

        assertThatThrownBy(() -> ClustersText.parse(bad, name -> true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a count");
        // a counter of a cluster that is not kept is not read at all
        assertThat(ClustersText.parse(bad + "outbound|80||b::10.0.0.2:80::rq_active::0\n", name -> name.endsWith("b")))
                .containsExactly(new ClusterHostStats("outbound|80||b", "10.0.0.2:80", 0, 0, 0, 0));
    }

    @Test
    void theClientReadsItWithAGetAndReportsAnUnreadableAnswer() {
        admin.stubFor(get(urlEqualTo("/clusters")).willReturn(aResponse().withStatus(200).withBody(ISTIO)));
        try (EnvoyAdminClient client = client()) {
            assertThat(client.clusters(name -> name.startsWith("outbound|"))).hasSize(2);
        }
        admin.verify(getRequestedFor(urlEqualTo("/clusters")));

        admin.stubFor(get(urlEqualTo("/clusters")).willReturn(aResponse().withStatus(200).withBody("outbound|80||a::10.0.0.1:80::rq_active::x\n")));
        try (EnvoyAdminClient client = client()) {
            assertThatThrownBy(() -> client.clusters(name -> true)).isInstanceOfSatisfying(EnvoyAdminException.class,
                    e -> assertThat(e.kind()).isEqualTo(EnvoyAdminException.Kind.MALFORMED_RESPONSE));
        }

        admin.stubFor(get(urlEqualTo("/clusters")).willReturn(aResponse().withStatus(404).withBody("invalid path")));
        try (EnvoyAdminClient client = client()) {
            assertThatThrownBy(() -> client.clusters(name -> true)).isInstanceOfSatisfying(EnvoyAdminException.class,
                    e -> assertThat(e.statusCode()).isEqualTo(404));
        }
    }

    private static EnvoyAdminClient client() {
        return EnvoyAdminClient.builder().adminUrl(URI.create("http://127.0.0.1:" + admin.getPort()))
                .agentUrl(URI.create("http://127.0.0.1:" + admin.getPort())).callTimeout(Duration.ofSeconds(2)).build();
    }
}
