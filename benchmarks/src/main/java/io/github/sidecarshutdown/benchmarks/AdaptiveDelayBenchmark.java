package io.github.sidecarshutdown.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.examples.plain.PlainJavaApp;
import io.github.sidecarshutdown.testkit.pod.ContainerSpec;
import io.github.sidecarshutdown.testkit.pod.ContainerSpecBuilder;
import io.github.sidecarshutdown.testkit.pod.InboundLoad;
import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import io.github.sidecarshutdown.testkit.pod.LoopbackPorts;
import io.github.sidecarshutdown.testkit.pod.PodSimulator;
import io.github.sidecarshutdown.testkit.pod.PodTermination;
import io.github.sidecarshutdown.testkit.pod.SidecarKind;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Cell {@code adaptive-delay} (issue 16 item 3): the library's fixed propagation delay against the
 * adaptive one (a quiet period over the sidecar's inbound counters and the app's tracker), with
 * clients that stop sending at a random time in [0.3 s, 3 s] after the deletion (seeded, the same
 * stop time for every variant of one repetition), 1 s of cleanup work, classic and native Istio.
 * The target: Pod end <= work + the load's real propagation time (when its last request was sent)
 * + 0.5 s, with zero inbound failures.
 */
final class AdaptiveDelayBenchmark {

    static final Duration WORK = Duration.ofSeconds(1);
    static final Duration MAX_DELAY = Duration.ofSeconds(5);
    static final Duration TARGET_MARGIN = Duration.ofMillis(500);
    static final int CLIENTS = 50;
    static final long SEED = 20240616L;
    private static final List<String> SMALL_JVM = List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** How the library's delay is set. */
    enum Variant {
        FIXED("fixed 5 s delay (default)", Duration.ZERO),
        ADAPTIVE_500("adaptive: quiet 500 ms, max 5 s", Duration.ofMillis(500)),
        ADAPTIVE_250("adaptive: quiet 250 ms, max 5 s", Duration.ofMillis(250));

        final String label;
        final Duration quiet;

        Variant(String label, Duration quiet) {
            this.label = label;
            this.quiet = quiet;
        }
    }

    /** One Pod: what the load did and when the Pod ended, in ms after the deletion. */
    record Run(String mode, Variant variant, long stopMs, long propagationMs, long podEndMs, long inboundFailed,
            long inboundTotal, String delayOutcome) {

        boolean met() {
            return inboundFailed == 0 && podEndMs <= WORK.toMillis() + propagationMs + TARGET_MARGIN.toMillis();
        }
    }

    private final List<Run> runs = new ArrayList<>();

    /** Runs every mode and variant {@code repetitions} times, interleaved, printing one line per Pod. */
    void run(int repetitions) throws Exception {
        Random random = new Random(SEED);
        System.out.printf(Locale.ROOT, "  seed %d; clients stop at a random time in [300, 3000] ms after the deletion%n", SEED);
        List<String> modes = List.of("ISTIO_1_5", "NATIVE");
        int total = repetitions * modes.size() * Variant.values().length;
        int done = 0;
        for (int rep = 0; rep < repetitions; rep++) {
            long stopMs = 300 + random.nextInt(2701);
            for (String mode : modes) {
                for (Variant v : Variant.values()) {
                    Run r = pod(mode, v, stopMs);
                    runs.add(r);
                    done++;
                    System.out.printf(Locale.ROOT, "  [%2d/%d] %-9s %-34s stop %4d ms, last sent %4d ms, Pod end %5d ms, "
                                    + "inbound failed %d/%d, target %s; delay: %s%n", done, total, mode, v.label, stopMs,
                            r.propagationMs(), r.podEndMs(), r.inboundFailed(), r.inboundTotal(), r.met() ? "met" : "missed",
                            r.delayOutcome());
                }
            }
        }
    }

