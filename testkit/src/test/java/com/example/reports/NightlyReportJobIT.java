package com.example.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain;
import io.github.sidecarshutdown.testkit.pod.ContainerSpec;
import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import io.github.sidecarshutdown.testkit.pod.JobRun;
import io.github.sidecarshutdown.testkit.pod.PodPhase;
import io.github.sidecarshutdown.testkit.pod.PodSimulator;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A Job's Pod: the batch ends by itself; with a classic sidecar it completes only if the sidecar is released. */
class NightlyReportJobIT {

    @Test
    void theJobCompletesWithItsExitCodeOnceItsSummaryWentOutThroughTheSidecar() throws Exception {
        AtomicInteger published = new AtomicInteger();
        HttpServer results = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        results.createContext("/summary", exchange -> {
            published.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        results.start();
        try (PodSimulator pod = PodSimulator.builder()
                .sidecar(ContainerSpec.builder().name("istio-proxy")
                        .command(JavaProcess.javaCommand(List.of(), SidecarEmulatorMain.class.getName(),
                                List.of("--mode", "istio", "--termination-drain-duration", "20s")))
                        .readyPattern("^SIDECAR_EMULATOR_READY ").build())
                // the labels the Job controller puts on its Pods, mounted as the downward API does:
                // they tell the library (workload auto) that the app's exit is the Pod's end
                .podLabels(Map.of("batch.kubernetes.io/job-name", "nightly-report",
                        "batch.kubernetes.io/controller-uid", "5f0c3c1e-8a4b-4b7e-9d61-2f1d2a7c9e10"))
                .app(ready -> ContainerSpec.builder().name("report")
                        .command(JavaProcess.javaCommand(NightlyReport.class))   // in your project: your main class
                        .env("RESULTS_URL", "http://127.0.0.1:" + results.getAddress().getPort() + "/summary")
                        .env("OUTBOUND_PROXY_PORT", String.valueOf(ready.port("outbound")))
                        .env("SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:" + ready.port("admin"))
                        .env("SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:" + ready.port("agent"))
                        .readyPattern("^REPORT_STARTED").build())
                .build()) {
            pod.start();

            JobRun run = pod.awaitJobCompletion(Duration.ofSeconds(30));   // no signal: the batch ends by itself

            String timeline = run.toTimelineText();
            assertEquals(PodPhase.SUCCEEDED, run.phase(), timeline);   // a classic sidecar left running: RUNNING
            assertEquals(OptionalInt.of(0), run.appExitCode(), timeline);
            assertEquals(1, published.get(), timeline);
            assertTrue(run.completionGap().orElseThrow().compareTo(Duration.ofSeconds(2)) < 0, timeline);
        } finally {
            results.stop(0);
        }
    }

    /** The batch under test: its cleanup task publishes a summary, then the library releases the sidecar. */
    public static final class NightlyReport {
        public static void main(String[] args) throws Exception {
            URI results = URI.create(System.getenv("RESULTS_URL"));
            HttpClient viaSidecar = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress(
                    "127.0.0.1", Integer.parseInt(System.getenv("OUTBOUND_PROXY_PORT"))))).build();
            ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                    .fromEnvironment()
                    .task("publish-summary", ctx -> viaSidecar.send(HttpRequest.newBuilder(results)
                            .timeout(ctx.remaining()).POST(HttpRequest.BodyPublishers.ofString("rows=42")).build(),
                            HttpResponse.BodyHandlers.discarding()))
                    .build();
            coordinator.install();
            coordinator.awaitSidecarReady();
            System.out.println("REPORT_STARTED");
            Thread.sleep(300);   // the batch's work
        }   // main returns: exit code 0; the hook publishes the summary, then releases the sidecar
    }
}
