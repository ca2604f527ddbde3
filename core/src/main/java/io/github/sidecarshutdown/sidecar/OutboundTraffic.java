package io.github.sidecarshutdown.sidecar;

import java.util.List;
import java.util.Objects;

/**
 * The sidecar's own count of the app's outbound traffic at one moment, per upstream host of its
 * outbound clusters: for Envoy, the host stats of {@code GET /clusters}, which Istio keeps even when
 * its stats matcher trims {@code /stats}. Only the app's outbound clusters are listed: not the
 * inbound ones, not the sidecar's own (admin, agent, xDS, metrics).
 *
 * <p>What the counts mean is Envoy's: {@code requestsActive} is an HTTP request or stream in flight,
 * or a whole TCP proxy session (Envoy's TCP pool counts a session as one request for as long as it is
 * open); an idle keep-alive or HTTP/2 connection is {@code connectionsActive} without
 * {@code requestsActive}. How the sidecar release reads them: {@code docs/whole-jvm.md}.
 *
 * @param upstreams one entry per upstream host
 */
public record OutboundTraffic(List<Upstream> upstreams) {

    public OutboundTraffic {
        upstreams = List.copyOf(upstreams);
    }

    /**
     * One upstream host of an outbound cluster.
     *
     * @param cluster           the sidecar's cluster, e.g. {@code outbound|4318||collector.observability.svc.cluster.local}
     * @param address           the host, e.g. {@code 10.0.3.7:4318}
     * @param requestsActive    requests (or TCP sessions) in flight to it ({@code rq_active})
     * @param requestsTotal     requests (or TCP sessions) started to it since the sidecar started ({@code rq_total})
     * @param connectionsActive connections open to it ({@code cx_active})
     * @param connectionsTotal  connections opened to it since the sidecar started ({@code cx_total})
     */
    public record Upstream(String cluster, String address, long requestsActive, long requestsTotal, long connectionsActive,
            long connectionsTotal) {

        public Upstream {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(address, "address");
        }

        /** {@code cluster::address}: the host's identity across readings. */
        public String key() {
            return cluster + "::" + address;
        }
    }
}
