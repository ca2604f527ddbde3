package io.github.sidecarshutdown.testkit.emulator;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One request received by the emulated Envoy admin, pilot-agent or health listener
 * (so tests can assert, e.g., that a client sent {@code POST /drain_listeners?inboundonly&graceful}).
 *
 * @param target which endpoint received it
 * @param method the HTTP method as sent
 * @param path the path without the query
 * @param query the raw query without {@code ?}, empty when none (e.g. {@code inboundonly&graceful})
 * @param at wall-clock time of receipt
 * @param nanoTime {@link System#nanoTime()} at receipt, for ordering and intervals
 * @param fromSidecar true when the emulated sidecar sent it to itself (pilot-agent's drain call and
 *     stats polling, the health listener's forward); false for calls from the application
 */
public record RecordedCall(Target target, String method, String path, String query, Instant at, long nanoTime,
        boolean fromSidecar) {

    /** Which emulated endpoint received a call. */
    public enum Target {
        /** Envoy admin, Istio port 15000. */
        ADMIN,
        /**
         * pilot-agent status server, Istio port 15020; consul-dataplane's lifecycle server or kuma-dp's
         * readiness reporter in those modes.
         */
        AGENT,
        /** Envoy's health listener, Istio port 15021. */
        HEALTH
    }

    /** Validates the components. */
    public RecordedCall {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(at, "at");
    }

    /** Whether the query has the flag {@code name}, with or without a value (Envoy's presence rule). */
    public boolean hasQueryFlag(String name) {
        return !query.isEmpty() && Arrays.stream(query.split("&"))
                .map(p -> p.contains("=") ? p.substring(0, p.indexOf('=')) : p)
                .anyMatch(name::equals);
    }

    /** {@code METHOD path?query}, handy in assertions. */
    @Override
    public String toString() {
        return target + " " + method + " " + path + (query.isEmpty() ? "" : "?" + query)
                + (fromSidecar ? " (from sidecar)" : "");
    }
}
