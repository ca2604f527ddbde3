package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.examples.demo.TerminationRun;
import io.github.sidecarshutdown.examples.demo.TerminationRun.App;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Pod terminations with real processes (the example apps beside the sidecar emulator, signalled
 * like the kubelet does, {@link TerminationRun}): this library against what users do today, for
 * several cleanup lengths and sidecar modes. Repetitions are interleaved (every cell once, then
 * again) so that a slow minute on a shared machine hits every variant alike.
 */
final class TerminationBenchmark {

    /** The drain window of the mesh-side fix, long enough for the longest cleanup (12 s) plus a margin. */
    static final Duration LONG_WINDOW = Duration.ofSeconds(15);
    /** Istio's default {@code terminationDrainDuration}. */
    static final Duration DEFAULT_WINDOW = Duration.ofSeconds(5);
    static final int CLIENTS = 50;
    static final Duration ENDPOINT_PROPAGATION = Duration.ofSeconds(1);
    static final Duration PROPAGATION_DELAY = Duration.ofMillis(1500);
    static final Duration GRACE_PERIOD = Duration.ofSeconds(30);

    /** One way of running a Pod's shutdown. */
    enum Variant {
        LIBRARY("library (15 s window, release on)", App.PLAIN_JAVA, true, LONG_WINDOW, false, true),
        NO_LIBRARY("no library (plain hook)", App.PLAIN_JAVA, false, DEFAULT_WINDOW, false, true),
        MESH_FIX("mesh fix: 15 s window, no library", App.PLAIN_JAVA, false, LONG_WINDOW, false, false),
        PRESTOP_LOOP("preStop loop, no library", App.PLAIN_JAVA, false, DEFAULT_WINDOW, true, false),
        // Spring variants run with the classic sidecar only: their Pods start slowly, and the full run must stay
        // under ~25 minutes on 2 cores.
        SPRING_GRACEFUL("Spring graceful shutdown alone", App.SPRING_BOOT, false, DEFAULT_WINDOW, false, false),
        SPRING_STARTER("Spring + starter (15 s window)", App.SPRING_BOOT, true, LONG_WINDOW, false, false);

        final String label;
        final App app;
        final boolean library;
        final Duration window;
        final boolean preStopLoop;
        /**
         * Whether the variant runs with a native sidecar too: not the mesh fix nor the preStop loop (a native
         * sidecar already outlives the app), not the Spring variants (time).
         */
        final boolean native_;

        Variant(String label, App app, boolean library, Duration window, boolean preStopLoop, boolean nativeToo) {
            this.label = label;
            this.app = app;
            this.library = library;
            this.window = window;
            this.preStopLoop = preStopLoop;
            this.native_ = nativeToo;
        }
    }

    /** One cell of the matrix. */
    record Cell(String mode, Duration work, Variant variant) {
        String name() {
            return mode + " work=" + work.toSeconds() + "s " + variant.name().toLowerCase(Locale.ROOT);
        }
    }

    /** The plan: cells and repetitions. */
    record Plan(List<Cell> cells, int repetitions) {
    }

    static Plan plan(boolean quick) {
        List<String> modes = List.of("ISTIO_1_5", "NATIVE");
        List<Duration> works = quick ? List.of(Duration.ofSeconds(1)) : List.of(Duration.ofSeconds(1), Duration.ofSeconds(4),
                Duration.ofSeconds(12));
        List<Cell> cells = new ArrayList<>();
        for (String mode : modes) {
            for (Duration work : works) {
                for (Variant v : Variant.values()) {
                    if (mode.equals("NATIVE") && !v.native_) {
                        continue;
                    }
                    cells.add(new Cell(mode, work, v));
                }
            }
        }
        return new Plan(cells, quick ? 1 : 5);
    }

    private final Map<Cell, List<TerminationRun.Result>> results = new LinkedHashMap<>();

    /** Runs the plan, printing one line per Pod. */
    void run(Plan plan) throws Exception {
        int total = plan.cells().size() * plan.repetitions();
        int done = 0;
        for (int rep = 1; rep <= plan.repetitions(); rep++) {
            for (Cell cell : plan.cells()) {
                TerminationRun.Result r = TerminationRun.run(spec(cell));
                results.computeIfAbsent(cell, c -> new ArrayList<>()).add(r);
                done++;
                System.out.printf(Locale.ROOT, "  [%3d/%d] %-45s calls %2d/%-2d inbound failed %4d/%-5d Pod end %6d ms, gap %5d ms%n",
                        done, total, cell.name(), r.cleanupDelivered(), r.cleanupSent(), r.inboundFailed(), r.inboundTotal(),
                        r.podEndMs(), r.gapAfterWorkMs());
            }
        }
    }

    static TerminationRun.Spec spec(Cell c) {
        int calls = (int) Math.max(1, c.work().toMillis() / 500);
        return new TerminationRun.Spec(c.mode(), c.variant().window, Duration.ofSeconds(5), c.work(), calls, c.variant().library,
                PROPAGATION_DELAY, Duration.ofSeconds(2), CLIENTS, ENDPOINT_PROPAGATION, GRACE_PERIOD, c.variant().app,
                c.variant().preStopLoop);
    }

