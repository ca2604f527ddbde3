package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * consul-dataplane, the main process of Consul's sidecar container, for {@link EmulatorMode#CONSUL}: its
 * proxy lifecycle server and its life with its Envoy child (docs/emulator-meshes.md, section Consul):
 * <ul>
 *   <li>{@code /graceful_shutdown}, any method: 200 at once, and in the background the graceful shutdown:
 *       drain Envoy's inbound listeners ({@code POST /drain_listeners?inboundonly&graceful&skip_exit}) when
 *       enabled, wait the shutdown grace period, {@code POST /quitquitquit}. Every call starts its own
 *       wait; the drain and the quit happen once, as the proxy manager's state allows.</li>
 *   <li>{@code /graceful_startup}, any method: answers once Envoy's {@code /ready} is 200 or the startup
 *       grace period is over (at once when it is 0).</li>
 *   <li>SIGTERM: the same graceful shutdown, for the first signal only.</li>
 *   <li>It exits (code 0) when Envoy exits, and only then; its lifecycle server goes with it.</li>
 * </ul>
 */
final class ConsulDataplane implements HttpHandler, MeshAgent {

    static final String SHUTDOWN_PATH = "/graceful_shutdown";
    static final String STARTUP_PATH = "/graceful_startup";
    static final String DRAIN = "/drain_listeners?inboundonly&graceful&skip_exit";
    /** proxy.go: the proxy manager's HTTP client to Envoy's admin has a 10 s timeout. */
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** lifecycle.go gracefulStartup: Envoy's readiness is polled every 50 ms. */
    private static final long STARTUP_POLL_MILLIS = 50;

    /** The proxy manager's states (consul-dataplane pkg/envoy/proxy.go), which make drain and quit happen once. */
    private enum ProxyState { RUNNING, DRAINING, STOPPED, EXITED }

    private final EmulatorSettings settings;
    private final EnvoyProcess envoy;
    private final Recorder recorder;
    private final ThreadFactory threads;
    private final ScheduledExecutorService scheduler;
    private final SocketListener listener;
    private final AtomicBoolean signalled = new AtomicBoolean();
    private final ProcessExit exitRecord = new ProcessExit();
    private ProxyState proxyState = ProxyState.RUNNING;

    ConsulDataplane(EmulatorSettings settings, EnvoyProcess envoy, Recorder recorder, ThreadFactory threads,
            ScheduledExecutorService scheduler) {
        this.settings = settings;
        this.envoy = envoy;
        this.recorder = recorder;
        this.threads = threads;
        this.scheduler = scheduler;
        this.listener = new SocketListener("consul-lifecycle", settings.agentPort(), threads,
                new HttpConnectionLoop(this, () -> false, r -> recorder.call(RecordedCall.Target.AGENT, r)));
    }

    @Override
    public void start() throws IOException {
        listener.start();
        // consul_dataplane.go Run: Envoy's exit ends Run, whatever the reason, and main returns.
        envoy.onExit(() -> exit("Envoy exited"));
    }

    @Override
    public int adminPort() {
        return envoy.adminPort();
    }

    @Override
    public int agentPort() {
        return listener.port();
    }

    @Override
    public HttpResponse handle(HttpRequest request, ListenerConnection connection) {
        switch (request.path()) {
            case SHUTDOWN_PATH:
                recorder.event(SidecarEvent.Type.AGENT_QUIT_REQUESTED,
                        "consul-dataplane " + request.method() + " " + SHUTDOWN_PATH);
                inBackground(this::gracefulShutdown, "graceful-shutdown");
                return HttpResponse.of(200, null, "");
            case STARTUP_PATH:
                gracefulStartup();
                return HttpResponse.of(200, null, "");
            default:
                HttpResponse notFound = HttpResponse.of(404, PilotAgent.GO_TEXT, "404 page not found\n");
                notFound.headers().add("x-content-type-options", "nosniff");
                return notFound;
        }
    }

    /** main.go: the first SIGTERM (or SIGINT) runs the graceful shutdown; the channel is read only once. */
    @Override
    public void terminate() {
        if (!signalled.compareAndSet(false, true)) {
            recorder.event(SidecarEvent.Type.SIGTERM_RECEIVED, "consul-dataplane: signal ignored (read once)");
            return;
        }
        recorder.event(SidecarEvent.Type.SIGTERM_RECEIVED, "consul-dataplane: graceful shutdown");
        inBackground(this::gracefulShutdown, "sigterm");
    }

    /** consul-k8s injects no preStop hook into the dataplane container. */
    @Override
    public void podDeletionStarted() {
    }

    /** lifecycle.go gracefulShutdown: the grace period counts from here; drain first if enabled. */
    private void gracefulShutdown() {
        Duration grace = settings.shutdownGracePeriod();
        scheduler.schedule(() -> inBackground(this::quit, "quit"), grace.toNanos(), TimeUnit.NANOSECONDS);
        if (settings.shutdownDrainListeners() && transition(ProxyState.RUNNING, ProxyState.DRAINING)) {
            post(DRAIN);
        }
    }

    /** proxy.go Quit: only from RUNNING or DRAINING; Envoy answers, then exits, and so does the dataplane. */
    private void quit() {
        boolean quit;
        synchronized (this) {
            quit = proxyState == ProxyState.RUNNING || proxyState == ProxyState.DRAINING;
            if (quit) {
                proxyState = ProxyState.STOPPED;
            }
        }
        if (quit) {
            post("/quitquitquit");
        }
    }

    private void gracefulStartup() {
        Duration grace = settings.startupGracePeriod();
        if (grace.isZero()) {
            return;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (deadline - System.nanoTime() > 0 && !envoyReady()) {
            try {
                Thread.sleep(Math.max(1, Math.min(STARTUP_POLL_MILLIS,
                        TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** proxy.go Ready: false once draining or stopped, else Envoy's {@code /ready} is 200. */
    private boolean envoyReady() {
        synchronized (this) {
            if (proxyState != ProxyState.RUNNING) {
                return false;
            }
        }
        try {
            return LoopbackHttpClient.send(envoy.adminPort(), "GET", "/ready", "agent", CONNECT_TIMEOUT,
                    ADMIN_TIMEOUT).status() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private synchronized boolean transition(ProxyState from, ProxyState to) {
        if (proxyState != from) {
            return false;
        }
        proxyState = to;
        return true;
    }

    /** The proxy manager's admin calls: errors are only logged (here: ignored). */
    private void post(String target) {
        try {
            LoopbackHttpClient.send(envoy.adminPort(), "POST", target, "agent", CONNECT_TIMEOUT, ADMIN_TIMEOUT);
        } catch (IOException ignored) {
            // consul-dataplane logs "failed to initiate listener drain" / "failed to quit" and goes on
        }
    }

    private void inBackground(Runnable action, String name) {
        Thread t = threads.newThread(action);
        t.setName(t.getName() + "-consul-" + name);
        t.start();
    }

    private void exit(String why) {
        synchronized (this) {
            if (!exitRecord.stamp()) {
                return;
            }
            proxyState = ProxyState.EXITED;
        }
        listener.close();
        recorder.event(SidecarEvent.Type.AGENT_EXITED, "consul-dataplane exited, code 0 (" + why + ")");
        exitRecord.announce();
    }

    @Override
    public ProcessExit exitRecord() {
        return exitRecord;
    }

    @Override
    public void close() {
        listener.close();
    }
}
