package io.github.sidecarshutdown.examples.demo;

import io.github.sidecarshutdown.testkit.pod.PodTermination;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./demo}: deletes a simulated Pod (the plain-Java example app beside the test kit's Istio
 * sidecar emulator, as two real processes signalled like the kubelet does) in several sidecar
 * setups, once with the library and once with a plain shutdown hook, and prints what each lost and
 * how long each Pod took to end.
 */
public final class DemoRunner {

    /** How long clients keep sending to the Pod after its deletion (endpoints propagation). */
    private static final Duration ENDPOINT_PROPAGATION = Duration.ofSeconds(1);
    private static final int CLIENTS = 20;

    private DemoRunner() {
    }

    static List<DemoScenario> scenarios() {
        return List.of(
                new DemoScenario("istio-1.5, default 5s window, 1s cleanup", "ISTIO_1_5", Duration.ofSeconds(5), Duration.ofSeconds(1),
                        "the Pod waits for the window without the library; with it, it ends with the app"),
                new DemoScenario("istio-1.5, default 5s window, 7s cleanup", "ISTIO_1_5", Duration.ofSeconds(5), Duration.ofSeconds(7),
                        "past the window calls are lost either way (the library serves inbound first); its startup plan names the annotation that fixes it"),
                new DemoScenario("istio-1.5, 15s window (the fix), 6s cleanup", "ISTIO_1_5", Duration.ofSeconds(15), Duration.ofSeconds(6),
                        "the headline: a long window costs nothing with the library"),
                new DemoScenario("istio-1.0, Envoy dies at SIGTERM, 1s cleanup", "ISTIO_1_0", Duration.ofSeconds(5), Duration.ofSeconds(1),
                        "nothing can be delivered; the library fails fast and reports why"),
                new DemoScenario("native sidecar, 3s cleanup", "NATIVE", Duration.ofSeconds(5), Duration.ofSeconds(3),
                        "outbound works until the app exits; the library adds no release"),
                new DemoScenario("consul-dataplane, 4s grace period, 2s cleanup", "CONSUL", Duration.ofSeconds(4), Duration.ofSeconds(2),
                        "its SIGTERM cannot be seen, so nothing is released: the library keeps inbound whole and fits"
                                + " cleanup in the grace period; the Pod lasts that period, so set it to what the app needs"),
                new DemoScenario("kuma-dp, 4s drain time, 2s cleanup", "KUMA", Duration.ofSeconds(4), Duration.ofSeconds(2),
                        "kuma-dp waits out its drain time whatever the app does: the library keeps inbound whole and fits"
                                + " cleanup in it"));
    }

    /** One scenario and variant, measured. */
    record Result(DemoScenario scenario, boolean library, int cleanupSent, int cleanupDelivered, long inboundTotal,
            long inboundFailed, long appExitMs, long sidecarExitMs, int appExitCode, String report, PodTermination termination) {
    }

