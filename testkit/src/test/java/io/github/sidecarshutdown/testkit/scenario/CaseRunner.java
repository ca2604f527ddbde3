package io.github.sidecarshutdown.testkit.scenario;

import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.PhaseResult;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownCoordinatorBuilder;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.TaskResult;
import io.github.sidecarshutdown.testkit.emulator.RecordedCall;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import io.github.sidecarshutdown.testkit.emulator.SidecarEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs one {@link PodCase} in this JVM: the emulated sidecar, a loopback downstream that answers
 * after {@link #WORK}, and a coordinator configured as the Pod's container would be (its
 * environment, its mounted annotations), with one cleanup task that calls the downstream through
 * the sidecar and one local release task. The Pod ends as the case says: for a deletion the
 * kubelet's SIGTERM reaches a classic sidecar and the app at once (the native preStop runs first),
 * a native sidecar or ztunnel is stopped once the app exited, and a completing Job signals nothing.
 * Then it watches the sidecar until it exits or the grace period is over.
 *
 * <p>One case at a time per JVM: the library releases the sidecar once per process
 * (docs/sidecar-states.md, "One release per process"), so concurrent coordinators would wait for
 * each other.
 */
final class CaseRunner {

    /** How long the downstream takes to answer the cleanup call. */
    static final Duration WORK = Duration.ofMillis(1300);
    /** The cleanup task's timeout: what the plan counts for it. */
    static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(2);
    /**
     * The local release task (closing pools). It keeps the sidecar release clear of a window's end,
     * and it is longer than the work budget of the tight grace period (2 s - 1 s margin - 0.5 s for
     * the release call), so that a deadline the plan warns about cuts work even when the cleanup
     * was skipped at once.
     */
    static final Duration RELEASE_WORK = Duration.ofMillis(800);
    static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(1);
    /** How long past the grace period the sidecar is watched, to tell "exited by then" from "not". */
    static final Duration WATCH_PAST_GRACE = Duration.ofMillis(700);

    static final String CLEANUP_TASK = "notify-downstream";
    static final String RELEASE_TASK = "close-pools";

    private static final Set<SidecarEvent.Type> OUTBOUND_ENDS = Set.of(SidecarEvent.Type.ENVOY_KILLED,
            SidecarEvent.Type.ENVOY_EXITED, SidecarEvent.Type.AGENT_EXITED);

    private CaseRunner() {
    }

    /** Runs the case; what goes wrong is recorded in the observation, never thrown. */
    static CaseObservation run(PodCase c, Path dir) {
        try {
            return runOrThrow(c, dir);
        } catch (Throwable t) {
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            StringWriter w = new StringWriter();
            t.printStackTrace(new PrintWriter(w));
            return CaseObservation.failed(c, w.toString());
        }
    }

