package io.github.sidecarshutdown.metrics;

/** Meter names and tag keys, in one place. */
public final class SidecarMetricNames {

    /** Timer of whole shutdowns; tag {@code outcome} (clean, degraded, incomplete), {@code trigger}. */
    public static final String SHUTDOWN = "sidecar.shutdown";
    /** Timer per phase; tags {@code phase}, {@code outcome}. */
    public static final String PHASE = "sidecar.shutdown.phase";
    /** Timer per task; tags {@code phase}, {@code task}, {@code outcome}. */
    public static final String TASK = "sidecar.shutdown.task";
    /** Timer of admin and agent calls; tags {@code endpoint}, {@code outcome}. */
    public static final String ADMIN_REQUESTS = "sidecar.envoy.admin.requests";
    /** Gauge, 1 for the sidecar's last seen state and 0 for the others; tag {@code state}. */
    public static final String SIDECAR_STATE = "sidecar.state";

    /** Tag keys. */
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_TRIGGER = "trigger";
    public static final String TAG_PHASE = "phase";
    public static final String TAG_TASK = "task";
    public static final String TAG_ENDPOINT = "endpoint";
    public static final String TAG_STATE = "state";

    private SidecarMetricNames() {
    }
}