    public static void main(String[] args) throws Exception {
        Path json = null;
        boolean timelines = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json":
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--json needs a file name, e.g. ./demo --json results.json");
                    }
                    json = Paths.get(args[++i]);
                    break;
                case "--timelines":
                    timelines = true;
                    break;
                default:
                    System.err.println("usage: ./demo [--json FILE] [--timelines]");
                    System.exit(2);
            }
        }
        System.out.println("sidecar-shutdown demo: each Pod is the plain-Java example app + the sidecar emulator (Istio, Consul or Kuma),");
        System.out.println("two real processes; the Pod is deleted like the kubelet does (SIGTERM to both at once, or to the");
        System.out.println("native sidecar after the app). " + CLIENTS + " clients send requests until endpoints forget the Pod ("
                + ENDPOINT_PROPAGATION.toMillis() + " ms).");
        System.out.println();
        List<Result> results = new ArrayList<>();
        for (DemoScenario s : scenarios()) {
            Result without = run(s, false);
            Result with = run(s, true);
            results.add(without);
            results.add(with);
            printScenario(s, without, with);
            if (timelines || s.window().equals(Duration.ofSeconds(15))) {
                System.out.println("  timeline without the library:");
                System.out.println(indent(timeline(without)));
                System.out.println("  timeline with the library:");
                System.out.println(indent(timeline(with)));
            }
            System.out.println();
        }
        if (json != null) {
            Files.writeString(json, toJson(results), StandardCharsets.UTF_8);
            System.out.println("Results written to " + json.toAbsolutePath());
        }
    }

    private static Result run(DemoScenario s, boolean library) throws Exception {
        TerminationRun.Result r = TerminationRun.run(new TerminationRun.Spec(s.mode(), s.window(), Duration.ofSeconds(5),
                s.cleanupWork(), (int) Math.max(1, s.cleanupWork().toMillis() / 500), library, Duration.ofMillis(1500),
                Duration.ofSeconds(2), CLIENTS, ENDPOINT_PROPAGATION, Duration.ofSeconds(30)));
        return new Result(s, library, r.cleanupSent(), r.cleanupDelivered(), r.inboundTotal(), r.inboundFailed(), r.appExitMs(),
                r.sidecarExitMs(), r.appExitCode(), r.report(), r.termination());
    }

    private static void printScenario(DemoScenario s, Result without, Result with) {
        System.out.println("== " + s.name() + "  (" + s.lesson() + ")");
        System.out.printf(Locale.ROOT, "  %-16s %-17s %-15s %-10s %-13s %-10s%n", "", "cleanup calls", "inbound failed",
                "app exit", "sidecar exit", "Pod ends");
        for (Result r : List.of(without, with)) {
            System.out.printf(Locale.ROOT, "  %-16s %-17s %-15s %-10s %-13s %-10s%n",
                    r.library() ? "with library" : "without library",
                    r.cleanupDelivered() + " of " + r.cleanupSent() + " delivered",
                    r.inboundFailed() + " of " + r.inboundTotal(),
                    seconds(r.appExitMs()), seconds(r.sidecarExitMs()),
                    seconds(Math.max(r.appExitMs(), r.sidecarExitMs())));
        }
        if (!with.report().isEmpty()) {
            System.out.println("  library report: " + shorten(with.report(), 400));
        }
    }

    private static String timeline(Result r) {
        StringBuilder sb = new StringBuilder(r.termination().toTimelineText());
        return sb.toString();
    }

    private static String seconds(long ms) {
        return ms < 0 ? "-" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }

    private static String indent(String text) {
        return "    " + text.replace("\n", "\n    ");
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    static String toJson(List<Result> results) {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scenario", r.scenario().name());
            m.put("mode", r.scenario().mode());
            m.put("terminationDrainDurationMs", r.scenario().window().toMillis());
            m.put("cleanupWorkMs", r.scenario().cleanupWork().toMillis());
            m.put("library", r.library());
            m.put("cleanupSent", r.cleanupSent());
            m.put("cleanupDelivered", r.cleanupDelivered());
            m.put("inboundTotal", r.inboundTotal());
            m.put("inboundFailed", r.inboundFailed());
            m.put("appExitMs", r.appExitMs());
            m.put("sidecarExitMs", r.sidecarExitMs());
            m.put("podEndMs", Math.max(r.appExitMs(), r.sidecarExitMs()));
            m.put("appExitCode", r.appExitCode());
            m.put("report", r.report());
            sb.append("  {");
            int j = 0;
            for (Map.Entry<String, Object> e : m.entrySet()) {
                sb.append(j++ == 0 ? "" : ", ").append('"').append(e.getKey()).append("\": ");
                Object v = e.getValue();
                sb.append(v instanceof String ? quote((String) v) : String.valueOf(v));
            }
            sb.append(i + 1 < results.size() ? "},\n" : "}\n");
        }
        return sb.append("]\n").toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
