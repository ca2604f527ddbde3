package io.github.sidecarshutdown.cli;

/** Every finding the linter knows, with its stable id (the rules table of docs/linter.md). */
public enum Rule {
    /** {@code proxy.istio.io/config} or {@code sidecar.istio.io/status} cannot be read. */
    MALFORMED_ANNOTATION("malformed-annotation"),
    /** A {@code SIDECAR_SHUTDOWN_*} value the library would refuse at startup. */
    INVALID_SETTING("invalid-setting"),
    /** A {@code SIDECAR_SHUTDOWN_*} variable that names no setting: the library ignores it, and the setting meant keeps its default. */
    UNKNOWN_SETTING("unknown-setting"),
    /** {@code terminationGracePeriodSeconds} shorter than the sidecar's drain window. */
    GRACE_SHORTER_THAN_DRAIN("grace-shorter-than-drain"),
    /** preStop sleep plus the app's shutdown plan does not fit in the grace period. */
    PRESTOP_EXCEEDS_GRACE("prestop-exceeds-grace"),
    /** Classic sidecar: the window runs during the app's preStop, so cleanup after it misses the window. */
    PRESTOP_EATS_WINDOW("prestop-eats-window"),
    /** The library's cleanup runs past the sidecar's outbound window. */
    CLEANUP_EXCEEDS_WINDOW("cleanup-exceeds-window"),
    /** The library's whole plan needs more than grace period minus safety margin. */
    PLAN_EXCEEDS_GRACE("plan-exceeds-grace"),
    /** EXIT_ON_ZERO_ACTIVE_CONNECTIONS without MINIMUM_DRAIN_DURATION. */
    EXIT_ON_ZERO_WITHOUT_MINIMUM("exit-on-zero-without-minimum"),
    /** holdApplicationUntilProxyStarts off for an app that seems to call out at startup. */
    HOLD_OFF_WITH_STARTUP_CALLS("hold-off-with-startup-calls"),
    /** A Job behind a classic Istio sidecar, without the library, that nothing releases: it never completes. */
    JOB_WITHOUT_SIDECAR_RELEASE("job-without-sidecar-release"),
    /**
     * A Job behind a classic Istio, Linkerd, Dapr or Consul sidecar whose container uses the library,
     * but not in the job workload: the library leaves the live sidecar running and the Job never completes.
     */
    JOB_WITHOUT_JOB_WORKLOAD("job-without-job-workload"),
    /** A Job in job mode with the release turned off: nothing ends the classic sidecar, the Job never completes. */
    JOB_RELEASE_DISABLED("job-release-disabled"),
    /**
     * A Job with {@code restartPolicy: OnFailure} whose classic sidecar is released when the app exits:
     * the app is restarted in place, the sidecar (exited 0) is not, and every retry's outbound calls fail.
     */
    ONFAILURE_RELEASED_SIDECAR("onfailure-released-sidecar"),
    /**
     * A Deployment, StatefulSet, DaemonSet or ReplicaSet in job mode: rollouts lose the propagation
     * delay, and an app-only restart quits the live sidecar.
     */
    JOB_WORKLOAD_IN_SERVICE("job-workload-in-service"),
    /** An ambient Pod (no sidecar) whose preStop or command calls a sidecar endpoint that is not there. */
    AMBIENT_SIDECAR_CALL("ambient-sidecar-call"),
    /** SIDECAR_SHUTDOWN_GRACE_PERIOD does not match what is left of terminationGracePeriodSeconds. */
    GRACE_PERIOD_MISMATCH("grace-period-mismatch"),
    /** The library's annotations file is not mounted with the downward API. */
    ANNOTATIONS_NOT_MOUNTED("annotations-not-mounted"),
    /**
     * Consul's grace period or Kuma's drain time is not shorter than terminationGracePeriodSeconds:
     * every Pod deletion takes the whole grace period and ends in SIGKILL.
     */
    MESH_WINDOW_EXCEEDS_GRACE("mesh-window-exceeds-grace"),
    /** Consul's grace period or Kuma's drain time keeps the Pod well past what the app needs (nothing releases it early). */
    MESH_WINDOW_LONGER_THAN_NEEDED("mesh-window-longer-than-needed"),
    /** Consul proxy lifecycle turned off: the dataplane quits Envoy at SIGTERM, no outbound during shutdown. */
    CONSUL_LIFECYCLE_OFF("consul-lifecycle-off");

    private final String id;

    Rule(String id) {
        this.id = id;
    }

    /** The kebab-case id printed and used in JSON. */
    public String id() {
        return id;
    }
}