    Map<Cell, List<TerminationRun.Result>> results() {
        return results;
    }

    /** Every figure: per cell, delivered, failed inbound, Pod end, ratio to the work, gap, and Pod end against the library. */
    List<Figure> figures() {
        List<Figure> figures = new ArrayList<>();
        for (Map.Entry<Cell, List<TerminationRun.Result>> e : results.entrySet()) {
            Cell c = e.getKey();
            List<TerminationRun.Result> rs = e.getValue();
            String v = c.name();
            figures.add(fig("cleanup-calls-delivered", "calls", v, rs, r -> r.cleanupDelivered()));
            figures.add(fig("cleanup-calls-sent", "calls", v, rs, r -> r.cleanupSent()));
            figures.add(fig("inbound-failed", "requests", v, rs, r -> r.inboundFailed()));
            figures.add(fig("inbound-total", "requests", v, rs, r -> r.inboundTotal()));
            figures.add(fig("pod-termination", "ms", v, rs, r -> r.podEndMs()));
            figures.add(fig("pod-termination-per-work", "ratio", v, rs, r -> r.podEndMs() / (double) c.work().toMillis()));
            figures.add(fig("gap-after-last-cleanup-call", "ms", v, rs, r -> r.gapAfterWorkMs()));
            List<TerminationRun.Result> lib = results.get(new Cell(c.mode(), c.work(), Variant.LIBRARY));
            if (lib != null && c.variant() != Variant.LIBRARY) {
                double libMedian = Figure.median(lib.stream().map(r -> (double) r.podEndMs()).toList());
                figures.add(fig("pod-termination-vs-library", "ratio", v, rs, r -> r.podEndMs() / libMedian));
            }
        }
        return figures;
    }

    private static Figure fig(String name, String unit, String variant, List<TerminationRun.Result> rs,
            ToDoubleFunction<TerminationRun.Result> f) {
        return new Figure("termination", name, unit, variant, rs.stream().map(r -> f.applyAsDouble(r)).toList());
    }

    /** One table per mode and work: medians (min-max) of every variant. */
    String tables() {
        StringBuilder sb = new StringBuilder();
        Map<String, List<Cell>> groups = new LinkedHashMap<>();
        for (Cell c : results.keySet()) {
            groups.computeIfAbsent(c.mode() + ", cleanup work " + c.work().toSeconds() + " s", k -> new ArrayList<>()).add(c);
        }
        for (Map.Entry<String, List<Cell>> g : groups.entrySet()) {
            int n = results.get(g.getValue().get(0)).size();
            sb.append("\n").append(g.getKey()).append(" (").append(n).append(n == 1 ? " Pod" : " Pods").append(" per variant; ")
                    .append(CLIENTS).append(" inbound clients for ").append(ENDPOINT_PROPAGATION.toMillis())
                    .append(" ms after deletion; median [min-max])\n");
            Table t = new Table("variant", "cleanup calls delivered", "inbound failed", "Pod termination", "Pod / work",
                    "Pod vs library", "gap after last call");
            Cell lib = g.getValue().stream().filter(c -> c.variant() == Variant.LIBRARY).findFirst().orElse(null);
            double libMedian = lib == null ? Double.NaN : Figure.median(ms(results.get(lib), r -> (double) r.podEndMs()));
            for (Cell c : g.getValue()) {
                List<TerminationRun.Result> rs = results.get(c);
                t.row(c.variant().label,
                        range(ms(rs, r -> (double) r.cleanupDelivered()), "%.0f") + " of " + rs.get(0).cleanupSent(),
                        range(ms(rs, r -> (double) r.inboundFailed()), "%.0f") + " of ~"
                                + Math.round(Figure.median(ms(rs, r -> (double) r.inboundTotal()))),
                        range(ms(rs, r -> r.podEndMs() / 1000.0), "%.2f") + " s",
                        String.format(Locale.ROOT, "%.2f", Figure.median(ms(rs, r -> r.podEndMs() / (double) c.work().toMillis()))),
                        c.variant() == Variant.LIBRARY ? "1 (baseline)" : String.format(Locale.ROOT, "%.2f",
                                Figure.median(ms(rs, r -> (double) r.podEndMs())) / libMedian),
                        range(ms(rs, r -> (double) r.gapAfterWorkMs()), "%.0f") + " ms");
            }
            sb.append(t.render());
        }
        return sb.toString();
    }

    static List<Double> ms(List<TerminationRun.Result> rs, Function<TerminationRun.Result, Double> f) {
        return rs.stream().map(f).toList();
    }

    static String range(List<Double> values, String format) {
        String median = String.format(Locale.ROOT, format, Figure.median(values));
        if (values.size() == 1) {
            return median;
        }
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return median + " [" + String.format(Locale.ROOT, format, min) + "-" + String.format(Locale.ROOT, format, max) + "]";
    }
}
