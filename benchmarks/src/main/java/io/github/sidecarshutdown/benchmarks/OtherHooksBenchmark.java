package io.github.sidecarshutdown.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.testkit.emulator.EmulatorMode;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code other-hooks}: something else in the JVM sends through the sidecar at exit (issue 23's table):
 * the OpenTelemetry SDK's own hook with a cold and a warm exporter, a plain hook sending after 200 ms
 * and after 1.5 s (beside a 1 s library task), a gRPC server with grpc-java's customary hook and a call
 * in flight that calls out. Each {@link OtherHooksApp} is a real child JVM beside the sidecar emulator,
 * deleted as the kubelet does (the sidecar's SIGTERM, after its preStop when it has one, and the app's
 * SIGTERM at once). Per cell: whether the send was delivered, when the Pod ended (both containers
 * exited) after the deletion and after the last call that reached the downstream. Figures only, no
 * timed asserts.
 */
final class OtherHooksBenchmark {

    /** What the Pod does about its sidecar. */
    enum Variant {
        LIBRARY("library (25 s window, released when done)", true, Duration.ofSeconds(25), Duration.ZERO),
        PLAIN("plain hooks, Istio's default 5 s window", false, Duration.ofSeconds(5), Duration.ZERO),
        PRESTOP("preStop sleep 10 s on the sidecar, 5 s window", false, Duration.ofSeconds(5), Duration.ofSeconds(10));

        final String label;
        final boolean library;
        final Duration window;
        final Duration preStop;

        Variant(String label, boolean library, Duration window, Duration preStop) {
            this.label = label;
            this.library = library;
            this.window = window;
            this.preStop = preStop;
        }
    }

    static final List<String> SCENARIOS = List.of("otel-cold", "otel-warm", "hook-200ms", "hook-1500ms", "grpc");
    private static final Map<String, String> SENDS = Map.of("otel-cold", "/v1/traces", "otel-warm", "/v1/traces",
            "hook-200ms", "/hook", "hook-1500ms", "/hook", "grpc", "/grpc-callout");

    /** One Pod: delivered or not, its end after the deletion and after the last call (-1: nothing delivered). */
    record Run(String scenario, Variant variant, boolean delivered, double podEndMs, double afterLastCallMs) {
    }

    private record Arrival(String path, long nanos) {
    }

    private final List<Run> runs = new ArrayList<>();
    private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();

    void run(int reps) throws Exception {
        HttpServer downstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        downstream.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "downstream");
            t.setDaemon(true);
            return t;
        }));
        downstream.createContext("/", exchange -> {
            arrivals.add(new Arrival(exchange.getRequestURI().getPath(), System.nanoTime()));
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().equals("/v1/traces")) {
                sleep(300); // a collector some way off
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        downstream.start();
        try {
            for (int i = 0; i < reps; i++) {
                for (String scenario : SCENARIOS) {
                    for (Variant v : Variant.values()) {
                        Run r = pod(scenario, v, "http://127.0.0.1:" + downstream.getAddress().getPort());
                        runs.add(r);
                        System.out.printf(Locale.ROOT, "  [%d/%d] %-11s %-44s delivered %-3s Pod end %6.0f ms, %6.0f ms after the last call%n",
                                i + 1, reps, scenario, v.label, r.delivered ? "yes" : "NO", r.podEndMs, r.afterLastCallMs);
                    }
                }
            }
        } finally {
            downstream.stop(0);
        }
    }

    private Run pod(String scenario, Variant v, String downstreamUrl) throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26).terminationDrainDuration(v.window)
                .build().start()) {
            ProcessBuilder pb = new ProcessBuilder(JavaProcess.javaCommand(LatencyBenchmark.SMALL_JVM, OtherHooksApp.class))
                    .redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("SIDECAR_SHUTDOWN_") || k.startsWith("OTEL_"));
            env.put("LIBRARY", String.valueOf(v.library));
            env.put("SCENARIO", scenario);
            env.put("PROXY_PORT", String.valueOf(emulator.outboundProxyPort()));
            env.put("DOWNSTREAM_URL", downstreamUrl);
            env.put("SIDECAR_SHUTDOWN_SIDECAR_MODE", "istio");
            env.put("SIDECAR_SHUTDOWN_ADMIN_URL", emulator.adminUrl().toString());
            env.put("SIDECAR_SHUTDOWN_AGENT_URL", emulator.agentUrl().toString());
            env.put("SIDECAR_SHUTDOWN_GRACE_PERIOD", "30s");
            env.put("SIDECAR_SHUTDOWN_PROPAGATION_DELAY", "0s");
            env.put("SIDECAR_SHUTDOWN_ANNOTATIONS_FILE", "/nonexistent/annotations");
            env.put("SIDECAR_SHUTDOWN_LABELS_FILE", "/nonexistent/labels");
            Process app = pb.start();
            try {
                CountDownLatch ready = new CountDownLatch(1);
                Thread reader = new Thread(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            if (line.equals("APP_READY")) {
                                ready.countDown();
                            }
                        }
                    } catch (IOException e) {
                        // the app is gone
                    }
                }, "other-hooks-app-output");
                reader.setDaemon(true);
                reader.start();
                if (!ready.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(scenario + ": the app never got ready");
                }
                arrivals.clear();
                CompletableFuture<Long> appExit = app.onExit().thenApply(p -> System.nanoTime());
                // The kubelet's deletion: the sidecar's preStop, then its SIGTERM; the app's SIGTERM at once.
                long deleted = System.nanoTime();
                if (v.preStop.isZero()) {
                    emulator.terminate();
                } else {
                    CompletableFuture.delayedExecutor(v.preStop.toMillis(), TimeUnit.MILLISECONDS).execute(emulator::terminate);
                }
                app.toHandle().destroy();
                long appEnd = appExit.get(60, TimeUnit.SECONDS);
                emulator.awaitExit(v.preStop.plus(v.window).plusSeconds(10));
                long sidecarEnd = emulator.exitedAtNanos().orElse(System.nanoTime());
                long podEnd = Math.max(appEnd, sidecarEnd);
                String path = SENDS.get(scenario);
                long last = -1;
                for (Arrival a : arrivals) {
                    if (a.path().equals(path) && a.nanos() > deleted) {
                        last = Math.max(last, a.nanos());
                    }
                }
                return new Run(scenario, v, last > 0, ms(podEnd - deleted), last > 0 ? ms(podEnd - last) : -1);
            } finally {
                app.destroyForcibly();
            }
        }
    }

    String table() {
        Table t = new Table("what sends at exit", "variant", "delivered", "Pod end after deletion, median", "after the last call, median");
        for (String s : SCENARIOS) {
            for (Variant v : Variant.values()) {
                List<Run> rs = runs.stream().filter(r -> r.scenario.equals(s) && r.variant == v).toList();
                if (rs.isEmpty()) {
                    continue;
                }
                List<Double> after = rs.stream().filter(Run::delivered).map(Run::afterLastCallMs).toList();
                t.row(s, v.label, rs.stream().filter(Run::delivered).count() + " of " + rs.size(),
                        String.format(Locale.ROOT, "%.2f s", Figure.median(rs.stream().map(Run::podEndMs).toList()) / 1000),
                        after.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f ms", Figure.median(after)));
            }
        }
        return "\nOther shutdown hooks (" + runs.size() + " Pods; ISTIO_1_26 emulator in-process, the app a fresh child JVM):\n" + t.render();
    }

    List<Figure> figures() {
        List<Figure> out = new ArrayList<>();
        for (String s : SCENARIOS) {
            for (Variant v : Variant.values()) {
                List<Run> rs = runs.stream().filter(r -> r.scenario.equals(s) && r.variant == v).toList();
                if (rs.isEmpty()) {
                    continue;
                }
                String variant = s + " " + v.name().toLowerCase(Locale.ROOT);
                out.add(new Figure("other-hooks", "delivered", "fraction", variant,
                        rs.stream().map(r -> r.delivered ? 1.0 : 0.0).toList()));
                out.add(new Figure("other-hooks", "pod-end", "ms", variant, rs.stream().map(Run::podEndMs).toList()));
                List<Double> after = rs.stream().filter(Run::delivered).map(Run::afterLastCallMs).toList();
                if (!after.isEmpty()) {
                    out.add(new Figure("other-hooks", "pod-end-after-last-call", "ms", variant, after));
                }
            }
        }
        return out;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
