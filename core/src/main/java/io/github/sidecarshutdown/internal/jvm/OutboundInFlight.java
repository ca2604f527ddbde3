package io.github.sidecarshutdown.internal.jvm;

import io.github.sidecarshutdown.ReleaseWait;
import io.github.sidecarshutdown.internal.LogSafe;
import io.github.sidecarshutdown.sidecar.OutboundTraffic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which outbound hosts still have requests in flight that began after the shutdown did, from the
 * sidecar's counters now and when the shutdown began (the baseline). Rules: docs/whole-jvm.md,
 * "Outbound requests in flight".
 *
 * <p>Why a baseline: Envoy counts a TCP proxy session (a database pool's connection, a Kafka
 * consumer's, any long-lived stream) as one active request for as long as it is open, so
 * {@code rq_active} never falls to 0 in a Pod with such connections, and a release that waited for
 * it would always wait until the deadline. What was already active when the shutdown began is taken
 * for such sessions; what began since is shutdown work and is waited for. A host's counts cannot name
 * requests, so when some began since and the count in flight is no higher than at the start, the
 * active ones may be old or new: they are taken as new (waited for) unless the host looks like TCP
 * sessions, where every request had its own connection ({@code rq_total == cx_total} and
 * {@code rq_active == cx_active}; HTTP reuses connections).
 */
final class OutboundInFlight {

    private OutboundInFlight() {
    }

    /** The hosts with requests in flight that began since {@code baseline}. */
    static List<Busy> busy(OutboundTraffic now, OutboundTraffic baseline) {
        Map<String, OutboundTraffic.Upstream> before = new HashMap<>();
        for (OutboundTraffic.Upstream u : baseline.upstreams()) {
            before.put(u.key(), u);
        }
        List<Busy> out = new ArrayList<>();
        for (OutboundTraffic.Upstream u : now.upstreams()) {
            if (u.requestsActive() <= 0) {
                continue;
            }
            OutboundTraffic.Upstream b = before.get(u.key());
            if (b == null || u.requestsTotal() < b.requestsTotal()) {
                out.add(busy(u, u.requestsActive())); // a host first seen since, or counters reset (the sidecar restarted)
                continue;
            }
            long fresh = u.requestsActive() - b.requestsActive();
            long started = u.requestsTotal() - b.requestsTotal();
            if (fresh > 0) {
                out.add(busy(u, fresh));
            } else if (started > 0 && !looksLikeTcpSessions(u)) {
                out.add(busy(u, Math.min(started, u.requestsActive())));
            }
        }
        return out;
    }

    /** Every request had its own connection, and each active one holds one: Envoy's TCP proxy sessions. */
    static boolean looksLikeTcpSessions(OutboundTraffic.Upstream u) {
        return u.requestsTotal() == u.connectionsTotal() && u.requestsActive() == u.connectionsActive();
    }

    private static Busy busy(OutboundTraffic.Upstream u, long requests) {
        // The names are the sidecar's text: they go into the report's log line only escaped.
        return new Busy(ReleaseWait.Kind.OUTBOUND_REQUESTS, LogSafe.of(u.cluster() + " (" + u.address() + ")"), null,
                requests + " request(s) in flight since the shutdown began");
    }
}
