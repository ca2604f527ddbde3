package io.github.sidecarshutdown.testkit.emulator;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link SidecarEmulator}. Every knob defaults to Istio's ({@link IstioDefaults}), or to the mode's mesh's, so that
 * tests only shorten what they need. Mutable and not thread-safe; may
 * build several emulators.
 */
public final class SidecarEmulatorBuilder {

    private EmulatorMode mode = EmulatorMode.ISTIO_1_26;
    private @Nullable String istioVersion;
    private @Nullable String envoyVersion;
    private @Nullable Boolean legacyEnvoyDrain;
    private @Nullable Boolean downstreamConnectionStats;
    private boolean trafficStats;
    private boolean shutdownEndpointEnabled = true;
    private Duration terminationDrainDuration = IstioDefaults.TERMINATION_DRAIN_DURATION;
    private @Nullable Duration drainDuration;
    private Duration shutdownGracePeriod = MeshDefaults.CONSUL_SHUTDOWN_GRACE_PERIOD;
    private boolean shutdownDrainListeners = true;
    private Duration startupGracePeriod = Duration.ZERO;
    private Duration minimumDrainDuration = IstioDefaults.MINIMUM_DRAIN_DURATION;
    private Duration activeConnectionCheckInterval = IstioDefaults.ACTIVE_CONNECTION_CHECK_INTERVAL;
    private Duration statsRequestTimeout = IstioDefaults.STATS_REQUEST_TIMEOUT;
    private Duration statsFlushInterval = IstioDefaults.STATS_FLUSH_INTERVAL;
    private Duration healthConnectTimeout = IstioDefaults.HEALTH_CONNECT_TIMEOUT;
    private Duration timeToInitializing = Duration.ZERO;
    private Duration timeToLive = Duration.ZERO;
    private int appPort;
    private int adminPort;
    private int agentPort;
    private boolean statusServerEnabled = true;
    private int healthPort;
    private int outboundPort;
    private int inboundPort;
    private Consumer<SidecarEvent> listener = e -> { };

    SidecarEmulatorBuilder() {
    }

