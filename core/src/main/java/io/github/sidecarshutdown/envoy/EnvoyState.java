package io.github.sidecarshutdown.envoy;

/** Envoy's server state, as {@code /ready} and {@code /server_info} report it. */
public enum EnvoyState {
    /** Initialized; {@code /ready} answers 200. */
    LIVE,
    /** Only after {@code POST /healthcheck/fail}; an Istio termination drain does not set it. */
    DRAINING,
    /** Before the cluster manager initialized. */
    PRE_INITIALIZING,
    /** Waiting for the first xDS configuration. */
    INITIALIZING,
    /** A state name this library does not know. */
    UNKNOWN;

    static EnvoyState parse(String text) {
        String t = text.trim();
        for (EnvoyState s : values()) {
            if (s.name().equals(t)) {
                return s;
            }
        }
        return UNKNOWN;
    }
}
