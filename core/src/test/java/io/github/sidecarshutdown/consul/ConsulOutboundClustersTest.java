package io.github.sidecarshutdown.consul;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Consul's outbound clusters: the upstreams' SNI names and transparent proxy's way out. */
class ConsulOutboundClustersTest {

    @Test
    void upstreamsAreNamedByTheirSniAndTheRestIsTheDataplanes() {
        assertThat(ConsulSidecar.isOutboundCluster("backend.default.dc1.internal.11111111-2222-3333-4444-555555555555.consul")).isTrue();
        assertThat(ConsulSidecar.isOutboundCluster("passthrough~backend.default.dc1.internal.1111.consul")).isTrue();
        assertThat(ConsulSidecar.isOutboundCluster("original-destination")).isTrue();
        for (String own : new String[] {"local_app", "local_agent", "self_admin", "consul-dataplane", "prometheus_backend"}) {
            assertThat(ConsulSidecar.isOutboundCluster(own)).as(own).isFalse();
        }
    }
}
