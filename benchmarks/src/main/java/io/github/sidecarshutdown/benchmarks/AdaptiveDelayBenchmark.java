package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.examples.demo.TerminationRun;
import io.github.sidecarshutdown.testkit.pod.PodTermination;
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
        // A long window with the release on: the Pod's end is the app's own end, as in the termination cell.
        TerminationRun.Result r = TerminationRun.run(new TerminationRun.Spec(mode, Duration.ofSeconds(15),
                Duration.ofSeconds(5), WORK, 2, true, MAX_DELAY, Duration.ofSeconds(2), CLIENTS, Duration.ofMillis(stopMs),
                Duration.ofSeconds(30)).withQuietPeriod(v.quiet));
        PodTermination t = r.termination();
        long lastSent = t.inbound().requests().stream().mapToLong(q -> q.sentAt().toMillis()).max().orElse(0);
        String delay = r.report().isEmpty() ? "?" : delayPhase(r.report());
        return new Run(mode, v, stopMs, Math.max(0, lastSent), r.podEndMs(), r.inboundFailed(), r.inboundTotal(), delay);
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
