package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * The emulated Envoy process: its four sockets (admin, outbound, inbound, 15021 health), server state,
 * drain state, stats, and its death. The death is pilot-agent's SIGKILL (istio {@code pkg/envoy/proxy.go}
 * {@code cmd.Process.Kill}) or its own {@code /quitquitquit} (envoy {@code server_cmd_handler.cc}).
 *
 * <p>In {@link EmulatorMode#NONE} only the outbound and inbound sockets exist and they never drain nor die.
 * In {@link EmulatorMode#CONSUL} and {@link EmulatorMode#KUMA} there is no 15021 health listener; their
 * Envoy dies by the dataplane's {@code /quitquitquit} or kill instead of pilot-agent's.
 *
 * <p>Long because it holds Envoy's drain and listener state machine, which every emulator mode shares;
 * the admin API and pilot-agent are in their own classes.
 */
final class EnvoyProcess {

    /** Istio's stats names use the nominal ports, whatever port the emulator really bound. */
    static final String OUTBOUND_STATS = "listener.0.0.0.0_15001";
    static final String INBOUND_STATS = "listener.0.0.0.0_15006";
    static final String HEALTH_STATS = "listener.0.0.0.0_15021";

    private final EmulatorSettings settings;
    private final Recorder recorder;
    private final ScheduledExecutorService scheduler;
    /** Whether there is an Envoy at all (admin, drains, death); false for the pass-through modes. */
    private final boolean sidecar;
    /** Whether Istio's 15021 health listener exists (the other meshes' Envoys have none). */
    private final boolean istioHealth;
    private final SocketListener admin;
    private final SocketListener outbound;
    private final SocketListener inbound;
    private final SocketListener health;
    private final List<SocketListener> trafficListeners;
    private final List<long[]> healthTransitions = new CopyOnWriteArrayList<>();
    private final List<Runnable> exitListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong listenerStopped = new AtomicLong();
    private final HttpConnectionManagerStats inboundHttp = new HttpConnectionManagerStats();
    private final OutboundClusters outboundClusters = new OutboundClusters();
    private final AtomicBoolean dead = new AtomicBoolean();
    private final CountDownLatch exited = new CountDownLatch(1);
    private final Object drainLock = new Object();
    private volatile long startNanos;
    private volatile boolean started; // set once its ports listen: pilot-agent may ask before that
    private volatile boolean healthFailed;
    private volatile boolean draining;
    private volatile boolean drainInboundOnly;
    private volatile boolean hotRestartDraining;

    EnvoyProcess(EmulatorSettings settings, Recorder recorder, ThreadFactory threads,
            ScheduledExecutorService scheduler, IntSupplier agentPort) {
        this.settings = settings;
        this.recorder = recorder;
        this.scheduler = scheduler;
        this.sidecar = settings.mode().hasEnvoy();
        this.istioHealth = settings.mode().hasSidecar();
        AdminServer adminServer = new AdminServer(this, settings, scheduler, agentPort);
        this.admin = new SocketListener("admin", settings.adminPort(), threads,
                new HttpConnectionLoop(adminServer, this::drainCloseAdmin,
                        r -> recorder.call(RecordedCall.Target.ADMIN, r)));
        this.outbound = new SocketListener("outbound", settings.outboundPort(), threads,
                new HttpConnectionLoop(new OutboundProxy(this::outboundPort, outboundClusters), this::drainCloseOutbound, r -> { }));
        this.inbound = new SocketListener("inbound", settings.inboundPort(), threads,
                new HttpConnectionLoop(new InboundForwarder(settings.appPort()), this::drainCloseInbound, r -> { },
                        inboundHttp));
        this.health = new SocketListener("health", settings.healthPort(), threads,
                new HttpConnectionLoop(new HealthListener(agentPort, settings.healthConnectTimeout()),
                        this::drainCloseHealth, r -> recorder.call(RecordedCall.Target.HEALTH, r)));
        this.trafficListeners = List.of(outbound, inbound, health);
    }

    void start() throws IOException {
        startNanos = System.nanoTime();
        outbound.start();
        inbound.start();
        if (sidecar) {
            admin.start();
        }
        if (istioHealth) {
            health.start();
        }
        started = true;
    }

    int adminPort() {
        return admin.port();
    }

    int outboundPort() {
        return outbound.port();
    }

    int inboundPort() {
        return inbound.port();
    }

    int healthPort() {
        return health.port();
    }

    /** The outbound proxy's per-upstream-host counters ({@code GET /clusters}). */
    OutboundClusters outboundClusters() {
        return outboundClusters;
    }

    /** Inbound HTTP requests being forwarded to the app now. */
    long inboundRequestsActive() {
        return inboundHttp.requestsActive();
    }

    boolean isAlive() {
        return !dead.get();
    }

    /** Waits for Envoy's death; true if it died within {@code timeout}. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        return exited.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    void onExit(Runnable listener) {
        exitListeners.add(listener);
    }

    // ---- server state (envoy source/server/utils.cc serverState) ----

    ServerState stateAt(long nanos) {
        long elapsed = nanos - startNanos;
        if (elapsed < settings.timeToInitializing().toNanos()) {
            return ServerState.PRE_INITIALIZING;
        }
        if (elapsed < settings.timeToLive().toNanos()) {
            return ServerState.INITIALIZING;
        }
        return healthFailedAt(nanos) ? ServerState.DRAINING : ServerState.LIVE;
    }

    ServerState state() {
        return stateAt(System.nanoTime());
    }

    boolean initialized() {
        return started && System.nanoTime() - startNanos >= settings.timeToLive().toNanos();
    }

    /** {@code server.state} is refreshed only at stats flushes (server.cc updateServerStats): the state then. */
    int serverStateGauge() {
        long flush = settings.statsFlushInterval().toNanos();
        long elapsed = System.nanoTime() - startNanos;
        long lastFlush = startNanos + (elapsed / flush) * flush;
        return stateAt(lastFlush).code();
    }

    long uptimeSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
    }

    private boolean healthFailedAt(long nanos) {
        boolean failed = false;
        for (long[] t : healthTransitions) {
            if (t[0] - nanos > 0) {
                break;
            }
            failed = t[1] == 1;
        }
        return failed;
    }

    // ---- health check (envoy source/server/admin/server_cmd_handler.cc) ----

    void failHealthcheck() {
        synchronized (drainLock) {
            if (!healthFailed) {
                healthFailed = true;
                healthTransitions.add(new long[] {System.nanoTime(), 1});
                recorder.event(SidecarEvent.Type.HEALTHCHECK_FAILED, "");
            }
        }
    }

    void okHealthcheck() {
        synchronized (drainLock) {
            if (healthFailed) {
                healthFailed = false;
                healthTransitions.add(new long[] {System.nanoTime(), 0});
                recorder.event(SidecarEvent.Type.HEALTHCHECK_OK, "");
            }
        }
    }

    boolean healthFailed() {
        return healthFailed;
    }

    // ---- drains (envoy source/server/admin/listeners_handler.cc, drain_manager_impl.cc) ----

    /**
     * listeners_handler.cc {@code handlerDrainListeners}: non-graceful stops the selected listeners now
     * (even while a graceful drain runs); graceful starts the server's drain sequence unless one already
     * runs (then it is a no-op, whatever its flags) and, without {@code skip_exit}, stops the selected
     * listeners when the drain time ({@code --drain-time-s}) has passed. Until then, and for ever with
     * {@code skip_exit}, the listeners keep accepting and drain-close their connections.
     */
    void drainListeners(boolean inboundOnly, boolean graceful, boolean skipExit) {
        if (!sidecar || dead.get()) {
            return;
        }
        if (!graceful) {
            stopListeners(inboundOnly, "non-graceful drain_listeners");
            return;
        }
        synchronized (drainLock) {
            if (draining) {
                return; // a drain sequence is already running: no-op, still "OK\n"
            }
            draining = true;
            drainInboundOnly = inboundOnly;
        }
        recorder.event(SidecarEvent.Type.DRAIN_STARTED, (inboundOnly ? "inboundonly " : "") + "graceful"
                + (skipExit ? " skip_exit" : "") + (settings.legacyEnvoyDrain() ? " (Envoy < 1.34: all listeners drain-close)" : ""));
        if (!skipExit) {
            scheduler.schedule(() -> stopListeners(inboundOnly, "drain time elapsed"),
                    settings.drainDuration().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Istio 1.1–1.4: a hot restart with an empty configuration removes every listener, open ones drain. */
    void hotRestartDrain() {
        if (!sidecar || dead.get()) {
            return;
        }
        hotRestartDraining = true;
        recorder.event(SidecarEvent.Type.DRAIN_STARTED, "hot restart with empty config: all listeners");
        stopListeners(false, "hot restart");
    }

    private void stopListeners(boolean inboundOnly, String why) {
        if (dead.get()) {
            return;
        }
        List<String> stopped = new ArrayList<>();
        for (SocketListener l : inboundOnly ? List.of(inbound) : trafficListeners) {
            if (l.isAccepting()) {
                l.stopAccepting();
                listenerStopped.incrementAndGet();
                stopped.add(l.name());
            }
        }
        if (!stopped.isEmpty()) {
            recorder.event(SidecarEvent.Type.LISTENERS_STOPPED, String.join(",", stopped) + " (" + why + ")");
        }
    }

    boolean drainCloseInbound() {
        return sidecar && (healthFailed || draining || hotRestartDraining);
    }

    /**
     * From Envoy 1.34 the drain is directional (envoyproxy/envoy#37873): an inbound-only drain leaves
     * OUTBOUND and direction-less listeners (15021) alone. Before, the drain manager was global and every
     * HTTP connection manager drain-closed (envoyproxy/envoy#35020).
     */
    boolean drainCloseOutbound() {
        return sidecar && (healthFailed || hotRestartDraining
                || (draining && (!drainInboundOnly || settings.legacyEnvoyDrain())));
    }

    boolean drainCloseHealth() {
        return drainCloseOutbound();
    }

    boolean drainCloseAdmin() {
        return sidecar && draining && settings.legacyEnvoyDrain();
    }

    // ---- death ----

    /** pilot-agent's SIGKILL: every Envoy port refuses, open connections are reset. */
    void kill(String why) {
        die(SidecarEvent.Type.ENVOY_KILLED, why);
    }

    /** Envoy's own {@code /quitquitquit}: the emulator treats the clean exit like the kill. */
    void quit() {
        die(SidecarEvent.Type.ENVOY_EXITED, "admin /quitquitquit");
    }

    private void die(SidecarEvent.Type type, String why) {
        if (!sidecar || !dead.compareAndSet(false, true)) {
            return;
        }
        admin.reset();
        for (SocketListener l : trafficListeners) {
            l.reset();
        }
        recorder.event(type, why);
        exited.countDown();
        for (Runnable r : exitListeners) {
            r.run();
        }
    }

    /**
     * Ambient mode: ztunnel removed the Pod after its last container exited. The pass-through
     * outbound and inbound sockets stop: new connections are refused and open ones reset, as for
     * a Pod that no longer exists in the mesh.
     */
    void removeFromMesh() {
        outbound.reset();
        inbound.reset();
    }

    /** Emulator shutdown: orderly close of whatever is still open. */
    void close() {
        dead.set(true);
        admin.close();
        for (SocketListener l : trafficListeners) {
            l.close();
        }
        exited.countDown();
    }

    // ---- stats (envoy source/server/admin/stats_handler.cc) ----

    /** Stats as name → value, sorted; {@code usedOnly} drops stats never written. */
    TreeMap<String, Long> stats(boolean usedOnly) {
        TreeMap<String, Long> stats = new TreeMap<>();
        boolean init = initialized();
        put(stats, usedOnly, "cluster.xds-grpc.upstream_cx_active", 1, true);
        put(stats, usedOnly, "cluster.xds-grpc.upstream_cx_total", 1, true);
        put(stats, usedOnly, "cluster_manager.active_clusters", init ? 4 : 1, true);
        put(stats, usedOnly, "cluster_manager.cds.update_rejected", 0, false);
        put(stats, usedOnly, "cluster_manager.cds.update_success", init ? 1 : 0, init);
        put(stats, usedOnly, "cluster_manager.warming_clusters", 0, true);
        put(stats, usedOnly, "listener_manager.lds.update_rejected", 0, false);
        put(stats, usedOnly, "listener_manager.lds.update_success", init ? 1 : 0, init);
        long stopped = listenerStopped.get();
        put(stats, usedOnly, "listener_manager.listener_stopped", stopped, stopped > 0);
        put(stats, usedOnly, "listener_manager.total_listeners_active", init ? 4 : 0, true);
        put(stats, usedOnly, "listener_manager.total_listeners_draining", 0, true);
        put(stats, usedOnly, "listener_manager.total_listeners_warming", 0, true);
        put(stats, usedOnly, "listener_manager.workers_started", init ? 1 : 0, true);
        put(stats, usedOnly, "server.concurrency", 2, true);
        put(stats, usedOnly, "server.hot_restart_epoch", 0, true);
        put(stats, usedOnly, "server.live", healthFailed ? 0 : 1, true);
        put(stats, usedOnly, "server.state", serverStateGauge(), true);
        put(stats, usedOnly, "server.total_connections",
                outbound.activeConnections() + inbound.activeConnections() + health.activeConnections(), true);
        put(stats, usedOnly, "server.uptime", uptimeSeconds(), true);
        // Istio's stats matcher (istio pkg/bootstrap/config.go) keeps listener stats only when asked:
        // the downstream_cx_active suffix with EXIT_ON_ZERO_ACTIVE_CONNECTIONS, everything with a
        // statsInclusionPrefixes annotation or proxyStatsMatcher.
        boolean active = settings.downstreamConnectionStats() || settings.trafficStats();
        boolean total = settings.trafficStats();
        cx(stats, usedOnly, OUTBOUND_STATS, ".worker_0", outbound, active, total);
        cx(stats, usedOnly, INBOUND_STATS, ".worker_0", inbound, active, total);
        cx(stats, usedOnly, HEALTH_STATS, ".worker_0", health, active, total);
        cx(stats, usedOnly, "listener.admin", ".main_thread", admin, active, total);
        if (settings.trafficStats() && settings.appPort() != 0) {
            String http = inboundHttpStatPrefix();
            boolean used = inboundHttp.requestsTotal() > 0;
            put(stats, usedOnly, http + ".downstream_cx_drain_close", inboundHttp.drainCloses(),
                    inboundHttp.drainCloses() > 0);
            put(stats, usedOnly, http + ".downstream_rq_active", inboundHttp.requestsActive(), used);
            put(stats, usedOnly, http + ".downstream_rq_total", inboundHttp.requestsTotal(), used);
        }
        return stats;
    }

    /**
     * Istio's stat prefix of the inbound HTTP connection manager for the app's port (istio
     * {@code listener_inbound.go} {@code StatPrefix}: {@code inbound_<bind>_<targetPort>}); from Istio 1.23
     * it ends with the delimiter {@code ;} ({@code util.DelimitedStatsPrefix},
     * {@code ENABLE_DELIMITED_STATS_TAG_REGEX}, default on), so Envoy prints
     * {@code http.inbound_0.0.0.0_8080;.downstream_rq_total}.
     */
    String inboundHttpStatPrefix() {
        return "http.inbound_0.0.0.0_" + settings.appPort() + (settings.version().atLeast(1, 23) ? ";" : "");
    }

    private static void cx(TreeMap<String, Long> stats, boolean usedOnly, String prefix, String thread,
            SocketListener listener, boolean withActive, boolean withTotal) {
        boolean used = listener.totalConnections() > 0;
        if (withActive) {
            long active = listener.activeConnections();
            put(stats, usedOnly, prefix + ".downstream_cx_active", active, used);
            put(stats, usedOnly, prefix + thread + ".downstream_cx_active", active, used);
        }
        if (withTotal) {
            long total = listener.totalConnections();
            put(stats, usedOnly, prefix + ".downstream_cx_total", total, used);
            put(stats, usedOnly, prefix + thread + ".downstream_cx_total", total, used);
        }
    }

    private static void put(TreeMap<String, Long> stats, boolean usedOnly, String name, long value, boolean used) {
        if (!usedOnly || used) {
            stats.put(name, value);
        }
    }

    /** The names and addresses for {@code /listeners} (listeners_handler.cc); stopped listeners stay listed. */
    List<String[]> listenerTable() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"virtualOutbound", "127.0.0.1", String.valueOf(outbound.port())});
        rows.add(new String[] {"virtualInbound", "127.0.0.1", String.valueOf(inbound.port())});
        rows.add(new String[] {"0.0.0.0_15021", "127.0.0.1", String.valueOf(health.port())});
        return rows;
    }

    EmulatorSettings settings() {
        return settings;
    }

    long listenerStoppedCount() {
        return listenerStopped.get();
    }

    boolean isDraining() {
        return draining;
    }
}