    private static CaseObservation runOrThrow(PodCase c, Path dir) throws Exception {
        Path caseDir = Files.createTempDirectory(dir, "case");
        Path annotations = caseDir.resolve("annotations");
        Files.writeString(annotations, downwardApi(c.annotations()));
        Path labels = caseDir.resolve("labels-not-mounted");
        try (Downstream downstream = Downstream.start(WORK);
                SidecarEmulator emulator = c.emulator().build().start()) {
            HttpClient viaSidecar = HttpClient.newBuilder().proxy(ProxySelector.of(emulator.outboundProxyAddress()))
                    .connectTimeout(Duration.ofSeconds(1)).build();
            List<ShutdownTask> tasks = tasks(viaSidecar, downstream.uri());
            ShutdownCoordinatorBuilder builder = ShutdownCoordinator.builder().fromEnvironment(c.environment(annotations, labels));
            urls(builder, c.mesh(), emulator);
            tasks.forEach(builder::task);
            ShutdownCoordinator coordinator = builder.build();
            coordinator.awaitSidecarReady(Duration.ofSeconds(10));
            ShutdownPlan plan = coordinator.plan();
            ShutdownPlan podPlan = ShutdownPlan.forPod(builder.settings(), tasks, c.annotations());

            long t0 = System.nanoTime();
            if (c.end().deletion) {
                if (c.mesh() == PodCase.Mesh.ISTIO_NATIVE) {
                    emulator.podDeletionStarted(); // the native sidecar's preStop /drain
                }
                if (c.mesh().classic()) {
                    emulator.terminate();
                    awaitSignalTaken(emulator, c.mesh());
                }
            }
            long appStart = System.nanoTime();
            ShutdownReport report = coordinator.shutdown();
            long appEnd = System.nanoTime();
            long kubeletStop = -1;
            if (c.mesh().stoppedAfterApp()) {
                // The kubelet stops a native sidecar after the app (in a deletion and at a Job's end);
                // ztunnel lets the Pod go once its last container exited.
                kubeletStop = System.nanoTime();
                emulator.terminate();
            }
            long watchUntil = c.end().deletion ? t0 + c.grace().plus(WATCH_PAST_GRACE).toNanos()
                    : appEnd + c.quitTime().plusSeconds(1).toNanos();
            if (c.mesh() != PodCase.Mesh.NONE) {
                emulator.awaitExit(Duration.ofNanos(Math.max(0, watchUntil - System.nanoTime())));
            }
            long observedUntil = System.nanoTime();
            OptionalLong exited = c.mesh() == PodCase.Mesh.NONE ? OptionalLong.empty() : emulator.exitedAtNanos();
            List<SidecarEvent> events = emulator.events();
            List<RecordedCall> calls = emulator.calls();
            List<RecordedCall> fromApp = calls.stream().filter(r -> !r.fromSidecar() && r.method().equals("POST")).toList();
            long releaseCall = fromApp.stream().filter(r -> !r.path().equals("/drain_listeners"))
                    .mapToLong(RecordedCall::nanoTime).findFirst().orElse(Long.MIN_VALUE);
            long outboundEnd = events.stream().filter(e -> OUTBOUND_ENDS.contains(e.type()))
                    .mapToLong(SidecarEvent::nanoTime).min().orElse(Long.MIN_VALUE);
            long appOffset = appStart - t0;
            return new CaseObservation(c, null, CaseObservation.PlanView.of(plan), CaseObservation.PlanView.of(podPlan),
                    fromApp.stream().map(CaseRunner::call).toList(),
                    task(report, CLEANUP_TASK, appOffset), task(report, RELEASE_TASK, appOffset), phases(report, appOffset),
                    report.sidecarReleased(), report.summaryLine(), ms(appOffset), ms(appEnd - t0), since(t0, outboundEnd),
                    exited.isPresent() ? ms(exited.getAsLong() - t0) : -1, ms(observedUntil - t0), since(t0, releaseCall),
                    kubeletStop < 0 ? -1 : ms(kubeletStop - t0), events(events, t0));
        }
    }

    /**
     * Waits until the sidecar shows the SIGTERM it got, as it would before the app's first probe in
     * a Pod: kuma-dp fails Envoy's health check on its own thread; the others act at once.
     */
    private static void awaitSignalTaken(SidecarEmulator emulator, PodCase.Mesh mesh) throws InterruptedException {
        if (mesh != PodCase.Mesh.KUMA) {
            return;
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < end
                && emulator.events().stream().noneMatch(e -> e.type() == SidecarEvent.Type.HEALTHCHECK_FAILED)) {
            Thread.sleep(5);
        }
    }

    private static List<ShutdownTask> tasks(HttpClient viaSidecar, URI downstream) {
        ShutdownTask cleanup = ShutdownTask.builder(CLEANUP_TASK, ctx -> {
            Duration timeout = ctx.remaining().compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : ctx.remaining();
            HttpResponse<Void> r = viaSidecar.send(HttpRequest.newBuilder(downstream).timeout(timeout)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != 204) {
                throw new IOException("downstream answered " + r.statusCode() + " through the sidecar");
            }
        }).phase(ShutdownPhase.CLEANUP).timeout(CLEANUP_TIMEOUT).build();
        // Local work of its full length whatever is left: the deadline, not the task, decides whether it fits.
        ShutdownTask close = ShutdownTask.builder(RELEASE_TASK, ctx -> Thread.sleep(RELEASE_WORK.toMillis()))
                .phase(ShutdownPhase.RELEASE).timeout(RELEASE_TIMEOUT).build();
        return List.of(cleanup, close);
    }

