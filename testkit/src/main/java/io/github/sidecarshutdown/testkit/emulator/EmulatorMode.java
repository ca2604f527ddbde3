package io.github.sidecarshutdown.testkit.emulator;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which sidecar, and which of its termination behaviours, the {@link SidecarEmulator} reproduces:
 * Istio's by release line (classic and native), plain Envoy-less Pods, Linkerd's proxy, Dapr's daprd,
 * Istio ambient (no proxy in the Pod), Consul's dataplane and Kuma's kuma-dp (each with its Envoy).
 * Each Istio mode fixes the default
 * reported {@code ISTIO_VERSION} (which in turn selects pilot-agent's {@code /quitquitquit} and
 * {@code /drain} behaviour) and the reported Envoy version (which selects whether an inbound-only drain
 * also drain-closes outbound connections, Envoy &lt; 1.34, and whether {@code skip_exit} exists, Envoy
 * 1.28+). Both can be overridden on the builder.
 *
 * <p>{@link #forName(String)} also takes the library's {@code sidecar-mode} names ({@code istio},
 * {@code native}, {@code linkerd}, {@code dapr}, {@code consul}, {@code kuma}, {@code ambient},
 * {@code none}), so that the emulator is started with the same word the app is configured with.
 */
public enum EmulatorMode {

    /** Istio 1.0: Envoy dies at SIGTERM, every listener closes at once and the agent exits. */
    ISTIO_1_0("1.0.6", "1.8.0", true),

    /**
     * Istio 1.1–1.4: drain of ALL listeners by a hot restart with an empty configuration: from SIGTERM
     * new outbound and inbound connections are refused, open ones are drain-closed; Envoy is killed
     * after {@code terminationDrainDuration}.
     */
    ISTIO_1_1("1.1.17", "1.11.2", true),

    /**
     * Classic sidecar, Istio 1.5–1.25 (Envoy &lt; 1.34): at SIGTERM the agent posts
     * {@code /drain_listeners?inboundonly&graceful} (the form used since 1.8) and Envoy's global drain
     * manager also answers OUTBOUND HTTP/1.1 with {@code Connection: close}; Envoy is killed after
     * {@code terminationDrainDuration}. Reports ISTIO_VERSION 1.25.5 by default, so pilot-agent offers
     * {@code /drain} and its {@code /quitquitquit} drains and waits.
     */
    ISTIO_1_5("1.25.5", "1.33.5", true),

    /**
     * Classic sidecar, Istio 1.26+ (Envoy 1.34+, directional drain): outbound is untouched by the
     * inbound drain; pilot-agent's {@code /quitquitquit} kills Envoy at once.
     */
    ISTIO_1_26("1.26.2", "1.34.2", false),

    /**
     * {@link #ISTIO_1_26} with {@code EXIT_ON_ZERO_ACTIVE_CONNECTIONS=true}: after SIGTERM the agent
     * sleeps {@code MINIMUM_DRAIN_DURATION}, then polls its Envoy's
     * {@code /stats?usedonly&filter=downstream_cx_active$} until no connection is left.
     */
    EXIT_ON_ZERO_ACTIVE_CONNECTIONS("1.26.2", "1.34.2", false),

    /**
     * Istio native sidecar (Kubernetes sidecar container): {@link SidecarEmulator#podDeletionStarted()}
     * is the preStop {@code /drain}; the agent keeps answering 200; the kubelet's SIGTERM
     * ({@link SidecarEmulator#terminate()}) only comes after the app exited and kills Envoy at once.
     */
    NATIVE("1.26.2", "1.34.2", false),

    /**
     * No sidecar at all: nothing listens on the admin, agent and health addresses, the outbound proxy
     * and the inbound forwarder are transparent pass-throughs that never drain nor die.
     */
    NONE("", "", false),

    /**
     * Linkerd's proxy instead of Istio: its admin server ({@code GET /ready}, {@code /live},
     * {@code POST /shutdown}) on {@link SidecarEmulator#adminUrl()}; on SIGTERM it drains and exits
     * after {@code terminationDrainDuration}. No Envoy admin, no pilot-agent.
     */
    LINKERD("", "", false),

