package io.github.sidecarshutdown.sidecar;

/** What a probe of the sidecar found (docs/sidecar-states.md). */
public enum SidecarState {
    /** Nothing ever answered: there is no sidecar (or it has not started). */
    ABSENT,
    /** Envoy answers but is not configured yet (pre-initializing, initializing, agent not ready). */
    STARTING,
    /** Envoy forwards and is not terminating. */
    LIVE,
    /**
     * Envoy still answers but pilot-agent got SIGTERM (its port refuses or reports not ready):
     * outbound works until the window ends.
     */
    TERMINATING,
    /** Envoy answered before and now refuses: outbound through the sidecar fails now. */
    GONE,
    /** The admin port neither answered nor refused in time; nothing can be concluded. */
    UNKNOWN;

    /** Whether outbound traffic through the sidecar can work in this state. */
    public boolean canForward() {
        return this == LIVE || this == TERMINATING || this == UNKNOWN || this == ABSENT;
    }
}
