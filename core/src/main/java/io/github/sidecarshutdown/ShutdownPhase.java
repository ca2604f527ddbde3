package io.github.sidecarshutdown;

import java.util.Locale;

/**
 * The phases of the app's exit, in the order they run (docs/timeline.md). Early outbound tasks
 * start together with the propagation delay: deregistering from a registry is itself how peers
 * forget the Pod, and waiting for the delay first would spend the sidecar's outbound window.
 */
public enum ShutdownPhase {
    /** The app's readiness reports not-ready; nothing else changes. */
    READINESS_OFF,
    /** Keep serving while endpoints and Envoy clusters forget the Pod. */
    PROPAGATION_DELAY,
    /** Outbound cleanup that does not need inbound work to end (deregister); runs during the delay. */
    EARLY_OUTBOUND,
    /** Envoy drains inbound only; the app finishes its in-flight requests. */
    INBOUND_DRAIN,
    /** Outbound cleanup tasks (flush, notify peers), each guarded by the sidecar check. */
    CLEANUP,
    /** Local release: close pools, flush files. */
    RELEASE,
    /** Tell the sidecar the app is done, so the Pod ends now. */
    SIDECAR_RELEASE,
    /** Log the summary and publish the report. */
    REPORT;

    /** Whether tasks can be registered in this phase. */
    public boolean acceptsTasks() {
        return this == EARLY_OUTBOUND || this == INBOUND_DRAIN || this == CLEANUP || this == RELEASE;
    }

    /** Whether tasks of this phase need the sidecar by default (they make outbound calls). */
    public boolean needsSidecarByDefault() {
        return this == EARLY_OUTBOUND || this == CLEANUP;
    }

    /** Lowercase name for logs, JSON and metric tags. */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