    /**
     * Dapr's daprd instead of Istio: {@code GET /v1.0/healthz[/outbound]} (204) and
     * {@code POST /v1.0/shutdown} (204) on {@link SidecarEmulator#adminUrl()}; on SIGTERM it shuts down
     * gracefully and exits after {@code terminationDrainDuration} (standing for
     * {@code --dapr-graceful-shutdown-seconds}). No Envoy admin, no pilot-agent.
     */
    DAPR("", "", false),

    /**
     * Istio ambient mode (Istio 1.24+): no proxy in the Pod at all, the node's ztunnel carries its
     * traffic. Nothing listens on the admin (15000), agent (15020) or health (15021) addresses, so
     * connections there are refused. The outbound proxy and the inbound forwarder are transparent
     * pass-throughs that never drain: ztunnel removes the Pod only after every container of the Pod
     * has exited ({@code istio/istio:architecture/ambient/ztunnel-cni-lifecycle.md}), which is what
     * {@link SidecarEmulator#terminate()} stands for in this mode: from then on outbound and inbound
     * connections are refused and open ones reset. A Pod simulator sends that signal once the last
     * container exited ({@code SidecarKind.AMBIENT}), never at the Pod's deletion. Inbound requests
     * keep arriving until endpoints forget the Pod; that lag is the load generator's, not ztunnel's.
     */
    AMBIENT("", "", false),

    /**
     * HashiCorp Consul's sidecar: consul-dataplane with its Envoy child, with consul-k8s's lifecycle
     * defaults (docs/emulator-meshes.md, section Consul, has every point with its source):
     * Envoy's admin API on {@link SidecarEmulator#adminUrl()} (Consul 19000), with Consul's node in
     * {@code /server_info}; the dataplane's lifecycle server on {@link SidecarEmulator#agentUrl()}
     * (consul-k8s 20600), where {@code /graceful_shutdown} (any method) answers 200 at once and in the
     * background posts {@code /drain_listeners?inboundonly&graceful&skip_exit} to Envoy (when
     * {@link SidecarEmulatorBuilder#shutdownDrainListeners(boolean)}), waits
     * {@link SidecarEmulatorBuilder#shutdownGracePeriod(java.time.Duration)} and posts {@code /quitquitquit};
     * {@code /graceful_startup} answers once Envoy is {@code LIVE} or the startup grace period is over.
     * SIGTERM ({@link SidecarEmulator#terminate()}) runs the same graceful shutdown once; consul-k8s
     * injects no preStop hook, so {@link SidecarEmulator#podDeletionStarted()} does nothing. The
     * dataplane exits (code 0) as soon as Envoy exits, whoever quit it. {@code /ready} stays
     * {@code LIVE} through the drain: Envoy's server state changes only with a failed health check.
     */
    CONSUL("", "1.38.2", false),

    /**
     * Kuma's (Kong Mesh's) sidecar: kuma-dp with its Envoy child (docs/emulator-meshes.md, section
     * Kuma): Envoy's admin API on {@link SidecarEmulator#adminUrl()} (Kuma 9901, over TCP as with
     * {@code envoyAdminUnixSocket: false}), with Kuma's node in {@code /server_info}; kuma-dp's
     * readiness reporter ({@code /ready}: {@code READY}, then 503 {@code TERMINATING}) on
     * {@link SidecarEmulator#agentUrl()} (Kuma 9902). At SIGTERM kuma-dp marks itself terminating, posts
     * {@code /healthcheck/fail} to Envoy (its {@code /ready} turns 503 {@code DRAINING} and every HTTP
     * connection, outbound too, is drain-closed), waits the drain time
     * ({@link SidecarEmulatorBuilder#drainDuration(java.time.Duration)}, {@code kuma.io/sidecar-drain-time},
     * 30 s) or a second SIGTERM, then kills Envoy and exits. kuma-dp has no quit endpoint; it exits at
     * once when Envoy exits (Envoy's {@code /quitquitquit}, which Kuma's control plane posts for a
     * finished Job). No preStop hook: {@link SidecarEmulator#podDeletionStarted()} does nothing.
     */
    KUMA("", "1.38.2", false);

