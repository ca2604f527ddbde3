package io.github.sidecarshutdown.envoy;

/** Presence flags of {@code POST /drain_listeners} (docs/sidecar-protocol.md §3.4). */
public enum DrainFlag {
    /** Only listeners with {@code traffic_direction: INBOUND}; outbound keeps working. */
    INBOUND_ONLY("inboundonly"),
    /** Drain for {@code --drain-time-s} while still accepting, instead of stopping at once. */
    GRACEFUL("graceful"),
    /** With {@link #GRACEFUL}: never stop the listeners at the end of the drain (Envoy 1.28+). */
    SKIP_EXIT("skip_exit");

    private final String queryName;

    DrainFlag(String queryName) {
        this.queryName = queryName;
    }

    /** The query parameter name, sent without a value. */
    public String queryName() {
        return queryName;
    }
}
