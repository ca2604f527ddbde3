package io.github.sidecarshutdown.istio;

import io.github.sidecarshutdown.envoy.DrainFlag;
import io.github.sidecarshutdown.envoy.EnvoyAdminClient;
import io.github.sidecarshutdown.envoy.EnvoyAdminException;
import io.github.sidecarshutdown.envoy.EnvoyStat;
import io.github.sidecarshutdown.envoy.EnvoyState;
import io.github.sidecarshutdown.envoy.ReadyResponse;
import io.github.sidecarshutdown.envoy.ServerInfo;
import io.github.sidecarshutdown.envoy.StatsQuery;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.EnvoyMeshAdmin;
import io.github.sidecarshutdown.internal.Loggers;
import io.github.sidecarshutdown.sidecar.OutboundTraffic;
import io.github.sidecarshutdown.sidecar.ReleaseDecision;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * An Istio (classic or native) or plain Envoy sidecar, seen through its admin port and, for Istio,
 * pilot-agent's status port. The states follow docs/sidecar-states.md: admin refusing after having
 * answered means gone; admin answering while pilot-agent, seen ready before, now refuses or stops
 * being ready means the Pod's SIGTERM reached the sidecar and the outbound window is running; an
 * agent port that never answered says nothing about termination. A 503 from an agent seen ready is
 * evidence only once it has lasted {@link #AGENT_503_PERSISTS} (pilot-agent closes its port at
 * SIGTERM, and caches its first "ready"; a passing 503 is a starved agent or an Envoy reload).
 *
 * <p>Thread-safe.
 */
public final class EnvoySidecar implements Sidecar {

    /** Looked up at each use, not at class load: SLF4J then starts off the app's path to Ready (docs/timeline.md). */
    private static Logger logger() {
        return Loggers.of(EnvoySidecar.class);
    }

    /**
     * The inbound counters of docs/sidecar-protocol.md §3.6: every inbound HTTP connection manager's
     * {@code downstream_rq_total} (Istio's stat prefix {@code inbound_<ip>_<port>}, with the {@code ;}
     * delimiter from Istio 1.23, and the passthrough chains named after their cluster) and the
     * inbound listener's {@code downstream_cx_total} (new connections, so plain TCP counts too).
     * Anchored: the per-worker copies of the listener counter are left out, they would count twice.
     */
    static final String INBOUND_COUNTERS = "^(http\\.(inbound_|InboundPassthroughCluster)[^;]*;?\\.downstream_rq_total"
            + "|listener\\.(0\\.0\\.0\\.0|\\[__\\])_15006\\.downstream_cx_total)$";

    /** Compiled at the first inbound check, not when the sidecar is made on the app's path to Ready. */
    private static final class InboundCounterNames {
        static final Pattern PATTERN = Pattern.compile(INBOUND_COUNTERS);
    }

    private final EnvoyAdminClient client;
    private final SidecarMode configuredMode;
    private final Duration defaultTerminationDrainDuration;
    private final PodFacts pod;

    private volatile @Nullable SidecarFacts facts;
    private volatile boolean adminAnswered;
    private volatile boolean agentWasReady;
    /** When the agent, seen ready before, first answered 503 since its last 200; {@link Long#MIN_VALUE} when not. */
    private volatile long agent503Since = Long.MIN_VALUE;
    private final long agent503Persists;

    /**
     * How long a 503 from an agent seen ready must last to count as its SIGTERM
     * (docs/sidecar-states.md, "Evidence").
     */
    public static final Duration AGENT_503_PERSISTS = Duration.ofSeconds(1);

    /**
     * @param client                          the admin client (its URLs say where the sidecar is)
     * @param mode                            {@code AUTO}, {@code ISTIO}, {@code ENVOY} or {@code NATIVE}
     * @param defaultTerminationDrainDuration the window assumed when {@code /server_info} does not say
     *                                        (Istio's default is 5 s)
     */
    public EnvoySidecar(EnvoyAdminClient client, SidecarMode mode, Duration defaultTerminationDrainDuration) {
        this(client, mode, defaultTerminationDrainDuration, PodFacts.none("no pod annotations"));
    }

