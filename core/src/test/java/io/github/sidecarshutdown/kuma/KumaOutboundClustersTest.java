package io.github.sidecarshutdown.kuma;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Kuma's outbound clusters: named after the services they reach; the dataplane's and inbound ones are not. */
class KumaOutboundClustersTest {

    @Test
    void servicesAndThePassthroughAreOutboundTheDataplanesClustersAreNot() {
        assertThat(KumaSidecar.isOutboundCluster("backend_kuma-demo_svc_3001")).isTrue();
        assertThat(KumaSidecar.isOutboundCluster("outbound:passthrough:ipv4")).isTrue();
        for (String own : new String[] {"kuma:envoy:admin", "kuma:readiness", "system_envoy_admin", "ads_cluster", "access_log_sink",
                "localhost:8080", "inbound:passthrough:ipv4", "tracing:zipkin"}) {
            assertThat(KumaSidecar.isOutboundCluster(own)).as(own).isFalse();
        }
    }
}
