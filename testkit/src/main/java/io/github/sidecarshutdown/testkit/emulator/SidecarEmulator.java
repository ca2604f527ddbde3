package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * An Istio sidecar (Envoy + pilot-agent) on loopback ports, for termination tests: what a client in the
 * application container sees of Envoy's admin API, pilot-agent's status server and their termination.
 *
 * <p>What it offers: Envoy's admin API ({@link #adminUrl()}), pilot-agent's status server
 * ({@link #agentUrl()}), Envoy's {@code :15021} health listener ({@link #healthUrl()}), an outbound
 * listener that is an explicit HTTP forward proxy to loopback targets ({@link #outboundProxyPort()};
 * point the app's HTTP client at it, e.g. {@code HttpClient.newBuilder().proxy(ProxySelector.of(
 * emulator.outboundProxyAddress()))}), and an inbound listener forwarding to the app
 * ({@link #inboundPort()}). All ports are ephemeral on 127.0.0.1 unless configured.
 *
 * <p>Termination: {@link #terminate()} is the kubelet's SIGTERM to pilot-agent and runs the sequence of
 * the chosen {@link EmulatorMode} asynchronously; {@link #awaitExit(Duration)} waits for the agent's exit.
 * {@link #podDeletionStarted()} is the native sidecar's preStop. Every admin/agent/health request is
 * recorded ({@link #calls()}) and every state change too ({@link #events()}).
 *
 * <p>In {@link EmulatorMode#AMBIENT} the ports are as in {@code NONE}, and {@link #terminate()} stands for
 * ztunnel removing the Pod once its last container exited: outbound and inbound stop there, not earlier.
 *
 * <p>In {@link EmulatorMode#CONSUL} and {@link EmulatorMode#KUMA} Envoy's admin API is on {@link #adminUrl()}
 * and the mesh's own agent (consul-dataplane's lifecycle server, kuma-dp's readiness reporter) on
 * {@link #agentUrl()}; {@link #terminate()} is the SIGTERM to consul-dataplane or kuma-dp, and
 * {@link #awaitExit(Duration)} waits for that process, which exits when its Envoy does
 * (docs/emulator-meshes.md).
 *
 * <p>In {@link EmulatorMode#NONE} nothing listens on the admin, agent and health URLs (they point to
 * closed ports, so connections are refused), the outbound and inbound listeners are pass-throughs, and
 * {@link #terminate()} completes at once (no sidecar container to wait for).
 *
 * <p>Thread-safe. {@link #close()} is idempotent and frees every port and thread; all threads are
 * daemon threads named {@code sidecar-emulator-*}.
 *
 * <p>Long because it is the facade tests use: the lifecycle, the addresses and the recorded calls of
 * one emulated sidecar; the behaviour lives in EnvoyProcess, PilotAgent and the MeshAgent of another mesh.
 */
public final class SidecarEmulator implements AutoCloseable {

    private final EmulatorSettings settings;
    private final Recorder recorder;
    private final ThreadFactory threads = new EmulatorThreads();
    private final ScheduledExecutorService scheduler;
    private final EnvoyProcess envoy;
    private final @Nullable PilotAgent agent;
    private final @Nullable MeshAgent mesh;
    private volatile boolean started;
    private volatile boolean closed;
    private volatile int closedAdminPort;
    private volatile int closedAgentPort;
    private volatile int closedHealthPort;
    private volatile long noSidecarExitNanos;
    private volatile @Nullable Instant noSidecarExitAt;
    private final CountDownLatch noSidecarExited = new CountDownLatch(1);

    SidecarEmulator(EmulatorSettings settings) {
        this.settings = settings;
        this.recorder = new Recorder(settings.listener());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = threads.newThread(r);
            t.setName(t.getName() + "-timer");
            return t;
        });
        this.envoy = new EnvoyProcess(settings, recorder, threads, scheduler, this::boundAgentPort);
        this.agent = settings.mode().hasSidecar() ? new PilotAgent(settings, envoy, recorder, threads) : null;
        this.mesh = settings.mode().isOtherMesh()
                ? MeshAgent.forMode(settings, envoy, recorder, threads, scheduler) : null;
    }

    /** A builder with Istio's defaults. */
    public static SidecarEmulatorBuilder builder() {
        return new SidecarEmulatorBuilder();
    }

    /**
     * Binds every port and starts serving; Envoy reaches {@code LIVE} after the configured
     * {@code timeToLive}.
     *
     * @return this emulator
     * @throws UncheckedIOException if a port cannot be bound (everything bound so far is released)
     * @throws IllegalStateException if already started or closed
     */
    public synchronized SidecarEmulator start() {
        if (closed) {
            throw new IllegalStateException("emulator is closed");
        }
        if (started) {
            throw new IllegalStateException("emulator already started");
        }
        started = true;
        try {
            if (agent != null) {
                // pilot-agent serves its status port before it starts Envoy (docs/sidecar-protocol.md
                // §4.1): Envoy's admin never answers while the agent's port still refuses, which the
                // library would take for a moved or disabled status port.
                agent.start();
                if (!agent.hasStatusServer()) {
                    closedAgentPort = reserveClosedPort(settings.agentPort());
                }
                envoy.start();
            } else if (mesh != null) {
                envoy.start();
                mesh.start();
                if (mesh.agentPort() < 0) {
                    closedAgentPort = reserveClosedPort(settings.agentPort());
                }
                closedHealthPort = reserveClosedPort(settings.healthPort());
            } else {
                envoy.start();
                closedAdminPort = reserveClosedPort(settings.adminPort());
                closedAgentPort = reserveClosedPort(settings.agentPort());
                closedHealthPort = reserveClosedPort(settings.healthPort());
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot bind the sidecar emulator's ports", e);
        }
        recorder.event(SidecarEvent.Type.STARTED, "mode " + settings.mode() + (settings.mode().hasSidecar()
                ? ", istio " + settings.istioVersion() : ""));
        return this;
    }

    /** The agent's port as bound (pilot-agent's status server or the other mesh's agent), else the closed one. */
    private int boundAgentPort() {
        PilotAgent a = agent;
        MeshAgent m = mesh;
        if (a != null && a.hasStatusServer()) {
            return a.port();
        }
        return m != null && m.agentPort() >= 0 ? m.agentPort() : closedAgentPort;
    }

    /** A port nothing listens on, so that connections are refused as on a Pod without a sidecar. */
    private static int reserveClosedPort(int configured) throws IOException {
        if (configured != 0) {
            return configured;
        }
        try (ServerSocket s = new ServerSocket(0, 1, SocketListener.LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    /** The emulated mode. */
    public EmulatorMode mode() {
        return settings.mode();
    }

    /** The reported {@code ISTIO_VERSION} (empty in {@link EmulatorMode#NONE}). */
    public String istioVersion() {
        return settings.istioVersion();
    }

    /**
     * The Envoy version reported in {@code /server_info} (e.g. {@code 1.34.2}), which also selects the
     * drain behaviour ({@link SidecarEmulatorBuilder#envoyVersion(String)}); empty without an Istio sidecar.
     */
    public String envoyVersion() {
        return settings.envoyVersion();
    }

    /** {@code terminationDrainDuration} as configured (reported in {@code /server_info}). */
    public Duration terminationDrainDuration() {
        return settings.terminationDrainDuration();
    }

    /**
     * Envoy admin base URL, e.g. {@code http://127.0.0.1:41234} (Istio 15000, Consul 19000, Kuma 9901); in
     * {@link EmulatorMode#LINKERD} linkerd-proxy's admin (4191), in {@link EmulatorMode#DAPR} daprd's HTTP
     * API (3500).
     */
    public URI adminUrl() {
        MeshAgent m = mesh;
        return url(agent != null ? envoy.adminPort() : m != null ? m.adminPort() : closedAdminPort);
    }

    /**
     * pilot-agent status server base URL (Istio 15020); in {@link EmulatorMode#CONSUL} consul-dataplane's
     * lifecycle server (consul-k8s 20600), in {@link EmulatorMode#KUMA} kuma-dp's readiness reporter (9902).
     * Without one ({@link SidecarEmulatorBuilder#statusServerEnabled(boolean)} false, or a mode without such
     * a server) a loopback URL whose port refuses connections.
     */
    public URI agentUrl() {
        requireStarted();
        return url(boundAgentPort());
    }

    /**
     * Envoy health listener base URL (Istio 15021); only {@code /healthz/ready} is routed. Without an Istio
     * sidecar a loopback URL whose port refuses connections.
     */
    public URI healthUrl() {
        return url(agent != null ? envoy.healthPort() : closedHealthPort);
    }

    /** Port of the outbound HTTP forward proxy (stands for Istio 15001 + iptables capture). */
    public int outboundProxyPort() {
        requireStarted();
        return envoy.outboundPort();
    }

    /** {@code 127.0.0.1:}{@link #outboundProxyPort()}, for {@code ProxySelector.of(...)}. */
    public InetSocketAddress outboundProxyAddress() {
        return new InetSocketAddress(SocketListener.LOOPBACK, outboundProxyPort());
    }

    /** Port of the inbound listener that forwards to the app (stands for Istio 15006). */
    public int inboundPort() {
        requireStarted();
        return envoy.inboundPort();
    }

    private URI url(int port) {
        requireStarted();
        return URI.create("http://127.0.0.1:" + port);
    }

    private void requireStarted() {
        if (!started) {
            throw new IllegalStateException("emulator not started");
        }
    }

    /**
     * The kubelet's SIGTERM to pilot-agent: runs the mode's sequence asynchronously (istio
     * {@code pkg/envoy/agent.go} {@code terminate}). Idempotent; a later call is a no-op, as a second signal is for pilot-agent.
     * In the other meshes' modes the SIGTERM to their process, as that process handles a signal (a second
     * one cuts kuma-dp's drain wait short; consul-dataplane ignores it).
     */
    public void terminate() {
        requireStarted();
        PilotAgent a = agent;
        if (a != null) {
            a.terminate();
            return;
        }
        MeshAgent m = mesh;
        if (m != null) {
            m.terminate();
            return;
        }
        synchronized (this) {
            if (noSidecarExitAt == null) {
                if (settings.mode() == EmulatorMode.AMBIENT) {
                    recorder.event(SidecarEvent.Type.SIGTERM_RECEIVED,
                            "ambient: every container exited, ztunnel removes the Pod");
                    envoy.removeFromMesh();
                } else {
                    recorder.event(SidecarEvent.Type.SIGTERM_RECEIVED, "no sidecar");
                }
                noSidecarExitNanos = System.nanoTime();
                noSidecarExitAt = Instant.now();
                noSidecarExited.countDown();
            }
        }
    }

    /**
     * Pod deletion started: the native sidecar's preStop hook, i.e. pilot-agent's {@code /drain}
     * ({@code POST drain_listeners?inboundonly&graceful&skip_exit} and skip the later drain wait,
     * istio {@code pkg/envoy/agent.go} {@code DrainNow}). Meaningful in {@link EmulatorMode#NATIVE}; in other modes it does the
     * same as a preStop calling {@code /drain} would; no-op in {@link EmulatorMode#NONE}. The other meshes
     * inject no preStop hook into their sidecar (docs/emulator-meshes.md): no-op there.
     */
    public void podDeletionStarted() {
        requireStarted();
        MeshAgent m = mesh;
        if (m != null) {
            m.podDeletionStarted();
            return;
        }
        PilotAgent a = agent;
        if (a != null && a.state() == PilotAgent.State.RUNNING && envoy.isAlive()) {
            if (!a.hasStatusServer()) {
                // The hook is `pilot-agent request POST drain` against the status port: nothing listens,
                // the hook fails, the kubelet goes on; the drain then only happens at SIGTERM.
                recorder.event(SidecarEvent.Type.NATIVE_PRESTOP,
                        "pilot-agent request POST drain failed: connection refused (no status port)");
                return;
            }
            recorder.event(SidecarEvent.Type.NATIVE_PRESTOP, "pilot-agent request POST drain");
            a.drainNow();
        }
    }

    /** Waits for pilot-agent to exit; true if it did within {@code timeout}. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        PilotAgent a = agent;
        MeshAgent m = mesh;
        if (m != null) {
            return m.awaitExit(timeout);
        }
        if (a == null) {
            // Waits for terminate(): a caller looping on awaitExit (SidecarEmulatorMain) must block, not spin.
            return noSidecarExited.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        return a.awaitExit(timeout);
    }

    /** Whether pilot-agent (hence the sidecar container) has exited. */
    public boolean isExited() {
        PilotAgent a = agent;
        MeshAgent m = mesh;
        return a != null ? a.isExited() : m != null ? m.isExited() : noSidecarExitAt != null;
    }

    /** Whether the emulated Envoy process is still alive (its admin port answers). */
    public boolean isEnvoyAlive() {
        return settings.mode().hasEnvoy() && envoy.isAlive();
    }

    /** pilot-agent's exit code (always 0, as pilot-agent's), empty while it runs. */
    public OptionalInt exitCode() {
        return isExited() ? OptionalInt.of(0) : OptionalInt.empty();
    }

    /** {@link System#nanoTime()} of the agent's exit, empty while it runs. */
    public OptionalLong exitedAtNanos() {
        if (!isExited()) {
            return OptionalLong.empty();
        }
        PilotAgent a = agent;
        MeshAgent m = mesh;
        return OptionalLong.of(a != null ? a.exitedNanos() : m != null ? m.exitedNanos() : noSidecarExitNanos);
    }

    /** Wall-clock time of the agent's exit, empty while it runs. */
    public Optional<Instant> exitedAt() {
        PilotAgent a = agent;
        MeshAgent m = mesh;
        return Optional.ofNullable(a != null ? a.exitedAt() : m != null ? m.exitedAt() : noSidecarExitAt);
    }

    /** Every request received by the admin, agent and health endpoints so far, in order; immutable. */
    public List<RecordedCall> calls() {
        return recorder.calls();
    }

    /** Every state change so far, in order; immutable. */
    public List<SidecarEvent> events() {
        return recorder.events();
    }

    /** Stops everything and frees every port and thread. Idempotent. Does not count as an agent exit. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        PilotAgent a = agent;
        if (a != null) {
            a.close();
        }
        MeshAgent m = mesh;
        if (m != null) {
            m.close();
        }
        envoy.close();
        scheduler.shutdownNow();
        recorder.event(SidecarEvent.Type.CLOSED, "");
    }

    /** The agent, for same-package tests that call its handler with a non-loopback peer. */
    @Nullable PilotAgent agent() {
        return agent;
    }

    @Override
    public String toString() {
        return "SidecarEmulator[mode=" + settings.mode() + ", started=" + started + ", closed=" + closed + "]";
    }
}