    /**
     * @param client                          the admin client (its URLs say where the sidecar is)
     * @param mode                            {@code AUTO}, {@code ISTIO}, {@code ENVOY} or {@code NATIVE}
     * @param defaultTerminationDrainDuration the window assumed when neither {@code /server_info}
     *                                        nor the Pod's annotations say
     * @param pod                             what the Pod's annotations say; {@code /server_info}
     *                                        wins where both speak, and in {@code AUTO} mode a
     *                                        native sidecar seen in the annotations makes the mode
     *                                        {@code NATIVE} (no window, no release)
     */
    public EnvoySidecar(EnvoyAdminClient client, SidecarMode mode, Duration defaultTerminationDrainDuration, PodFacts pod) {
        this(client, mode, defaultTerminationDrainDuration, pod, AGENT_503_PERSISTS);
    }

    /** @param agent503Persists how long an agent's 503 after ready must last to count as its SIGTERM */
    EnvoySidecar(EnvoyAdminClient client, SidecarMode mode, Duration defaultTerminationDrainDuration, PodFacts pod,
            Duration agent503Persists) {
        this.agent503Persists = agent503Persists.toNanos();
        this.pod = Objects.requireNonNull(pod, "pod");
        this.client = Objects.requireNonNull(client, "client");
        Objects.requireNonNull(mode, "mode");
        // sidecar-mode=istio beside annotations that show a native sidecar: the injector's status is the
        // truth, and a native sidecar must never be released (the kubelet would restart it).
        this.configuredMode = mode.equals(SidecarMode.ISTIO) && pod.isNative() ? SidecarMode.NATIVE : mode;
        if (!mode.equals(SidecarMode.AUTO) && !mode.equals(SidecarMode.ISTIO) && !mode.equals(SidecarMode.ENVOY)
                && !mode.equals(SidecarMode.NATIVE)) {
            throw new IllegalArgumentException("mode: " + mode + " (expected: auto, istio, envoy or native; use Sidecar.none())");
        }
        this.defaultTerminationDrainDuration = Objects.requireNonNull(defaultTerminationDrainDuration,
                "defaultTerminationDrainDuration");
    }

    /** The admin client this sidecar is seen through. */
    public EnvoyAdminClient client() {
        return client;
    }

    @Override
    public SidecarFacts facts(Duration timeout) {
        SidecarFacts known = facts;
        if (known != null) {
            return known;
        }
        try {
            ServerInfo info = client.withCallTimeout(timeout).serverInfo();
            adminAnswered = true;
            SidecarFacts f = fromServerInfo(info);
            facts = f;
            return f;
        } catch (RuntimeException e) {
            // Not cached: the sidecar may not have started yet.
            return fallback("/server_info unavailable (" + e.getMessage() + ")");
        }
    }

    private SidecarFacts fromServerInfo(ServerInfo info) {
        SidecarMode mode = configuredMode;
        if (mode.equals(SidecarMode.AUTO)) {
            // /server_info cannot tell a native sidecar from a classic one; the injector's status can.
            mode = info.isIstio() ? (pod.isNative() ? SidecarMode.NATIVE : SidecarMode.ISTIO) : SidecarMode.ENVOY;
        }
        // Optional chains written out: this runs on a sequence that may start cold (docs/timeline.md).
        Optional<String> version = info.istioVersion().isPresent() ? Optional.of("istio " + info.istioVersion().get())
                : info.envoyVersion().isEmpty() ? Optional.empty() : Optional.of("envoy " + shortVersion(info.envoyVersion()));
        // /server_info wins where both speak; the Pod's annotations fill what it leaves out.
        Optional<Duration> known = info.terminationDrainDuration().isPresent() ? info.terminationDrainDuration()
                : pod.terminationDrainDuration();
        Optional<Duration> window = mode == SidecarMode.ISTIO
                ? Optional.of(known.orElse(defaultTerminationDrainDuration))
                : Optional.empty();
        boolean annotated = mode == SidecarMode.ISTIO && !pod.isEmpty()
                && ((info.terminationDrainDuration().isEmpty() && pod.terminationDrainDuration().isPresent())
                        || (info.minimumDrainDuration().isEmpty() && pod.minimumDrainDuration().isPresent())
                        || (!info.exitOnZeroActiveConnections() && pod.exitOnZeroActiveConnections().orElse(false)));
        String source = "/server_info" + (annotated ? " + " + pod.source() : "")
                + (pod.isNative() && configuredMode == SidecarMode.AUTO && info.isIstio() ? " (native per " + pod.source() + ")" : "")
                + (mode == SidecarMode.ISTIO && known.isEmpty()
                        ? " (no terminationDrainDuration; assuming " + defaultTerminationDrainDuration.toMillis() + " ms)" : "");
        boolean exitOnZero = mode == SidecarMode.ISTIO
                && (info.exitOnZeroActiveConnections() || pod.exitOnZeroActiveConnections().orElse(false));
        SidecarFacts f = new SidecarFacts(mode, version, window, exitOnZero,
                info.minimumDrainDuration().isPresent() ? info.minimumDrainDuration() : pod.minimumDrainDuration(), source);
        return mode == SidecarMode.ISTIO ? f.withKnob(IstioMesh.WINDOW) : f;
    }

