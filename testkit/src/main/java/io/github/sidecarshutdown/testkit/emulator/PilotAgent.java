package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The emulated pilot-agent: its status server (Istio 15020: {@code /healthz/ready}, {@code /quitquitquit},
 * {@code /drain}, istio {@code pilot/cmd/pilot-agent/status/server.go}) and its life cycle: RUNNING, then
 * TERMINATING once SIGTERM or a quit arrives (the listening socket closes at once with the context),
 * then EXITED with code 0 after Envoy is dead.
 */
final class PilotAgent implements HttpHandler {

    static final String GO_TEXT = "text/plain; charset=utf-8";

    enum State { RUNNING, TERMINATING, EXITED }

    private final EmulatorSettings settings;
    private final IstioVersion version;
    private final EnvoyProcess envoy;
    private final Recorder recorder;
    private final ThreadFactory threads;
    /** Null when the Pod disabled the status port ({@code status.sidecar.istio.io/port: "0"}). */
    private final @Nullable SocketListener listener;
    private final AtomicBoolean readyCached = new AtomicBoolean();
    private final AtomicBoolean terminationStarted = new AtomicBoolean();
    private final CountDownLatch exited = new CountDownLatch(1);
    private volatile State state = State.RUNNING;
    private volatile boolean skipDrain;
    private volatile @Nullable Thread sequence;
    private volatile long exitedNanos;
    private volatile @Nullable Instant exitedAt;

    PilotAgent(EmulatorSettings settings, EnvoyProcess envoy, Recorder recorder, ThreadFactory threads) {
        this.settings = settings;
        this.version = settings.version();
        this.envoy = envoy;
        this.recorder = recorder;
        this.threads = threads;
        this.listener = settings.statusServerEnabled() ? new SocketListener("agent", settings.agentPort(), threads,
                new HttpConnectionLoop(this, () -> false, r -> recorder.call(RecordedCall.Target.AGENT, r))) : null;
    }

    void start() throws IOException {
        SocketListener l = listener;
        if (l != null) {
            l.start();
        }
        // pilot-agent exits when its Envoy child exits, whatever the reason (istio pkg/envoy/agent.go Run).
        envoy.onExit(this::envoyExited);
    }

    /** Whether the status server exists (it may still have stopped listening). */
    boolean hasStatusServer() {
        return listener != null;
    }

    /** The status server's bound port; -1 without a status server. */
    int port() {
        SocketListener l = listener;
        return l != null ? l.port() : -1;
    }

    State state() {
        return state;
    }

    @Override
    public HttpResponse handle(HttpRequest request, ListenerConnection connection) {
        switch (request.path()) {
            case "/healthz/ready":
                return HttpResponse.of(isReady() ? 200 : 503, null, "");
            case "/quitquitquit":
                if (!version.atLeast(1, 3)) {
                    return notFound();
                }
                return guarded(request, () -> {
                    HttpResponse ok = HttpResponse.of(200, GO_TEXT, "OK");
                    return ok.afterSend(this::quit); // response first, then 15020 stops listening
                });
            case "/drain":
                if (!version.atLeast(1, 21)) {
                    return notFound();
                }
                return guarded(request, () -> {
                    drainNow();
                    return HttpResponse.of(200, GO_TEXT, "OK");
                });
            default:
                return notFound();
        }
    }

    private static HttpResponse notFound() {
        HttpResponse r = HttpResponse.of(404, GO_TEXT, "404 page not found\n");
        r.headers().add("x-content-type-options", "nosniff");
        return r;
    }

    /** Loopback only (403), POST only (405), in that order ({@code server.go handleQuit, handleDrain}). */
    private static HttpResponse guarded(HttpRequest request, Supplier<HttpResponse> action) {
        if (!request.remoteAddress().isLoopbackAddress()) {
            HttpResponse r = HttpResponse.of(403, GO_TEXT, "Only requests from localhost are allowed\n");
            r.headers().add("x-content-type-options", "nosniff");
            return r;
        }
        if (!"POST".equals(request.method())) {
            HttpResponse r = HttpResponse.of(405, GO_TEXT, "Method Not Allowed\n");
            r.headers().add("x-content-type-options", "nosniff");
            return r;
        }
        return action.get();
    }

