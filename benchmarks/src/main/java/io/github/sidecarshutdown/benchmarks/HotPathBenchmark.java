package io.github.sidecarshutdown.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Runs {@link InFlightTrackerBenchmark} with JMH and {@code -prof gc}; per-iteration scores become the samples. */
final class HotPathBenchmark {

    private final List<Figure> figures = new ArrayList<>();
    private final StringBuilder table = new StringBuilder();

    void run(boolean quick) throws Exception {
        Options options = new OptionsBuilder()
                .include(InFlightTrackerBenchmark.class.getName() + "\\.")
                .forks(quick ? 1 : 2)
                .warmupIterations(quick ? 2 : 3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 3 : 5)
                .measurementTime(TimeValue.seconds(1))
                .addProfiler(GCProfiler.class)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> runs = new Runner(options).run();
        Table t = new Table("benchmark", "threads", "ns/op median [min-max]", "B/op (gc.alloc.rate.norm)", "vs untracked");
        Map<String, Double> medians = new java.util.HashMap<>();
        List<Object[]> rows = new ArrayList<>();
        for (RunResult run : runs) {
            String method = run.getParams().getBenchmark();
            method = method.substring(method.lastIndexOf('.') + 1);
            int threads = run.getParams().getThreads();
            List<Double> ns = new ArrayList<>();
            List<Double> bytes = new ArrayList<>();
            for (BenchmarkResult b : run.getBenchmarkResults()) {
                for (IterationResult it : b.getIterationResults()) {
                    ns.add(it.getPrimaryResult().getScore());
                    Result<?> alloc = allocNorm(it.getSecondaryResults());
                    if (alloc != null) {
                        bytes.add(alloc.getScore());
                    }
                }
            }
            Figure time = new Figure("hot-path", "in-flight-tracking", "ns/op", method + " threads=" + threads, ns);
            figures.add(time);
            if (!bytes.isEmpty()) {
                figures.add(new Figure("hot-path", "allocation", "B/op", method + " threads=" + threads, bytes));
            }
            medians.put(method, time.median());
            rows.add(new Object[] {method, threads, TerminationBenchmark.range(ns, "%.2f"),
                bytes.isEmpty() ? "n/a" : TerminationBenchmark.range(bytes, "%.3f")});
        }
        for (Object[] r : rows) {
            String method = (String) r[0];
            String baseline = method.replace("tracked", "untracked").replace("ununtracked", "untracked");
            String vs = method.startsWith("untracked") ? "baseline"
                    : String.format(Locale.ROOT, "+%.2f ns", medians.get(method) - medians.getOrDefault(baseline, Double.NaN));
            if (!method.startsWith("untracked")) {
                figures.add(Figure.of("hot-path", "tracking-cost-over-untracked", "ns/op", method,
                        medians.get(method) - medians.getOrDefault(baseline, Double.NaN)));
            }
            t.row(r[0], r[1], r[2], r[3], vs);
        }
        table.append(t.render());
    }

    private static Result<?> allocNorm(Map<String, Result> secondary) {
        for (Map.Entry<String, Result> e : secondary.entrySet()) {
            if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                return e.getValue();
            }
        }
        return null;
    }

    List<Figure> figures() {
        return figures;
    }

    String table() {
        return table.toString();
    }
}