    private static String shortVersion(String envoyVersion) {
        String[] parts = envoyVersion.split("/");
        return parts.length > 1 ? parts[1] : envoyVersion;
    }

    private SidecarFacts fallback(String why) {
        if (configuredMode.equals(SidecarMode.ISTIO)) {
            return new SidecarFacts(SidecarMode.ISTIO, Optional.empty(),
                    Optional.of(pod.terminationDrainDuration().orElse(defaultTerminationDrainDuration)),
                    pod.exitOnZeroActiveConnections().orElse(false), pod.minimumDrainDuration(),
                    "configured" + (pod.isEmpty() ? "" : " + " + pod.source()) + "; " + why).withKnob(IstioMesh.WINDOW);
        }
        if (configuredMode.equals(SidecarMode.NATIVE) || configuredMode.equals(SidecarMode.ENVOY)) {
            return new SidecarFacts(configuredMode, Optional.empty(), Optional.empty(), false, Optional.empty(),
                    "configured; " + why);
        }
        if (!pod.isEmpty()) {
            // Envoy has not answered (yet): the Pod's annotations say what sidecar to expect.
            SidecarFacts f = pod.toSidecarFacts(SidecarMode.AUTO, defaultTerminationDrainDuration);
            SidecarFacts g = new SidecarFacts(f.mode(), f.version(), f.terminationDrainDuration(), f.exitOnZeroActiveConnections(),
                    f.minimumDrainDuration(), f.source() + "; " + why);
            return f.knob().isPresent() ? g.withKnob(f.knob().get()) : g;
        }
        return SidecarFacts.none(why);
    }

    /**
     * The mode: what {@code /server_info} resolved; before Envoy answered, the configured one, or in
     * {@code auto} the one the Pod's annotations lead to expect (none without them).
     */
    private SidecarMode resolvedMode() {
        SidecarFacts f = facts;
        if (f != null) {
            return f.mode();
        }
        return configuredMode.equals(SidecarMode.AUTO) && !pod.isEmpty()
                ? pod.toSidecarFacts(SidecarMode.AUTO, defaultTerminationDrainDuration).mode() : configuredMode;
    }