    /**
     * {@code status/ready/probe.go}: 503 once terminating (checked first), then config received, {@code server.state == 0}
     * and workers started; the first success is cached forever.
     */
    boolean isReady() {
        if (state != State.RUNNING) {
            return false;
        }
        if (readyCached.get()) {
            return true;
        }
        if (envoy.isAlive() && envoy.initialized() && envoy.serverStateGauge() == 0) {
            readyCached.set(true);
            return true;
        }
        return false;
    }

    /** {@code /drain} and the native preStop: drain inbound with skip_exit and skip the later drain wait. */
    void drainNow() {
        skipDrain = true;
        post("/drain_listeners?inboundonly&graceful&skip_exit");
    }

    /** Kubelet's SIGTERM. */
    void terminate() {
        recorder.event(SidecarEvent.Type.SIGTERM_RECEIVED, "");
        startTermination();
    }

    /** {@code POST /quitquitquit} on 15020: from 1.26 it skips the drain, otherwise it acts like SIGTERM. */
    private void quit() {
        recorder.event(SidecarEvent.Type.AGENT_QUIT_REQUESTED, "istio " + settings.istioVersion());
        if (version.atLeast(1, 26)) {
            skipDrain = true;
        }
        startTermination();
    }

    private void startTermination() {
        if (!terminationStarted.compareAndSet(false, true)) {
            return;
        }
        if (state == State.RUNNING) {
            state = State.TERMINATING;
        }
        SocketListener l = listener;
        if (l != null) {
            // pilot/cmd/pilot-agent/status/server.go Run: the listener closes with the context, so new
            // connects are refused while requests on open connections are still answered
            l.stopAccepting();
            recorder.event(SidecarEvent.Type.AGENT_STATUS_CLOSED, "");
        }
        Thread t = threads.newThread(new TerminationSequence(settings, envoy, this));
        t.setName(t.getName() + "-agent-termination");
        sequence = t;
        t.start();
    }

    boolean skipDrain() {
        return skipDrain;
    }

    /** POSTs to the own Envoy like {@code pkg/envoy/admin.go}: errors are only logged (here: ignored). */
    void post(String target) {
        try {
            LoopbackHttpClient.send(envoy.adminPort(), "POST", target, "agent", Duration.ofSeconds(1),
                    Duration.ofSeconds(5));
        } catch (IOException ignored) {
            // pilot-agent only logs a failed drain call
        }
    }

    private void envoyExited() {
        if (state == State.RUNNING && terminationStarted.compareAndSet(false, true)) {
            state = State.TERMINATING;
            SocketListener l = listener;
            if (l != null) {
                l.stopAccepting();
                recorder.event(SidecarEvent.Type.AGENT_STATUS_CLOSED, "Envoy exited");
            }
            exit();
        }
        // otherwise the running termination sequence notices Envoy's exit and exits
    }

    synchronized void exit() {
        if (state == State.EXITED) {
            return;
        }
        state = State.EXITED;
        SocketListener l = listener;
        if (l != null) {
            l.close();
        }
        exitedNanos = System.nanoTime();
        exitedAt = Instant.now();
        recorder.event(SidecarEvent.Type.AGENT_EXITED, "exit code 0");
        exited.countDown();
    }

    boolean awaitExit(Duration timeout) throws InterruptedException {
        return exited.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    boolean isExited() {
        return state == State.EXITED;
    }

    long exitedNanos() {
        return exitedNanos;
    }

    @Nullable Instant exitedAt() {
        return exitedAt;
    }

    void close() {
        Thread t = sequence;
        if (t != null) {
            t.interrupt();
        }
        SocketListener l = listener;
        if (l != null) {
            l.close();
        }
    }
}
