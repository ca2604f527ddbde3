package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The other meshes' sidecars (linkerd2-proxy {@code linkerd/app/admin/src/server.rs}, Dapr's health and
 * shutdown APIs), for {@link EmulatorMode#LINKERD} and
 * {@link EmulatorMode#DAPR}: linkerd-proxy's admin server ({@code :4191}) or daprd's HTTP API
 * ({@code :3500}) on one loopback port, with their termination:
 * <ul>
 *   <li>linkerd-proxy on SIGTERM drains and exits: {@code /ready} turns 503 at once and the proxy
 *       exits after {@code terminationDrainDuration} (standing for the time its open connections
 *       take to finish; 0 = at once). {@code POST /shutdown} exits at once.</li>
 *   <li>daprd on SIGTERM shuts down gracefully: its health endpoints turn 500 and it exits after
 *       {@code terminationDrainDuration} (standing for {@code --dapr-graceful-shutdown-seconds}).
 *       {@code POST /v1.0/shutdown} starts the same graceful shutdown.</li>
 * </ul>
 * The outbound proxy and inbound forwarder stay transparent pass-throughs in these modes.
 */
final class MeshProxy implements HttpHandler, MeshAgent {

    static final String TEXT = "text/plain";

    private final EmulatorMode mode;
    private final EmulatorSettings settings;
    private final Recorder recorder;
    private final ScheduledExecutorService scheduler;
    private final SocketListener listener;
    private final ProcessExit exitRecord = new ProcessExit();
    private volatile boolean terminating;

    MeshProxy(EmulatorSettings settings, Recorder recorder, ThreadFactory threads, ScheduledExecutorService scheduler) {
        this.mode = settings.mode();
        this.settings = settings;
        this.recorder = recorder;
        this.scheduler = scheduler;
        this.listener = new SocketListener(mode == EmulatorMode.LINKERD ? "linkerd-admin" : "daprd", settings.adminPort(), threads,
                new HttpConnectionLoop(this, () -> terminating, r -> recorder.call(RecordedCall.Target.ADMIN, r)));
    }

    @Override
    public void start() throws IOException {
        listener.start();
    }

    @Override
    public int adminPort() {
        return listener.port();
    }

    @Override
    public int agentPort() {
        return -1;
    }

    /** Neither Linkerd nor Dapr injects a preStop hook into its proxy container. */
    @Override
    public void podDeletionStarted() {
    }

    @Override
    public HttpResponse handle(HttpRequest request, ListenerConnection connection) {
        return mode == EmulatorMode.LINKERD ? linkerd(request) : dapr(request);
    }

    private HttpResponse linkerd(HttpRequest request) {
        switch (request.path()) {
            case "/ready":
                return terminating ? HttpResponse.of(503, TEXT, "not ready\n") : HttpResponse.of(200, TEXT, "ready\n");
            case "/live":
                return HttpResponse.of(200, TEXT, "live\n");
            case "/shutdown":
                if (!"POST".equals(request.method())) {
                    return HttpResponse.of(405, null, "");
                }
                if (!request.remoteAddress().isLoopbackAddress()) {
                    return HttpResponse.of(403, TEXT, "Requests are only permitted from localhost.");
                }
                if (!settings.shutdownEndpointEnabled()) {
                    return HttpResponse.of(404, TEXT, "shutdown endpoint is not enabled\n");
                }
                recorder.event(SidecarEvent.Type.AGENT_QUIT_REQUESTED, "linkerd-proxy POST /shutdown");
                return HttpResponse.of(200, TEXT, "shutdown\n").closeAfterSend().afterSend(() -> exit("POST /shutdown"));
            default:
                return HttpResponse.of(404, null, "");
        }
    }

    private HttpResponse dapr(HttpRequest request) {
        switch (request.path()) {
            case "/v1.0/healthz":
            case "/v1.0/healthz/outbound":
                if (!"GET".equals(request.method())) {
                    return HttpResponse.of(405, null, "");
                }
                return terminating ? HttpResponse.of(500, null, "") : HttpResponse.of(204, null, "");
            case "/v1.0/metadata":
                // What identifies daprd (dapr pkg/api/http/metadata.go): its app id and runtime version.
                if (!"GET".equals(request.method())) {
                    return HttpResponse.of(405, null, "");
                }
                return HttpResponse.of(200, "application/json",
                        "{\"id\":\"app\",\"runtimeVersion\":\"1.16.0\",\"enabledFeatures\":[],\"components\":[]}");
            case "/v1.0/shutdown":
                if (!"POST".equals(request.method())) {
                    return HttpResponse.of(405, null, "");
                }
                recorder.event(SidecarEvent.Type.AGENT_QUIT_REQUESTED, "daprd POST /v1.0/shutdown");
                return HttpResponse.of(204, null, "").afterSend(() -> gracefulExit("POST /v1.0/shutdown"));
            default:
                return HttpResponse.of(404, null, "");
        }
    }

    /** The kubelet's SIGTERM. Idempotent. */
    @Override
    public void terminate() {
        synchronized (this) {
            if (terminating) {
                return;
            }
        }
        recorder.event(SidecarEvent.Type.SIGTERM_RECEIVED, mode == EmulatorMode.LINKERD ? "linkerd-proxy" : "daprd");
        gracefulExit("SIGTERM");
    }

    private void gracefulExit(String why) {
        synchronized (this) {
            if (terminating) {
                return;
            }
            terminating = true;
        }
        recorder.event(SidecarEvent.Type.DRAIN_STARTED, why);
        Duration wait = settings.terminationDrainDuration();
        if (wait.isZero()) {
            exit(why);
        } else {
            scheduler.schedule(() -> exit(why), wait.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void exit(String why) {
        synchronized (this) {
            if (!exitRecord.stamp()) {
                return;
            }
            terminating = true;
        }
        listener.close();
        recorder.event(SidecarEvent.Type.AGENT_EXITED, (mode == EmulatorMode.LINKERD ? "linkerd-proxy" : "daprd") + " exited (" + why + ")");
        exitRecord.announce();
    }

    boolean isTerminating() {
        return terminating;
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