    /** Every mesh URL: the case's mesh at the emulator, the others at a port that refuses. */
    private static void urls(ShutdownCoordinatorBuilder b, PodCase.Mesh mesh, SidecarEmulator emulator) throws IOException {
        URI refused = refusedUrl();
        boolean istio = mesh == PodCase.Mesh.ISTIO || mesh == PodCase.Mesh.ISTIO_NATIVE || mesh == PodCase.Mesh.AMBIENT
                || mesh == PodCase.Mesh.NONE;
        boolean consul = mesh == PodCase.Mesh.CONSUL || mesh == PodCase.Mesh.CONSUL_NATIVE;
        b.adminUrl(istio ? emulator.adminUrl() : refused).agentUrl(istio ? emulator.agentUrl() : refused)
                .consulAdminUrl(consul ? emulator.adminUrl() : refused).consulLifecycleUrl(consul ? emulator.agentUrl() : refused)
                .kumaAdminUrl(mesh == PodCase.Mesh.KUMA ? emulator.adminUrl() : refused)
                .linkerdAdminUrl(mesh == PodCase.Mesh.LINKERD ? emulator.adminUrl() : refused)
                .daprUrl(mesh == PodCase.Mesh.DAPR ? emulator.adminUrl() : refused);
    }

    private static URI refusedUrl() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }

    private static CaseObservation.TaskView task(ShutdownReport report, String name, long appOffset) {
        TaskResult t = report.task(name).orElse(null);
        if (t == null) {
            return new CaseObservation.TaskView("missing", -1, -1, "not in the report");
        }
        long start = ms(appOffset) + t.startOffset().toMillis();
        return new CaseObservation.TaskView(t.outcome().tagValue(), start, start + t.elapsed().toMillis(),
                t.reason() == null ? "" : t.reason());
    }

    private static List<CaseObservation.PhaseView> phases(ShutdownReport report, long appOffset) {
        List<CaseObservation.PhaseView> out = new ArrayList<>();
        for (PhaseResult p : report.phases()) {
            long start = ms(appOffset) + p.startOffset().toMillis();
            out.add(new CaseObservation.PhaseView(p.phase().tagValue(), p.outcome().tagValue(), start,
                    start + p.elapsed().toMillis(), p.detail() == null ? "" : p.detail()));
        }
        return List.copyOf(out);
    }

    private static String call(RecordedCall r) {
        return r.method() + " " + r.path() + (r.query().isEmpty() ? "" : "?" + r.query());
    }

    private static String events(List<SidecarEvent> events, long t0) {
        return events.stream().map(e -> ms(e.nanoTime() - t0) + "ms " + e.type() + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")"))
                .collect(Collectors.joining("; "));
    }

    private static long since(long t0, long nanos) {
        return nanos == Long.MIN_VALUE ? -1 : ms(nanos - t0);
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** The downward-API file: {@code key="value"} lines, quoted as Go's {@code %q} does. */
    static String downwardApi(Map<String, String> annotations) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : annotations.entrySet()) {
            sb.append(e.getKey()).append("=\"");
            for (char ch : e.getValue().toCharArray()) {
                switch (ch) {
                    case '"': sb.append("\\\""); break;
                    case '\\': sb.append("\\\\"); break;
                    case '\n': sb.append("\\n"); break;
                    case '\t': sb.append("\\t"); break;
                    default: sb.append(ch);
                }
            }
            sb.append("\"\n");
        }
        return sb.toString();
    }

    /** A loopback service that answers every POST with 204 after {@code work}. */
    static final class Downstream implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService executor;

        private Downstream(HttpServer server, ExecutorService executor) {
            this.server = server;
            this.executor = executor;
        }

        static Downstream start(Duration work) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "agreement-downstream");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            server.createContext("/cleanup", exchange -> {
                try (exchange) {
                    Thread.sleep(work.toMillis());
                    exchange.sendResponseHeaders(204, -1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.start();
            return new Downstream(server, executor);
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/cleanup");
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
