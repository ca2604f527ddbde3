package io.github.sidecarshutdown.testkit.emulator;

import java.time.Duration;

/**
 * Istio's and Kubernetes' timing defaults (istio {@code pkg/config/mesh/mesh.go},
 * {@code pilot/cmd/pilot-agent/options/options.go}, the injection template). The emulator's
 * builder defaults to the sidecar-side ones; the pod-side ones (probes, grace period,
 * {@code pilot-agent wait}) are here for Pod simulators and tests.
 */
public final class IstioDefaults {

    /** ProxyConfig {@code terminationDrainDuration}: agent wait between drain and SIGKILL of Envoy. */
    public static final Duration TERMINATION_DRAIN_DURATION = Duration.ofSeconds(5);
    /** ProxyConfig {@code drainDuration} = Envoy {@code --drain-time-s}. */
    public static final Duration DRAIN_DURATION = Duration.ofSeconds(45);
    /** pilot-agent env {@code MINIMUM_DRAIN_DURATION} (EXIT_ON_ZERO_ACTIVE_CONNECTIONS only). */
    public static final Duration MINIMUM_DRAIN_DURATION = Duration.ofSeconds(5);
    /** pilot-agent {@code activeConnectionCheckDelay}. */
    public static final Duration ACTIVE_CONNECTION_CHECK_INTERVAL = Duration.ofSeconds(1);
    /** Timeout of pilot-agent's stats request while polling active connections. */
    public static final Duration STATS_REQUEST_TIMEOUT = Duration.ofSeconds(2);
    /** Timeout of pilot-agent's readiness stats request. */
    public static final Duration READINESS_STATS_TIMEOUT = Duration.ofSeconds(3);
    /** Envoy {@code stats_flush_interval} in Istio ({@code server.state} refresh period). */
    public static final Duration STATS_FLUSH_INTERVAL = Duration.ofSeconds(5);
    /** Connect timeout of the 15021 listener's {@code agent} cluster. */
    public static final Duration HEALTH_CONNECT_TIMEOUT = Duration.ofMillis(250);
    /** {@code pilot-agent wait} polling period. */
    public static final Duration WAIT_PERIOD = Duration.ofMillis(500);
    /** {@code pilot-agent wait} per-request timeout. */
    public static final Duration WAIT_REQUEST_TIMEOUT = Duration.ofMillis(500);
    /** {@code pilot-agent wait} overall timeout. */
    public static final Duration WAIT_TIMEOUT = Duration.ofSeconds(60);
    /** Injected readiness probe period (failure threshold {@value #READINESS_FAILURE_THRESHOLD}). */
    public static final Duration READINESS_PROBE_PERIOD = Duration.ofSeconds(15);
    /** Injected readiness probe failure threshold. */
    public static final int READINESS_FAILURE_THRESHOLD = 4;
    /** Native sidecar startup probe period (failure threshold {@value #STARTUP_FAILURE_THRESHOLD}). */
    public static final Duration STARTUP_PROBE_PERIOD = Duration.ofSeconds(1);
    /** Native sidecar startup probe failure threshold. */
    public static final int STARTUP_FAILURE_THRESHOLD = 600;
    /** Pod {@code terminationGracePeriodSeconds}. */
    public static final Duration TERMINATION_GRACE_PERIOD = Duration.ofSeconds(30);
    /** pilot-agent gives up polling stats after this many consecutive errors (Istio 1.23+). */
    public static final int MAX_CONSECUTIVE_STATS_ERRORS = 5;

    private IstioDefaults() {
    }
}