    private final String defaultIstioVersion;
    private final String envoyVersion;
    private final boolean legacyEnvoyDrain;

    EmulatorMode(String defaultIstioVersion, String envoyVersion, boolean legacyEnvoyDrain) {
        this.defaultIstioVersion = defaultIstioVersion;
        this.envoyVersion = envoyVersion;
        this.legacyEnvoyDrain = legacyEnvoyDrain;
    }

    /** The {@code ISTIO_VERSION} reported by default in this mode (empty for {@link #NONE}). */
    public String defaultIstioVersion() {
        return defaultIstioVersion;
    }

    /** The Envoy version reported in {@code /server_info} by default (the one the mesh's image ships). */
    public String envoyVersion() {
        return envoyVersion;
    }

    /** Whether, by default, an inbound-only drain also drain-closes outbound and admin connections. */
    public boolean legacyEnvoyDrain() {
        return legacyEnvoyDrain;
    }

    /** Whether this mode has an Istio sidecar (Envoy and pilot-agent); false for {@link #AMBIENT}. */
    public boolean hasSidecar() {
        return this != NONE && this != AMBIENT && !isOtherMesh();
    }

    /**
     * Whether this mode emulates another mesh's sidecar ({@link #LINKERD}, {@link #DAPR}, {@link #CONSUL},
     * {@link #KUMA}).
     */
    public boolean isOtherMesh() {
        return this == LINKERD || this == DAPR || this == CONSUL || this == KUMA;
    }

    /**
     * Whether the sidecar runs an Envoy whose admin API answers on {@link SidecarEmulator#adminUrl()}: the
     * Istio sidecar modes, {@link #CONSUL} and {@link #KUMA}.
     */
    public boolean hasEnvoy() {
        return hasSidecar() || this == CONSUL || this == KUMA;
    }

    /**
     * Returns the library's {@code sidecar-mode} name this mode emulates, if it is that mode's default:
     * {@code istio} for the newest classic line ({@link #ISTIO_1_26}), {@code native}, {@code linkerd},
     * {@code dapr}, {@code consul}, {@code kuma}, {@code ambient}, {@code none}.
     *
     * @return the name, empty for the older Istio lines and {@link #EXIT_ON_ZERO_ACTIVE_CONNECTIONS}
     */
    public Optional<String> libraryName() {
        switch (this) {
            case ISTIO_1_26: return Optional.of("istio");
            case NATIVE: case NONE: case LINKERD: case DAPR: case AMBIENT: case CONSUL: case KUMA:
                return Optional.of(name().toLowerCase(Locale.ROOT));
            default: return Optional.empty();
        }
    }

    /**
     * Returns the mode for a name: one of the library's {@code sidecar-mode} names (see
     * {@link #libraryName()}) or a constant's name, in any case ({@code istio}, {@code ISTIO_1_5},
     * {@code exit_on_zero_active_connections}).
     *
     * @param name the name, surrounding blanks ignored
     * @return the mode
     * @throws IllegalArgumentException naming the value and the accepted names; for {@code envoy} and
     *     {@code auto} also why the emulator has no such mode
     */
    public static EmulatorMode forName(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        for (EmulatorMode mode : values()) {
            if (mode.libraryName().map(key::equals).orElse(false)
                    || mode.name().toLowerCase(Locale.ROOT).equals(key)) {
                return mode;
            }
        }
        String why = "";
        if (key.equals("envoy")) {
            why = ": the library's plain-Envoy mode (an Envoy without pilot-agent) is not emulated";
        } else if (key.equals("auto")) {
            why = ": auto is how the library finds its sidecar, pick the sidecar to emulate";
        }
        return fail("\"" + name + "\"" + why);
    }

    private static EmulatorMode fail(String what) {
        String library = "istio, native, linkerd, dapr, consul, kuma, ambient, none";
        String lines = Arrays.stream(values()).filter(m -> m.libraryName().isEmpty() || m == ISTIO_1_26)
                .map(Enum::name).collect(Collectors.joining(", "));
        throw new IllegalArgumentException(what + " (expected one of " + library + "; or an Istio release line: "
                + lines + ")");
    }
}
