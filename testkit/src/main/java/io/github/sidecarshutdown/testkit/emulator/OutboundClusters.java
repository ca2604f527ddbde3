package io.github.sidecarshutdown.testkit.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outbound proxy's per-upstream-host counters, as Envoy keeps them per host of a cluster and
 * prints them in {@code GET /clusters} (envoy {@code source/server/admin/clusters_handler.cc}; the
 * host stats of {@code envoy/upstream/host_description.h} {@code ALL_HOST_STATS}):
 * {@code rq_active}/{@code cx_active} (gauges), {@code rq_total}/{@code cx_total}/{@code rq_success}/
 * {@code rq_error} (counters).
 *
 * <p>How the emulator's forward proxy maps onto Envoy's pools: a forwarded HTTP request is one
 * request to its host for as long as it is forwarded ({@code rq_active}); a downstream keep-alive
 * connection whose last request went to a host stands for the upstream connection Envoy's HTTP pool
 * keeps to that host ({@code cx_active} without {@code rq_active} while idle); a CONNECT tunnel is a
 * TCP proxy session, which Envoy's TCP pool counts as one active request on one connection for the
 * whole session ({@code source/common/tcp/conn_pool.h}: the session is attached to the pool like a
 * stream), so a tunnel is {@code rq_active} and {@code cx_active} until it closes.
 */
final class OutboundClusters {

    /** One upstream host's counters. */
    static final class Host {
        final AtomicLong rqActive = new AtomicLong();
        final AtomicLong rqTotal = new AtomicLong();
        final AtomicLong rqSuccess = new AtomicLong();
        final AtomicLong rqError = new AtomicLong();
        final AtomicLong cxTotal = new AtomicLong();
        final AtomicLong tunnelsActive = new AtomicLong();
        /** The upstream address as Envoy prints a host ({@code 127.0.0.1:8080}, {@code [::1]:8080}). */
        volatile String address = "";
    }

    /** Host name as the app addressed it ({@code localhost}, {@code 127.0.0.1}) and port, e.g. {@code 127.0.0.1:8080}. */
    private final Map<String, Host> hosts = new ConcurrentHashMap<>();
    /** Open downstream connections and the host their last plain HTTP request went to. */
    private final Map<ListenerConnection, String> keptAlive = new ConcurrentHashMap<>();

    private Host host(String hostPort) {
        return hosts.computeIfAbsent(hostPort, k -> new Host());
    }

    /** Records the address {@code hostPort} resolved to (before its first request or tunnel). */
    void resolved(String hostPort, java.net.InetAddress address, int port) {
        String ip = address.getHostAddress();
        host(hostPort).address = (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }

    /** A plain HTTP request on {@code downstream} is being forwarded to {@code hostPort}. */
    void requestStarted(String hostPort, ListenerConnection downstream) {
        Host h = host(hostPort);
        h.rqTotal.incrementAndGet();
        h.rqActive.incrementAndGet();
        String before = keptAlive.put(downstream, hostPort);
        if (!hostPort.equals(before)) {
            h.cxTotal.incrementAndGet(); // the pool opens a connection to this host
        }
    }

    /** The request ended; {@code ok}: the upstream answered. */
    void requestEnded(String hostPort, boolean ok) {
        Host h = host(hostPort);
        h.rqActive.decrementAndGet();
        (ok ? h.rqSuccess : h.rqError).incrementAndGet();
    }

    /** A CONNECT tunnel (a TCP session) to {@code hostPort} opened. */
    void tunnelOpened(String hostPort) {
        Host h = host(hostPort);
        h.rqTotal.incrementAndGet();
        h.rqActive.incrementAndGet();
        h.cxTotal.incrementAndGet();
        h.tunnelsActive.incrementAndGet();
    }

    /** The tunnel to {@code hostPort} closed. */
    void tunnelClosed(String hostPort) {
        Host h = host(hostPort);
        h.rqActive.decrementAndGet();
        h.tunnelsActive.decrementAndGet();
        h.rqSuccess.incrementAndGet();
    }

    /** The address {@code hostPort} resolved to, as Envoy prints a host. */
    String address(String hostPort) {
        return host(hostPort).address;
    }

    /** Every host seen so far ({@code host:port} as the app addressed it) with its counters now, sorted by host. */
    List<Map.Entry<String, Map<String, Long>>> snapshot() {
        keptAlive.keySet().removeIf(c -> c.socket().isClosed());
        Map<String, Long> idleConnections = new TreeMap<>();
        for (String hostPort : keptAlive.values()) {
            idleConnections.merge(hostPort, 1L, Long::sum);
        }
        List<Map.Entry<String, Map<String, Long>>> out = new ArrayList<>();
        for (Map.Entry<String, Host> e : new TreeMap<>(hosts).entrySet()) {
            Host h = e.getValue();
            // Envoy prints a host's stats sorted by name (clusters_handler.cc builds a std::map).
            Map<String, Long> stats = new TreeMap<>();
            stats.put("cx_active", idleConnections.getOrDefault(e.getKey(), 0L) + h.tunnelsActive.get());
            stats.put("cx_connect_fail", 0L);
            stats.put("cx_total", h.cxTotal.get());
            stats.put("rq_active", h.rqActive.get());
            stats.put("rq_error", h.rqError.get());
            stats.put("rq_success", h.rqSuccess.get());
            stats.put("rq_timeout", 0L);
            stats.put("rq_total", h.rqTotal.get());
            out.add(Map.entry(e.getKey(), stats));
        }
        return out;
    }
}