    /** Termination behaviour to emulate. Default {@link EmulatorMode#ISTIO_1_26}. */
    public SidecarEmulatorBuilder mode(EmulatorMode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * {@code ISTIO_VERSION} reported in {@code /server_info}; also selects pilot-agent's behaviour
     * ({@code /drain} exists from 1.21, {@code /quitquitquit} exists from 1.3 and kills at once from
     * 1.26). Default: {@link EmulatorMode#defaultIstioVersion()} of the mode.
     */
    public SidecarEmulatorBuilder istioVersion(String istioVersion) {
        Objects.requireNonNull(istioVersion, "istioVersion");
        IstioVersion.parse(istioVersion);
        this.istioVersion = istioVersion;
        return this;
    }

    /**
     * The Envoy version, e.g. {@code "1.34.1"} or {@code "1.33.2-dev"}: reported in {@code /server_info}
     * as {@code "version": "<sha>/1.34.1/Clean/RELEASE/BoringSSL"}, and it selects the admin API's
     * behaviour as that Envoy has it:
     * <ul>
     *   <li>below 1.34 an {@code inboundonly&graceful} drain drain-closes every HTTP connection, outbound,
     *       15021 and admin included (envoyproxy/envoy#35020); from 1.34 only inbound ones
     *       (envoyproxy/envoy#37873);</li>
     *   <li>below 1.28 {@code drain_listeners} does not know {@code skip_exit} and ignores it, so
     *       {@code ?graceful&skip_exit} still stops the listeners at the end of the drain time and
     *       {@code ?skip_exit} alone is a non-graceful drain, not a 400 (envoyproxy/envoy#30003).</li>
     * </ul>
     * Default: {@link EmulatorMode#envoyVersion()} of the mode.
     */
    public SidecarEmulatorBuilder envoyVersion(String envoyVersion) {
        Objects.requireNonNull(envoyVersion, "envoyVersion");
        EnvoyVersion.parse(envoyVersion);
        this.envoyVersion = envoyVersion;
        return this;
    }

    /**
     * Whether an inbound-only graceful drain also drain-closes outbound, health and admin connections
     * (Envoy &lt; 1.34). Without {@link #envoyVersion(String)} this also picks the reported version
     * (1.33.5 or 1.34.2); with it, it must agree with that version. Default:
     * {@link EmulatorMode#legacyEnvoyDrain()}, or what {@link #envoyVersion(String)} implies.
     */
    public SidecarEmulatorBuilder legacyEnvoyDrain(boolean legacyEnvoyDrain) {
        this.legacyEnvoyDrain = legacyEnvoyDrain;
        return this;
    }

    /**
     * Whether {@code /stats} exposes {@code listener.*.downstream_cx_active}. Istio only includes them with
     * EXIT_ON_ZERO_ACTIVE_CONNECTIONS or a custom stats matcher (istio {@code pkg/bootstrap/config.go}). Default: true only in
     * {@link EmulatorMode#EXIT_ON_ZERO_ACTIVE_CONNECTIONS}.
     */
    public SidecarEmulatorBuilder downstreamConnectionStats(boolean enabled) {
        this.downstreamConnectionStats = enabled;
        return this;
    }

    /**
     * Whether {@code /stats} has Envoy's per-listener connection stats and the inbound HTTP connection
     * manager's request stats, as a Pod with {@code sidecar.istio.io/statsInclusionPrefixes:
     * "listener.,http."} (or the same {@code proxyStatsMatcher}) has; Istio's default matcher drops them.
     * Names exactly as Envoy's, with Istio's nominal ports whatever port the emulator bound:
     * <ul>
     *   <li>{@code listener.0.0.0.0_15001.downstream_cx_total} (counter) and
     *       {@code listener.0.0.0.0_15001.downstream_cx_active} (gauge), the same for {@code 0.0.0.0_15006}
     *       (inbound) and {@code 0.0.0.0_15021}, each also per worker ({@code listener.0.0.0.0_15006.worker_0.
     *       downstream_cx_total}); {@code listener.admin.downstream_cx_total} and
     *       {@code listener.admin.main_thread.*} for the admin listener (envoy
     *       {@code source/common/listener_manager/listener_impl.cc} names the listener scope
     *       {@code listener.<address>_<port>.}, {@code connection_handler_impl.cc} adds the per-worker
     *       {@code worker_<n>.} scope);</li>
     *   <li>{@code http.inbound_0.0.0.0_<appPort>;.downstream_rq_total} (counter; without the {@code ;}
     *       before Istio 1.23, which added it to stat prefixes),
     *       {@code .downstream_rq_active} (gauge) and {@code .downstream_cx_drain_close} (counter), with
     *       {@code inbound_0.0.0.0_<port>} the stat prefix Istio gives the inbound HTTP connection manager
     *       of the app's port; only when {@link #appPort(int)} is set.</li>
     * </ul>
     * Default false.
     */
    public SidecarEmulatorBuilder trafficStats(boolean enabled) {
        this.trafficStats = enabled;
        return this;
    }

    /** ProxyConfig {@code terminationDrainDuration}: SIGTERM to Envoy SIGKILL. Default 5 s. */
    public SidecarEmulatorBuilder terminationDrainDuration(Duration duration) {
        this.terminationDrainDuration = nonNegative(duration, "terminationDrainDuration");
        return this;
    }

    /**
     * Envoy's drain time ({@code --drain-time-s}), after which listeners drained without {@code skip_exit}
     * stop: Istio's ProxyConfig {@code drainDuration} (default 45 s); in {@link EmulatorMode#KUMA} also
     * kuma-dp's wait between {@code /healthcheck/fail} and killing Envoy ({@code kuma.io/sidecar-drain-time},
     * default 30 s); in {@link EmulatorMode#CONSUL} consul-dataplane's {@code -envoy-drain-time-seconds}
     * (default 30 s).
     */
    public SidecarEmulatorBuilder drainDuration(Duration duration) {
        this.drainDuration = nonNegative(duration, "drainDuration");
        return this;
    }

    /**
     * {@link EmulatorMode#CONSUL} only: consul-dataplane's {@code -shutdown-grace-period-seconds}
     * (annotation {@code consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds}), the
     * fixed wait between a graceful shutdown's start and its {@code /quitquitquit} to Envoy. Not rounded
     * to seconds, so that tests can be quick. Default 30 s, consul-k8s's default.
     */
    public SidecarEmulatorBuilder shutdownGracePeriod(Duration duration) {
        this.shutdownGracePeriod = nonNegative(duration, "shutdownGracePeriod");
        return this;
    }

    /**
     * {@link EmulatorMode#CONSUL} only: consul-dataplane's {@code -shutdown-drain-listeners} (annotation
     * {@code consul.hashicorp.com/enable-sidecar-proxy-lifecycle-shutdown-drain-listeners}): whether a
     * graceful shutdown drains Envoy's inbound listeners first. Default true, consul-k8s's default.
     */
    public SidecarEmulatorBuilder shutdownDrainListeners(boolean enabled) {
        this.shutdownDrainListeners = enabled;
        return this;
    }

    /**
     * {@link EmulatorMode#CONSUL} only: consul-dataplane's {@code -startup-grace-period-seconds}, the
     * longest {@code /graceful_startup} waits for Envoy to be {@code LIVE}; 0 answers at once. Default 0,
     * consul-k8s's default.
     */
    public SidecarEmulatorBuilder startupGracePeriod(Duration duration) {
        this.startupGracePeriod = nonNegative(duration, "startupGracePeriod");
        return this;
    }

    /** {@code MINIMUM_DRAIN_DURATION}, the sleep before EXIT_ON_ZERO polling starts. Default 5 s. */
    public SidecarEmulatorBuilder minimumDrainDuration(Duration duration) {
        this.minimumDrainDuration = nonNegative(duration, "minimumDrainDuration");
        return this;
    }

    /** Period of EXIT_ON_ZERO active-connection polling. Default 1 s. */
    public SidecarEmulatorBuilder activeConnectionCheckInterval(Duration interval) {
        this.activeConnectionCheckInterval = positive(interval, "activeConnectionCheckInterval");
        return this;
    }

    /** Timeout of the agent's stats request while polling. Default 2 s. */
    public SidecarEmulatorBuilder statsRequestTimeout(Duration timeout) {
        this.statsRequestTimeout = positive(timeout, "statsRequestTimeout");
        return this;
    }

    /** Envoy stats flush interval: {@code server.state} changes only at flushes. Default 5 s. */
    public SidecarEmulatorBuilder statsFlushInterval(Duration interval) {
        this.statsFlushInterval = positive(interval, "statsFlushInterval");
        return this;
    }

    /** Connect timeout of the health listener towards the agent. Default 250 ms. */
    public SidecarEmulatorBuilder healthConnectTimeout(Duration timeout) {
        this.healthConnectTimeout = positive(timeout, "healthConnectTimeout");
        return this;
    }

    /** Time from start spent in {@code PRE_INITIALIZING} before {@code INITIALIZING}. Default 0. */
    public SidecarEmulatorBuilder timeToInitializing(Duration duration) {
        this.timeToInitializing = nonNegative(duration, "timeToInitializing");
        return this;
    }

    /** Time from start until Envoy is {@code LIVE} (config received, workers started). Default 0. */
    public SidecarEmulatorBuilder timeToLive(Duration duration) {
        this.timeToLive = nonNegative(duration, "timeToLive");
        return this;
    }

    /** Port of the app on 127.0.0.1 behind the inbound listener. Default 0 = none (inbound answers 503). */
    public SidecarEmulatorBuilder appPort(int port) {
        this.appPort = port(port, "appPort");
        return this;
    }

    /** Envoy admin port (Istio 15000). Default 0 = ephemeral. */
    public SidecarEmulatorBuilder adminPort(int port) {
        this.adminPort = port(port, "adminPort");
        return this;
    }

    /**
     * pilot-agent status port (Istio 15020; a Pod moves it with the annotation
     * {@code status.sidecar.istio.io/port}). {@code /server_info} reports the bound port as
     * {@code node.metadata.PROXY_CONFIG.statusPort}, so a client can find a moved agent there. Default 0 =
     * ephemeral.
     */
    public SidecarEmulatorBuilder agentPort(int port) {
        this.agentPort = port(port, "agentPort");
        return this;
    }

    /**
     * Whether pilot-agent's status server listens at all. {@code false} is a Pod with
     * {@code status.sidecar.istio.io/port: "0"} (ProxyConfig {@code statusPort} 0; pilot-agent
     * {@code pilot/cmd/pilot-agent/app/cmd.go} then starts no status server): pilot-agent still runs and
     * still drains and kills Envoy on SIGTERM, Envoy's admin answers with its usual Istio
     * {@code /server_info} (without {@code statusPort}), but {@link SidecarEmulator#agentUrl()} points to
     * a port that refuses connections, before and after SIGTERM; the 15021 health listener answers 503
     * (its {@code agent} cluster is unreachable); the native preStop {@code POST /drain} fails, so no
     * drain happens before SIGTERM. Default true.
     */
    public SidecarEmulatorBuilder statusServerEnabled(boolean enabled) {
        this.statusServerEnabled = enabled;
        return this;
    }

    /** Envoy health listener port (Istio 15021). Default 0 = ephemeral. */
    public SidecarEmulatorBuilder healthPort(int port) {
        this.healthPort = port(port, "healthPort");
        return this;
    }

    /** Outbound HTTP proxy port (stands for Istio 15001). Default 0 = ephemeral. */
    public SidecarEmulatorBuilder outboundPort(int port) {
        this.outboundPort = port(port, "outboundPort");
        return this;
    }

    /** Inbound listener port (stands for Istio 15006). Default 0 = ephemeral. */
    public SidecarEmulatorBuilder inboundPort(int port) {
        this.inboundPort = port(port, "inboundPort");
        return this;
    }

    /**
     * {@link EmulatorMode#LINKERD} only: whether linkerd-proxy's {@code POST /shutdown} is enabled
     * ({@code LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED}); when off it answers 404
     * {@code shutdown endpoint is not enabled}, as Linkerd 2.16+ does by default. Default true.
     */
    public SidecarEmulatorBuilder shutdownEndpointEnabled(boolean enabled) {
        this.shutdownEndpointEnabled = enabled;
        return this;
    }

    /**
     * Called synchronously on every {@link SidecarEvent}, on the emulator's threads; must be quick and
     * must not throw (exceptions are swallowed). Default: none.
     */
    public SidecarEmulatorBuilder listener(Consumer<SidecarEvent> listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** Builds an emulator, not yet started; call {@link SidecarEmulator#start()}. */
    public SidecarEmulator build() {
        if (timeToLive.compareTo(timeToInitializing) < 0) {
            throw new IllegalStateException("timeToLive: " + timeToLive + " (expected: >= timeToInitializing "
                    + timeToInitializing + ")");
        }
        boolean exitOnZero = mode == EmulatorMode.EXIT_ON_ZERO_ACTIVE_CONNECTIONS;
        String version = istioVersion != null ? istioVersion : mode.defaultIstioVersion();
        boolean legacy;
        String envoy;
        if (envoyVersion != null) {
            envoy = envoyVersion;
            legacy = !EnvoyVersion.parse(envoy).drainsDirectionally();
            if (legacyEnvoyDrain != null && legacyEnvoyDrain != legacy) {
                throw new IllegalStateException("legacyEnvoyDrain: " + legacyEnvoyDrain + " (expected: " + legacy
                        + " with envoyVersion " + envoy + "; Envoy drains directionally from 1.34)");
            }
        } else {
            legacy = legacyEnvoyDrain != null ? legacyEnvoyDrain : mode.legacyEnvoyDrain();
            envoy = legacy == mode.legacyEnvoyDrain() ? mode.envoyVersion() : legacy ? "1.33.5" : "1.34.2";
        }
        EmulatorSettings settings = new EmulatorSettings(mode, version, envoy, legacy, exitOnZero,
                downstreamConnectionStats != null ? downstreamConnectionStats : exitOnZero, trafficStats,
                terminationDrainDuration, drainDuration != null ? drainDuration : MeshDefaults.drainDuration(mode),
                minimumDrainDuration, activeConnectionCheckInterval,
                statsRequestTimeout, statsFlushInterval, healthConnectTimeout, timeToInitializing, timeToLive,
                appPort, adminPort, agentPort, statusServerEnabled, healthPort, outboundPort, inboundPort, shutdownEndpointEnabled,
                shutdownGracePeriod, shutdownDrainListeners, startupGracePeriod, listener);
        return new SidecarEmulator(settings);
    }

    private static Duration nonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: >= 0)");
        }
        return d;
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
        return d;
    }

    private static int port(int port, String name) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + ": " + port + " (expected: 0..65535, 0 = ephemeral)");
        }
        return port;
    }
}
