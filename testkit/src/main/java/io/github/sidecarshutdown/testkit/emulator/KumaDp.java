package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * kuma-dp, the main process of Kuma's sidecar container, for {@link EmulatorMode#KUMA}: its readiness
 * reporter and its life with its Envoy child (docs/emulator-meshes.md, section Kuma):
 * <ul>
 *   <li>{@code /ready}: 200 {@code READY}, 503 {@code TERMINATING} from the first SIGTERM on.</li>
 *   <li>First SIGTERM: {@code POST /healthcheck/fail} to Envoy (every HTTP connection is drain-closed,
 *       Envoy's {@code /ready} answers 503 {@code DRAINING}), then wait the drain time, cut short by a
 *       second SIGTERM; if the health-check call failed, no wait. Then every component stops: Envoy is
 *       killed (its process context is cancelled) and kuma-dp exits.</li>
 *   <li>Envoy's exit (its {@code /quitquitquit}) ends kuma-dp at once, unless a SIGTERM's drain wait is
 *       running, which then runs to its end.</li>
 * </ul>
 */
final class KumaDp implements HttpHandler, MeshAgent {

    /** kuma-dp's admin client: 5 s to connect, 10 s per request (envoy.go adminPost). */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

    private final EmulatorSettings settings;
    private final EnvoyProcess envoy;
    private final Recorder recorder;
    private final ThreadFactory threads;
    private final SocketListener listener;
    private final AtomicInteger stopSignals = new AtomicInteger();
    private final CountDownLatch secondSignal = new CountDownLatch(1);
    private final ProcessExit exitRecord = new ProcessExit();
    private volatile boolean terminating;
    private volatile @Nullable Thread drain;

    KumaDp(EmulatorSettings settings, EnvoyProcess envoy, Recorder recorder, ThreadFactory threads) {
        this.settings = settings;
        this.envoy = envoy;
        this.recorder = recorder;
        this.threads = threads;
        this.listener = new SocketListener("kuma-readiness", settings.agentPort(), threads,
                new HttpConnectionLoop(this, () -> false, r -> recorder.call(RecordedCall.Target.AGENT, r)));
    }

    @Override
    public void start() throws IOException {
        listener.start();
        // run.go: Envoy's component calls OnFinish (cancelComponents) when Envoy exits; outside a
        // SIGTERM's drain wait that stops every component at once (kumahq/kuma#1480).
        envoy.onExit(() -> {
            if (!terminating) {
                exit("Envoy exited");
            }
        });
    }

    @Override
    public int adminPort() {
        return envoy.adminPort();
    }

    @Override
    public int agentPort() {
        return listener.port();
    }

    /** readiness/component.go handleReadiness, with Envoy's admin on TCP (no proxying to Envoy). */
    @Override
    public HttpResponse handle(HttpRequest request, ListenerConnection connection) {
        if (!"/ready".equals(request.path())) {
            HttpResponse notFound = HttpResponse.of(404, PilotAgent.GO_TEXT, "404 page not found\n");
            notFound.headers().add("x-content-type-options", "nosniff");
            return notFound;
        }
        HttpResponse r = terminating ? HttpResponse.of(503, "text/plain", "TERMINATING")
                : HttpResponse.of(200, "text/plain", "READY");
        r.headers().add("cache-control", "no-cache, max-age=0");
        r.headers().add("x-powered-by", "kuma-dp");
        return r;
    }

    /**
     * core/alias.go SetupSignalHandler: the first SIGTERM starts the graceful stop, the second cuts its
     * drain wait short. (A third makes kuma-dp exit 1 at once; not emulated: the emulator's exit code is 0.)
     */
    @Override
    public void terminate() {
        int n = stopSignals.getAndIncrement();
        if (n == 0) {
            recorder.event(SidecarEvent.Type.SIGTERM_RECEIVED, "kuma-dp: drain for " + settings.drainDuration());
            Thread t = threads.newThread(this::gracefulStop);
            t.setName(t.getName() + "-kuma-dp-stop");
            drain = t;
            t.start();
        } else {
            recorder.event(SidecarEvent.Type.SIGTERM_RECEIVED, "kuma-dp: second signal, stop now");
            secondSignal.countDown();
        }
    }

    /** Kuma injects no preStop hook into kuma-dp's container. */
    @Override
    public void podDeletionStarted() {
    }

    /** run.go: readiness TERMINATING, Envoy health check failed, drain wait, stop every component. */
    private void gracefulStop() {
        terminating = true;
        boolean failed = false;
        try {
            failed = LoopbackHttpClient.send(envoy.adminPort(), "POST", "/healthcheck/fail", "agent",
                    CONNECT_TIMEOUT, ADMIN_TIMEOUT).status() == 200;
        } catch (IOException ignored) {
            // "could not drain connections": kuma-dp then stops without waiting
        }
        if (failed) {
            try {
                secondSignal.await(settings.drainDuration().toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // emulator closed
            }
        }
        envoy.kill("kuma-dp stops its components: Envoy's process context is cancelled");
        exit(failed ? "drained" : "health check call failed, no drain wait");
    }

    private void exit(String why) {
        synchronized (this) {
            if (!exitRecord.stamp()) {
                return;
            }
            terminating = true;
        }
        listener.close();
        recorder.event(SidecarEvent.Type.AGENT_EXITED, "kuma-dp exited, code 0 (" + why + ")");
        exitRecord.announce();
    }

    @Override
    public ProcessExit exitRecord() {
        return exitRecord;
    }

    @Override
    public void close() {
        Thread t = drain;
        if (t != null) {
            t.interrupt();
        }
        listener.close();
    }
}
