package io.github.sidecarshutdown.testkit.emulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Envoy's {@code GET /clusters} (envoy {@code source/server/admin/clusters_handler.cc}): per cluster its
 * circuit breakers and {@code added_via_api}, then per host every host stat sorted by name and the
 * host's attributes, one {@code <cluster>::<host>::<field>::<value>} line each; {@code ?format=json}
 * gives {@code cluster_statuses} instead.
 *
 * <p>The clusters are the mesh's, with the names its control plane gives them: the outbound proxy's
 * upstream hosts with their live counters ({@link OutboundClusters}), the inbound cluster with the
 * requests being forwarded to the app, and the sidecar's own infrastructure clusters, whose
 * configuration stream to the control plane is one request that stays active for the proxy's whole
 * life. A client that wants the app's outbound requests must pick the outbound clusters out.
 */
final class ClustersPage {

    /** Consul's SPIFFE trust domain stand-in in upstream cluster names (SNI form). */
    static final String CONSUL_TRUST_DOMAIN = "11111111-2222-3333-4444-555555555555.consul";

    private final EmulatorSettings settings;
    private final EnvoyProcess envoy;
    private final int agentPort;

    ClustersPage(EmulatorSettings settings, EnvoyProcess envoy, int agentPort) {
        this.settings = settings;
        this.envoy = envoy;
        this.agentPort = agentPort;
    }

    /** One cluster: its name, whether it came over xDS, and its hosts (address, stats). */
    private record Cluster(String name, boolean viaApi, List<Map.Entry<String, Map<String, Long>>> hosts) {
    }

    HttpResponse render(Map<String, String> params) {
        List<Cluster> clusters = clusters();
        if ("json".equals(params.get("format"))) {
            return HttpResponse.of(200, AdminServer.JSON, json(clusters));
        }
        StringBuilder sb = new StringBuilder();
        for (Cluster c : clusters) {
            for (String priority : List.of("default_priority", "high_priority")) {
                sb.append(c.name).append("::").append(priority).append("::max_connections::1024\n");
                sb.append(c.name).append("::").append(priority).append("::max_pending_requests::1024\n");
                sb.append(c.name).append("::").append(priority).append("::max_requests::1024\n");
                sb.append(c.name).append("::").append(priority).append("::max_retries::3\n");
            }
            sb.append(c.name).append("::added_via_api::").append(c.viaApi).append('\n');
            for (Map.Entry<String, Map<String, Long>> h : c.hosts) {
                String prefix = c.name + "::" + h.getKey() + "::";
                for (Map.Entry<String, Long> stat : h.getValue().entrySet()) {
                    sb.append(prefix).append(stat.getKey()).append("::").append(stat.getValue()).append('\n');
                }
                sb.append(prefix).append("hostname::\n");
                sb.append(prefix).append("health_flags::healthy\n");
                sb.append(prefix).append("weight::1\n");
                sb.append(prefix).append("region::\n");
                sb.append(prefix).append("zone::\n");
                sb.append(prefix).append("sub_zone::\n");
                sb.append(prefix).append("canary::false\n");
                sb.append(prefix).append("priority::0\n");
                sb.append(prefix).append("success_rate::-1\n");
                sb.append(prefix).append("local_origin_success_rate::-1\n");
            }
        }
        return HttpResponse.of(200, AdminServer.TEXT, sb.toString());
    }

