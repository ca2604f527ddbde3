package io.github.sidecarshutdown.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The Service's load balancer as clients see it: it routes to Ready endpoints, and keeps routing to a
 * deleted Pod until the deletion has propagated ({@code lag} after the deletion), then forgets it.
 * That lag is what every Pod deletion in Kubernetes has to survive: the endpoints controller, kube-proxy
 * and the mesh's proxies learn of the deletion after the kubelet has already signalled the Pod.
 * Round robin over the routable endpoints; thread-safe.
 */
final class LoadBalancer {

    /** One endpoint: where requests go, and, once its Pod is deleted, from when it is forgotten. */
    private static final class Endpoint {
        final String pod;
        final int port;
        boolean deleted;
        long forgottenAtNanos;

        Endpoint(String pod, int port) {
            this.pod = pod;
            this.port = port;
        }
    }

    /** Where one request goes. */
    record Target(String pod, int port) {
    }

    private final Duration lag;
    private final LongSupplier nanoClock;
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private long next;

    LoadBalancer(Duration lag, LongSupplier nanoClock) {
        if (lag.isNegative()) {
            throw new IllegalArgumentException("lag: " + lag + " (expected: >= 0)");
        }
        this.lag = lag;
        this.nanoClock = nanoClock;
    }

    Duration lag() {
        return lag;
    }

    /** A Pod turned Ready: requests may go to it from now on. */
    synchronized void ready(String pod, int port) {
        endpoints.put(pod, new Endpoint(pod, port));
    }

    /** A Pod was deleted: it is routed to for {@code lag} more, then forgotten. */
    synchronized void deleted(String pod) {
        Endpoint e = endpoints.get(pod);
        if (e == null) {
            throw new IllegalArgumentException("deleted(" + pod + "): no such endpoint (known: " + endpoints.keySet() + ")");
        }
        if (!e.deleted) {
            e.deleted = true;
            e.forgottenAtNanos = nanoClock.getAsLong() + lag.toNanos();
        }
    }

    /** The next endpoint in round robin among those routable now; empty if none is. */
    synchronized Optional<Target> pick() {
        List<Endpoint> routable = routableNow();
        if (routable.isEmpty()) {
            return Optional.empty();
        }
        Endpoint e = routable.get((int) (next++ % routable.size()));
        return Optional.of(new Target(e.pod, e.port));
    }

    /** The Pods requests may go to now, in the order they turned Ready. */
    synchronized List<String> routable() {
        return routableNow().stream().map(e -> e.pod).toList();
    }

    private List<Endpoint> routableNow() {
        long now = nanoClock.getAsLong();
        List<Endpoint> list = new ArrayList<>(endpoints.size());
        for (Endpoint e : endpoints.values()) {
            if (!e.deleted || now - e.forgottenAtNanos < 0) {
                list.add(e);
            }
        }
        return list;
    }
}