    private static Run pod(String mode, Variant v, long stopMs) throws Exception {
        boolean nativeMode = mode.equals("NATIVE");
        int appPort = LoopbackPorts.freePort();
        Path preStop = Files.createTempFile("sidecar-adaptive-prestop", "");
        Files.delete(preStop);
        HttpServer downstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        downstream.createContext("/cleanup", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        downstream.start();
        // A long window with the release on: the Pod's end is the app's own end, as in the termination cell.
        List<String> emulatorArgs = new ArrayList<>(List.of("--mode", mode, "--termination-drain-duration", "15s",
                "--app-port", String.valueOf(appPort), "--traffic-stats", "true"));
        if (nativeMode) {
            emulatorArgs.addAll(List.of("--native-prestop-file", preStop.toString()));
        }
        ContainerSpecBuilder app = ContainerSpec.builder().name("app")
                .command(JavaProcess.javaCommand(SMALL_JVM, PlainJavaApp.class))
                .env("APP_PORT", String.valueOf(appPort))
                .env("USE_LIBRARY", "true")
                .env("DOWNSTREAM_URL", "http://127.0.0.1:" + downstream.getAddress().getPort())
                .env("CLEANUP_WORK", WORK.toMillis() + "ms")
                .env("CLEANUP_CALLS", "2")
                .env("SIDECAR_SHUTDOWN_GRACE_PERIOD", "30s")
                .env("SIDECAR_SHUTDOWN_PROPAGATION_DELAY", MAX_DELAY.toMillis() + "ms")
                .env("SIDECAR_SHUTDOWN_QUIET_PERIOD", v.quiet.toMillis() + "ms")
                .env("SIDECAR_SHUTDOWN_DRAIN_TIMEOUT", "2s")
                .readyPattern("^APP_READY ");
        try (PodSimulator pod = PodSimulator.builder()
                .sidecarKind(nativeMode ? SidecarKind.NATIVE : SidecarKind.CLASSIC)
                .nativePreStopFile(preStop)
                .terminationGracePeriod(Duration.ofSeconds(30))
                .sidecar(ContainerSpec.builder().name("istio-proxy")
                        .command(JavaProcess.javaCommand(SMALL_JVM,
                                "io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain", emulatorArgs))
                        .readyPattern("^SIDECAR_EMULATOR_READY ").build())
                .app(ready -> app
                        .env("OUTBOUND_PROXY", "127.0.0.1:" + ready.port("outbound"))
                        .env("SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:" + ready.port("admin"))
                        .env("SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:" + ready.port("agent"))
                        .build())
                .build()) {
            pod.start();
            Duration lead = Duration.ofMillis(300);
            pod.startInboundLoad(InboundLoad.builder()
                    .url("http://127.0.0.1:" + pod.sidecarReady().port("inbound") + "/hello")
                    .clients(CLIENTS).leadTime(lead).maxDuration(lead.plusMillis(stopMs))
                    .requestTimeout(Duration.ofSeconds(2)).build());
            PodTermination t = pod.deletePod();
            long lastSent = t.inbound().requests().stream().mapToLong(r -> r.sentAt().toMillis()).max().orElse(0);
            String delay = t.app().lines().stream().map(l -> l.text())
                    .filter(l -> l.contains("sidecar-shutdown clean in") || l.contains("sidecar-shutdown degraded in"))
                    .findFirst().map(AdaptiveDelayBenchmark::delayPhase).orElse("?");
            return new Run(mode, v, stopMs, Math.max(0, lastSent), t.podEndMs(), t.inbound().failures(),
                    t.inbound().total(), delay);
        } finally {
            downstream.stop(0);
            Files.deleteIfExists(preStop);
        }
    }

    /** The {@code propagation_delay=...} part of the report line. */
    static String delayPhase(String report) {
        int at = report.indexOf("propagation_delay=");
        if (at < 0) {
            return "?";
        }
        int end = report.indexOf(", early_outbound=", at);
        return report.substring(at + "propagation_delay=".length(), end < 0 ? report.length() : end);
    }

    /** Per mode and variant: medians, failures and how many Pods met the target. */
    String table() {
        Map<String, List<Run>> groups = new LinkedHashMap<>();
        for (Run r : runs) {
            groups.computeIfAbsent(r.mode() + "|" + r.variant().name(), k -> new ArrayList<>()).add(r);
        }
        Table t = new Table("mode", "variant", "Pod end (median)", "last request sent (median)",
                "Pod end - work - propagation (median)", "inbound failed (max)", "target met");
        for (List<Run> rs : groups.values()) {
            Run first = rs.get(0);
            t.row(first.mode(), first.variant().label,
                    String.format(Locale.ROOT, "%.2f s", Figure.median(rs.stream().map(r -> r.podEndMs() / 1000.0).toList())),
                    String.format(Locale.ROOT, "%.2f s", Figure.median(rs.stream().map(r -> r.propagationMs() / 1000.0).toList())),
                    String.format(Locale.ROOT, "%.2f s", Figure.median(rs.stream()
                            .map(r -> (r.podEndMs() - WORK.toMillis() - r.propagationMs()) / 1000.0).toList())),
                    String.valueOf(rs.stream().mapToLong(Run::inboundFailed).max().orElse(0)),
                    rs.stream().filter(Run::met).count() + " of " + rs.size());
        }
        return "\n" + t.render();
    }

    List<Run> runs() {
        return runs;
    }

    /** Figures for the JSON: per cell, Pod end, the overshoot past work + propagation, failures. */
    List<Figure> figures() {
        Map<String, List<Run>> groups = new LinkedHashMap<>();
        for (Run r : runs) {
            groups.computeIfAbsent(r.mode() + " " + r.variant().name().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(r);
        }
        List<Figure> figures = new ArrayList<>();
        groups.forEach((v, rs) -> {
            figures.add(new Figure("adaptive-delay", "pod-termination", "ms", v, rs.stream().map(r -> (double) r.podEndMs()).toList()));
            figures.add(new Figure("adaptive-delay", "pod-end-past-work-and-propagation", "ms", v,
                    rs.stream().map(r -> (double) (r.podEndMs() - WORK.toMillis() - r.propagationMs())).toList()));
            figures.add(new Figure("adaptive-delay", "inbound-failed", "requests", v,
                    rs.stream().map(r -> (double) r.inboundFailed()).toList()));
        });
        return figures;
    }
}
