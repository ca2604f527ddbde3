package io.github.sidecarshutdown.envoy;

/**
 * The admin and agent endpoints the library calls. The fixed set also serves as the bounded
 * {@code endpoint} tag of the admin request metric (never the raw URL).
 */
public enum AdminEndpoint {
    /** Envoy {@code GET /ready}. */
    READY("GET", Target.ADMIN, "/ready", "ready"),
    /** Envoy {@code GET /server_info}. */
    SERVER_INFO("GET", Target.ADMIN, "/server_info", "server_info"),
    /** Envoy {@code POST /drain_listeners}. */
    DRAIN_LISTENERS("POST", Target.ADMIN, "/drain_listeners", "drain_listeners"),
    /** Envoy {@code POST /quitquitquit}. */
    QUITQUITQUIT("POST", Target.ADMIN, "/quitquitquit", "quitquitquit"),
    /** Envoy {@code GET /stats}. */
    STATS("GET", Target.ADMIN, "/stats", "stats"),
    /** Envoy {@code GET /clusters}. */
    CLUSTERS("GET", Target.ADMIN, "/clusters", "clusters"),
    /** pilot-agent {@code GET /healthz/ready}. */
    AGENT_READY("GET", Target.AGENT, "/healthz/ready", "agent_ready"),
    /** pilot-agent {@code POST /quitquitquit}. */
    AGENT_QUITQUITQUIT("POST", Target.AGENT, "/quitquitquit", "agent_quitquitquit"),
    /** pilot-agent {@code POST /drain} (Istio 1.21 and later). */
    AGENT_DRAIN("POST", Target.AGENT, "/drain", "agent_drain");

    /** Which server an endpoint lives on. */
    public enum Target {
        /** Envoy admin, {@code 127.0.0.1:15000}. */
        ADMIN,
        /** pilot-agent status server, {@code :15020}. */
        AGENT
    }

    private final String method;
    private final Target target;
    private final String path;
    private final String tag;

    AdminEndpoint(String method, Target target, String path, String tag) {
        this.method = method;
        this.target = target;
        this.path = path;
        this.tag = tag;
    }

    public String method() {
        return method;
    }

    public Target target() {
        return target;
    }

    public String path() {
        return path;
    }

    /** Lowercase, bounded name for logs and metric tags. */
    public String tagValue() {
        return tag;
    }

    @Override
    public String toString() {
        return method + " " + (target == Target.AGENT ? "agent " : "") + path;
    }
}
