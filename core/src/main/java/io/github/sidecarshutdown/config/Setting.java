package io.github.sidecarshutdown.config;

import java.util.Locale;

/**
 * Every setting of the library, with the one name it has in every front end: the builder method,
 * the environment variable {@code SIDECAR_SHUTDOWN_*} and the Spring property
 * {@code sidecar.shutdown.*}. Error messages name the setting through this type, so they read the
 * same wherever the value came from.
 */
public enum Setting implements SettingKey {
    /** Whether the library does anything at all. */
    ENABLED("enabled", "enabled", Kind.BOOLEAN),
    /** The Pod's {@code terminationGracePeriodSeconds}; not visible from inside a container. */
    GRACE_PERIOD("grace-period", "gracePeriod", Kind.DURATION),
    /** Kept free at the end of the grace period for the JVM to exit before the kubelet's SIGKILL. */
    SAFETY_MARGIN("safety-margin", "safetyMargin", Kind.DURATION),
    /** Time to keep serving after readiness went off, while endpoints forget the Pod. */
    PROPAGATION_DELAY("propagation-delay", "propagationDelay", Kind.DURATION),
    /** Ends the propagation delay early once no inbound request arrived for this long; 0 = off. */
    QUIET_PERIOD("quiet-period", "quietPeriod", Kind.DURATION),
    /** The longest wait for in-flight inbound requests to finish. */
    DRAIN_TIMEOUT("drain-timeout", "drainTimeout", Kind.DURATION),
    /** Cap on the whole cleanup phase; empty = whatever is left of the deadline. */
    CLEANUP_BUDGET("cleanup-budget", "cleanupBudget", Kind.DURATION),
    /** Timeout of a task that sets none. */
    TASK_TIMEOUT("task-timeout", "taskTimeout", Kind.DURATION),
    /** A network task that would get less than this before the sidecar's window ends is skipped. */
    MINIMUM_TASK_WINDOW("minimum-task-window", "minimumTaskWindow", Kind.DURATION),
    /** {@code auto|istio|envoy|native|linkerd|dapr|consul|kuma|ambient|none}. */
    SIDECAR_MODE("sidecar-mode", "sidecarMode", Kind.ENUM),
    /** Whether admin and agent URLs may point at a host other than loopback. */
    ALLOW_NON_LOOPBACK("allow-non-loopback", "allowNonLoopback", Kind.BOOLEAN),
    /** Timeout of one admin or agent call. */
    ADMIN_TIMEOUT("admin-timeout", "adminTimeout", Kind.DURATION),
    /** Whether to tell the sidecar to exit once the app is done (classic Istio only). */
    RELEASE_SIDECAR("release-sidecar", "releaseSidecar", Kind.BOOLEAN),
    /** The longest wait for the sidecar at startup. */
    STARTUP_WAIT("startup-wait", "startupWait", Kind.DURATION),
    /** {@code optional|required}: what happens when no sidecar answers at startup. */
    STARTUP_POLICY("startup-policy", "startupPolicy", Kind.ENUM),
    /**
     * The downward-API file with the Pod's annotations ({@code proxy.istio.io/config},
     * {@code sidecar.istio.io/status}); a missing file leaves the defaults.
     */
    ANNOTATIONS_FILE("annotations-file", "annotationsFile", Kind.PATH),
    /**
     * {@code auto|service|job}: whether the JVM's exit is the Pod's end (a Job's Pod), which lets a
     * live classic sidecar be released; {@code auto} reads the Pod's labels ({@link #LABELS_FILE}).
     */
    WORKLOAD("workload", "workload", Kind.ENUM),
    /**
     * The downward-API file with the Pod's labels ({@code batch.kubernetes.io/job-name},
     * {@code job-name}); a missing file means a service.
     */
    LABELS_FILE("labels-file", "labelsFile", Kind.PATH);

    /** What kind of value a setting takes. */
    public enum Kind {
        /** {@code true|false}. */
        BOOLEAN("true or false"),
        /** {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1m30s}, {@code PT5S}. */
        DURATION("a duration such as 500ms, 5s, 2m, 1m30s or PT5S (0 where a setting can be off)"),
        /** A fixed set of words. */
        ENUM("one of the listed words"),
        /** An http(s) URL. */
        URL("an http URL such as http://127.0.0.1:15000"),
        /** A file path. */
        PATH("a file path such as /etc/podinfo/annotations");

        private final String accepted;

        Kind(String accepted) {
            this.accepted = accepted;
        }

        /** What a valid value looks like, for error messages. */
        public String accepted() {
            return accepted;
        }
    }

    private final String key;
    private final String builderMethod;
    private final Kind kind;

    Setting(String key, String builderMethod, Kind kind) {
        this.key = key;
        this.builderMethod = builderMethod;
        this.kind = kind;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public String envName() {
        return "SIDECAR_SHUTDOWN_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    @Override
    public String propertyName() {
        return "sidecar.shutdown." + key;
    }

    @Override
    public String builderMethod() {
        return builderMethod;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    /**
     * For a duration setting, whether 0 is a valid value: it is where 0 turns something off or means
     * "do not wait" (a delay, a margin, a drain). A timeout, a budget and the grace period must be at
     * least 1 ms: an HTTP timeout of 0 means "no timeout at all", and a budget of 0 leaves no time to
     * do anything. False for settings that are not durations.
     */
    @Override
    public boolean zeroAllowed() {
        if (kind != Kind.DURATION) {
            return false;
        }
        return switch (this) {
            case GRACE_PERIOD, CLEANUP_BUDGET, TASK_TIMEOUT, ADMIN_TIMEOUT -> false;
            default -> true;
        };
    }
}
