package io.github.sidecarshutdown.envoy;

import java.util.Objects;

/**
 * The traffic counters of one host of one cluster, as {@code GET /clusters} prints them (envoy
 * {@code source/server/admin/clusters_handler.cc}; the host stats of
 * {@code envoy/upstream/host_description.h}).
 *
 * @param cluster  the cluster's name, e.g. {@code outbound|8080||orders.default.svc.cluster.local}
 * @param address  the host as Envoy prints it, e.g. {@code 10.0.3.7:8080}, {@code [fd00::7]:8080}
 * @param rqActive {@code rq_active}: requests in flight to the host (a TCP proxy session counts as one for its whole life)
 * @param rqTotal  {@code rq_total}: requests started to the host
 * @param cxActive {@code cx_active}: connections open to the host
 * @param cxTotal  {@code cx_total}: connections opened to the host
 */
public record ClusterHostStats(String cluster, String address, long rqActive, long rqTotal, long cxActive, long cxTotal) {

    public ClusterHostStats {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(address, "address");
    }
}