    @Override
    public SidecarState probe(Duration timeout) {
        // Two calls, one budget: the probe as a whole honours the timeout it is given, and a call
        // left with less than 1 ms is not made (the client fails it at once as a timeout).
        long end = System.nanoTime() + Durations.toNanosSaturated(Durations.nonNegative(timeout));
        ReadyResponse ready;
        try {
            ready = client.withCallTimeout(timeout).ready();
        } catch (EnvoyAdminException e) {
            if (e.kind() == EnvoyAdminException.Kind.CONNECTION_REFUSED) {
                return adminAnswered ? SidecarState.GONE : SidecarState.ABSENT;
            }
            logger().debug("Envoy admin probe inconclusive: {}", e.getMessage());
            return SidecarState.UNKNOWN;
        }
        adminAnswered = true;
        if (ready.state() == EnvoyState.PRE_INITIALIZING || ready.state() == EnvoyState.INITIALIZING) {
            return SidecarState.STARTING;
        }
        SidecarMode mode = resolvedMode();
        if (mode.equals(SidecarMode.ENVOY)) {
            return SidecarState.LIVE;
        }
        try {
            if (client.withCallTimeout(Duration.ofNanos(end - System.nanoTime())).agentReady()) {
                agentWasReady = true;
                agent503Since = Long.MIN_VALUE;
                return SidecarState.LIVE;
            }
            if (!agentWasReady) {
                return SidecarState.STARTING;
            }
            // 503 from an agent that was ready: its SIGTERM closes the port (refused below), and it
            // caches "ready", so only a 503 that lasts is evidence; a passing one is unknown.
            long now = System.nanoTime();
            long since = agent503Since;
            if (since == Long.MIN_VALUE) {
                agent503Since = now;
                return SidecarState.UNKNOWN;
            }
            return now - since >= agent503Persists ? SidecarState.TERMINATING : SidecarState.UNKNOWN;
        } catch (EnvoyAdminException e) {
            if (e.kind() == EnvoyAdminException.Kind.CONNECTION_REFUSED) {
                // pilot-agent closes its status port the instant it gets SIGTERM while Envoy keeps
                // answering: termination, but only if the agent was seen ready on that port before.
                // A port that never answered (moved with status.sidecar.istio.io/port, disabled, a
                // wrong agent URL, or plain Envoy) says nothing about termination.
                if (agentWasReady) {
                    return SidecarState.TERMINATING;
                }
                return mode.equals(SidecarMode.AUTO) ? SidecarState.LIVE : SidecarState.UNKNOWN;
            }
            logger().debug("pilot-agent probe inconclusive: {}", e.getMessage());
            return SidecarState.UNKNOWN;
        }
    }

    @Override
    public boolean isReady(Duration timeout) {
        // At most two calls, one budget.
        long end = System.nanoTime() + Durations.toNanosSaturated(Durations.nonNegative(timeout));
        SidecarMode mode = resolvedMode();
        if (!mode.equals(SidecarMode.ENVOY)) {
            try {
                boolean ready = client.withCallTimeout(timeout).agentReady();
                if (ready) {
                    agentWasReady = true;
                }
                return ready;
            } catch (EnvoyAdminException e) {
                if (e.kind() != EnvoyAdminException.Kind.CONNECTION_REFUSED || agentWasReady) {
                    return false;
                }
                // No agent has ever answered here: plain Envoy, or a status port moved
                // (status.sidecar.istio.io/port), disabled or misconfigured. Envoy's own readiness
                // decides the startup wait; without an agent no termination is ever inferred.
            }
        }
        try {
            boolean live = client.withCallTimeout(Duration.ofNanos(end - System.nanoTime())).ready().isLive();
            adminAnswered = true;
            return live;
        } catch (EnvoyAdminException e) {
            return false;
        }
    }

    /** Whether anything of the sidecar has answered so far. */
    public boolean hasAnswered() {
        return adminAnswered || agentWasReady;
    }

    /**
     * Whether Envoy was proven to listen on the admin URL: its {@code /server_info} answered with a
     * body only Envoy gives. Auto-detection locks onto Envoy only then.
     */
    public boolean isIdentified() {
        return facts != null;
    }

    /** Whether Envoy's {@code /server_info} proved it listens on the admin URL (auto detection). */
    @Override
    public boolean identify(Duration timeout) {
        facts(timeout);
        return isIdentified();
    }

    /** The inbound-only drain, for Istio (classic or native); none for plain Envoy or while unresolved. */
    @Override
    public Optional<String> drainCall() {
        SidecarMode m = resolvedMode();
        return m.equals(SidecarMode.ISTIO) || m.equals(SidecarMode.NATIVE) ? Optional.of(IstioMesh.DRAIN_CALL) : Optional.empty();
    }