    private List<Cluster> clusters() {
        List<Cluster> out = new ArrayList<>();
        String loopback = "127.0.0.1:";
        Map<String, Long> stream = stats(1, 1, 1, 1); // a configuration stream: one request, open for good
        Map<String, Long> inbound = stats(envoy.inboundRequestsActive(), envoy.inboundRequestsActive(), 0, 0);
        int admin = envoy.adminPort();
        switch (settings.mode()) {
            case CONSUL:
                out.add(new Cluster("consul-dataplane", false, List.of(Map.entry(loopback + agentPort, stream))));
                out.add(new Cluster("local_app", true, List.of(Map.entry(loopback + settings.appPort(), inbound))));
                out.add(new Cluster("self_admin", false, List.of(Map.entry(loopback + admin, stats(0, 0, 0, 0)))));
                break;
            case KUMA:
                out.add(new Cluster("access_log_sink", false, List.of()));
                out.add(new Cluster("ads_cluster", false, List.of(Map.entry(loopback + agentPort, stream))));
                out.add(new Cluster("inbound:passthrough:ipv4", true, List.of()));
                out.add(new Cluster("kuma:envoy:admin", true, List.of(Map.entry(loopback + admin, stats(0, 0, 0, 0)))));
                out.add(new Cluster("localhost:" + settings.appPort(), true,
                        List.of(Map.entry(loopback + settings.appPort(), inbound))));
                out.add(new Cluster("outbound:passthrough:ipv4", true, List.of()));
                break;
            default:
                out.add(new Cluster("BlackHoleCluster", true, List.of()));
                out.add(new Cluster("InboundPassthroughCluster", true, List.of()));
                out.add(new Cluster("PassthroughCluster", true, List.of()));
                out.add(new Cluster("agent", false, List.of(Map.entry(loopback + agentPort, stats(0, 0, 0, 0)))));
                out.add(new Cluster("inbound|" + settings.appPort() + "||", true,
                        List.of(Map.entry(loopback + settings.appPort(), inbound))));
                out.add(new Cluster("prometheus_stats", false, List.of(Map.entry(loopback + admin, stats(0, 0, 0, 0)))));
                out.add(new Cluster("sds-grpc", false, List.of(Map.entry("./var/run/secrets/workload-spiffe-uds/socket", stream))));
                out.add(new Cluster("xds-grpc", false, List.of(Map.entry("./etc/istio/proxy/XDS", stream))));
                break;
        }
        OutboundClusters upstreams = envoy.outboundClusters();
        for (Map.Entry<String, Map<String, Long>> h : upstreams.snapshot()) {
            out.add(new Cluster(outboundName(h.getKey()), true, List.of(Map.entry(upstreams.address(h.getKey()), h.getValue()))));
        }
        return out;
    }

    /** The outbound cluster for {@code host:port} in this mesh's naming. */
    String outboundName(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        String port = hostPort.substring(colon + 1);
        String label = host.replaceAll("[^A-Za-z0-9]", "-").toLowerCase(Locale.ROOT);
        switch (settings.mode()) {
            case CONSUL:
                // The upstream's SNI: <service>.<namespace>.<datacenter>.internal.<trust domain>
                return label + "-" + port + ".default.dc1.internal." + CONSUL_TRUST_DOMAIN;
            case KUMA:
                // kuma.io/service of a Kubernetes Service: <name>_<namespace>_svc_<port>
                return label + "_default_svc_" + port;
            default:
                return "outbound|" + port + "||" + host;
        }
    }

    private static Map<String, Long> stats(long rqActive, long rqTotal, long cxActive, long cxTotal) {
        Map<String, Long> s = new TreeMap<>();
        s.put("cx_active", cxActive);
        s.put("cx_connect_fail", 0L);
        s.put("cx_total", cxTotal);
        s.put("rq_active", rqActive);
        s.put("rq_error", 0L);
        s.put("rq_success", Math.max(0, rqTotal - rqActive));
        s.put("rq_timeout", 0L);
        s.put("rq_total", rqTotal);
        return s;
    }

    /** {@code ?format=json}: gauges carry {@code "type":"GAUGE"}, counters no type (proto3 default), values as strings. */
    private static String json(List<Cluster> clusters) {
        List<Object> statuses = new ArrayList<>();
        for (Cluster c : clusters) {
            List<Object> hosts = new ArrayList<>();
            for (Map.Entry<String, Map<String, Long>> h : c.hosts) {
                List<Object> stats = new ArrayList<>();
                for (Map.Entry<String, Long> s : h.getValue().entrySet()) {
                    Map<String, Object> stat = new LinkedHashMap<>();
                    if (s.getKey().endsWith("_active")) {
                        stat.put("type", "GAUGE");
                    }
                    stat.put("name", s.getKey());
                    stat.put("value", String.valueOf(s.getValue()));
                    stats.add(stat);
                }
                Map<String, Object> host = new LinkedHashMap<>();
                host.put("address", address(h.getKey()));
                host.put("stats", stats);
                host.put("health_status", Map.of("eds_health_status", "HEALTHY"));
                host.put("weight", 1);
                hosts.add(host);
            }
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("name", c.name);
            status.put("added_via_api", c.viaApi);
            if (!hosts.isEmpty()) {
                status.put("host_statuses", hosts);
            }
            statuses.add(status);
        }
        return Json.pretty(Map.of("cluster_statuses", statuses));
    }

    private static Map<String, Object> address(String hostAddress) {
        int colon = hostAddress.lastIndexOf(':');
        if (colon < 0 || hostAddress.startsWith(".")) {
            return Map.of("pipe", Map.of("path", hostAddress));
        }
        String ip = hostAddress.substring(0, colon).replace("[", "").replace("]", "");
        Map<String, Object> socket = new LinkedHashMap<>();
        socket.put("address", ip);
        socket.put("port_value", Integer.parseInt(hostAddress.substring(colon + 1)));
        return Map.of("socket_address", socket);
    }
}