    /** Only a classic Istio sidecar is released, with Envoy's {@code POST /quitquitquit}, whatever the state allowed. */
    @Override
    public ReleaseDecision releaseDecision(SidecarState state) {
        SidecarMode m = resolvedMode();
        if (m.equals(SidecarMode.ISTIO)) {
            return ReleaseDecision.release(IstioMesh.RELEASE_CALL);
        }
        if (m.equals(SidecarMode.NATIVE)) {
            return ReleaseDecision.never("native sidecar: the kubelet stops it after the app exits");
        }
        if (m.equals(SidecarMode.ENVOY)) {
            return ReleaseDecision.never("plain Envoy without pilot-agent: left to its own shutdown");
        }
        return ReleaseDecision.never("no sidecar");
    }

    /**
     * The sum of the inbound counters ({@code INBOUND_COUNTERS} here) from one {@code GET /stats?filter=...}
     * within {@code timeout}. Without {@code usedonly}: a counter Istio's stats matcher keeps is
     * listed even at 0, so "listed" tells "kept" from "dropped" (Istio drops them unless the Pod asks,
     * §3.6). Empty when none is listed, or the answer is late, refused, not 200, or has a listed
     * counter that is not a non-negative integer: the admin is trusted for nothing it does not prove.
     */
    @Override
    public OptionalLong inboundArrivals(Duration timeout) {
        try {
            long sum = 0;
            boolean any = false;
            for (EnvoyStat stat : client.withCallTimeout(timeout).stats(StatsQuery.filter(INBOUND_COUNTERS))) {
                // The filter runs on Envoy's side; names are checked again here, whatever it sent back.
                if (!InboundCounterNames.PATTERN.matcher(stat.name()).matches()) {
                    continue;
                }
                OptionalLong v = stat.longValue();
                if (v.isEmpty() || v.getAsLong() < 0) {
                    return OptionalLong.empty();
                }
                sum = Math.addExact(sum, v.getAsLong());
                any = true;
            }
            return any ? OptionalLong.of(sum) : OptionalLong.empty();
        } catch (RuntimeException e) {
            // EnvoyAdminException (refused, timeout, status, too large) or an overflowing sum.
            logger().debug("Envoy inbound counters unavailable: {}", e.getMessage());
            return OptionalLong.empty();
        }
    }

    /**
     * Istio's outbound clusters: {@code outbound|<port>|<subset>|<host>} and
     * {@code PassthroughCluster} (outbound to what the mesh does not know). Not {@code inbound|...},
     * {@code InboundPassthroughCluster*}, {@code BlackHoleCluster}, nor the proxy's own
     * ({@code agent}, {@code prometheus_stats}, {@code xds-grpc}, {@code sds-grpc}, tracing).
     */
    static boolean isIstioOutboundCluster(String name) {
        return name.startsWith("outbound|") || name.equals("PassthroughCluster");
    }

    /**
     * The hosts of Istio's outbound clusters from one {@code GET /clusters}. Empty for plain Envoy,
     * whose cluster names do not say which way they go.
     */
    @Override
    public Optional<OutboundTraffic> outboundTraffic(Duration timeout) {
        if (resolvedMode() == SidecarMode.ENVOY) {
            return Optional.empty();
        }
        return EnvoyMeshAdmin.outboundTraffic(client, timeout, EnvoySidecar::isIstioOutboundCluster);
    }

    @Override
    public SidecarCallResult drainInbound(Duration timeout) {
        try {
            client.withCallTimeout(timeout).drainListeners(DrainFlag.INBOUND_ONLY, DrainFlag.GRACEFUL, DrainFlag.SKIP_EXIT);
            return SidecarCallResult.done("sent");
        } catch (EnvoyAdminException e) {
            return SidecarCallResult.failed(String.valueOf(e.getMessage()));
        }
    }

    @Override
    public SidecarCallResult release(Duration timeout) {
        // Envoy's own /quitquitquit: in classic mode pilot-agent's :15020 is already closed.
        try {
            client.withCallTimeout(timeout).quitQuitQuit();
            return SidecarCallResult.done("the sidecar exits now");
        } catch (EnvoyAdminException e) {
            return SidecarCallResult.failed(String.valueOf(e.getMessage()));
        }
    }

    @Override
    public String describe() {
        return "envoy admin " + client.adminUrl() + (configuredMode.equals(SidecarMode.ENVOY) ? "" : ", agent " + client.agentUrl());
    }
}
