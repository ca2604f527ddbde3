package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.examples.demo.JobCompletionRun;
import io.github.sidecarshutdown.examples.demo.JobCompletionRun.Release;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Job Pods ({@code restartPolicy: Never}) with a classic Istio sidecar, run to completion with real
 * processes ({@link JobCompletionRun}): how long the Pod lives on after the job's own exit when the
 * library releases the sidecar, against the shell-trap workaround
 * ({@code trap 'curl -XPOST :15020/quitquitquit' EXIT}) as the baseline of the same run. Without
 * either the Pod never completes (the scenario matrix shows it); that is no figure to time.
 * Repetitions are interleaved so that a slow moment hits both variants alike.
 */
final class JobCompletionBenchmark {

    /** The JSON section and the stable name of the cell. */
    static final String SECTION = "job-completion";
    static final Duration WORK = Duration.ofMillis(500);
    static final int CLEANUP_CALLS = 2;
    /** Far above any completion seen: a Pod still running then is reported as never completed. */
    static final Duration BOUND = Duration.ofSeconds(8);

    private final Map<Release, List<JobCompletionRun.Result>> results = new LinkedHashMap<>();

    static int repetitions(boolean quick) {
        return quick ? 3 : 9;
    }

    /** Runs both variants {@code repetitions} times, interleaved, printing one line per Pod. */
    void run(int repetitions) throws Exception {
        List<Release> variants = List.of(Release.SHELL_TRAP, Release.LIBRARY);
        int total = repetitions * variants.size();
        int done = 0;
        for (int rep = 1; rep <= repetitions; rep++) {
            for (Release v : variants) {
                JobCompletionRun.Result r = JobCompletionRun.run(new JobCompletionRun.Spec("ISTIO_1_26", v,
                        v == Release.LIBRARY ? "job" : "", "", WORK, 0, CLEANUP_CALLS, BOUND));
                results.computeIfAbsent(v, k -> new ArrayList<>()).add(r);
                done++;
                System.out.printf(Locale.ROOT, "  [%2d/%d] %-11s phase %-9s app exit %5s ms, Pod completed %s%n", done, total,
                        label(v), r.run().phase(), r.run().appExitedAt().map(d -> String.valueOf(d.toMillis())).orElse("-"),
                        r.run().completionGap().map(g -> String.format(Locale.ROOT, "%.1f ms after it", g.toNanos() / 1e6))
                                .orElse("never (within " + BOUND.toSeconds() + " s)"));
            }
        }
    }

    static String label(Release v) {
        return v == Release.LIBRARY ? "library" : v == Release.SHELL_TRAP ? "shell-trap" : "no-release";
    }

    /**
     * Completion after the app's exit, in ms with microsecond precision: the released sidecar often exits
     * before the JVM does, so whole milliseconds would round most gaps to 0 and the ratio to nothing.
     */
    private List<Double> gaps(Release v) {
        return results.getOrDefault(v, List.of()).stream().filter(r -> r.run().completionGap().isPresent())
                .map(r -> r.run().completionGap().orElseThrow().toNanos() / 1e6).toList();
    }

    /** Completion after the job's work ended ({@code APP_EVENT job-done}): what the cleanup and the release cost. */
    private List<Double> afterWork(Release v) {
        List<Double> out = new ArrayList<>();
        for (JobCompletionRun.Result r : results.getOrDefault(v, List.of())) {
            var done = r.run().firstOutput("app", "APP_EVENT job-done");
            if (done.isPresent() && r.run().completedAt().isPresent()) {
                out.add(r.run().completedAt().orElseThrow().minus(done.orElseThrow().sinceDeletion()).toNanos() / 1e6);
            }
        }
        return out;
    }

    private int completed(Release v) {
        return gaps(v).size();
    }

    /**
     * The figures, section {@value #SECTION}: per variant the Pods completed of N, the completion after the
     * app's exit (completed Pods only), and for the library that gap against the shell trap's median.
     */
    List<Figure> figures() {
        List<Figure> figures = new ArrayList<>();
        List<Double> trap = gaps(Release.SHELL_TRAP);
        for (Map.Entry<Release, List<JobCompletionRun.Result>> e : results.entrySet()) {
            String v = label(e.getKey());
            figures.add(Figure.of(SECTION, "pods-run", "pods", v, e.getValue().size()));
            figures.add(Figure.of(SECTION, "pods-completed", "pods", v, completed(e.getKey())));
            List<Double> gaps = gaps(e.getKey());
            if (!gaps.isEmpty()) {
                figures.add(new Figure(SECTION, "pod-completion-after-app-exit", "ms", v, gaps));
                figures.add(new Figure(SECTION, "pod-completion-after-work", "ms", v, afterWork(e.getKey())));
                if (e.getKey() == Release.LIBRARY && !trap.isEmpty()) {
                    double baseline = Figure.median(trap);
                    figures.add(new Figure(SECTION, "pod-completion-vs-shell-trap", "ratio", v,
                            gaps.stream().map(g -> baseline == 0 ? Double.NaN : g / baseline).toList()));
                }
            }
        }
        return figures;
    }

    /** The table: medians [min-max] of the completion after the app's exit, and the ratio to the shell trap. */
    String table() {
        StringBuilder sb = new StringBuilder();
        int n = results.values().stream().mapToInt(List::size).max().orElse(0);
        sb.append("\nJob Pod, classic sidecar (Istio 1.26), ").append(WORK.toMillis()).append(" ms of work + ")
                .append(CLEANUP_CALLS).append(" cleanup calls, exit 0 (").append(n).append(n == 1 ? " Pod" : " Pods")
                .append(" per variant; median [min-max])\n");
        Table t = new Table("variant", "Pods completed", "Pod completion after app exit", "vs shell trap",
                "Pod completion after the job's work");
        double baseline = gaps(Release.SHELL_TRAP).isEmpty() ? Double.NaN : Figure.median(gaps(Release.SHELL_TRAP));
        for (Release v : results.keySet()) {
            List<Double> gaps = gaps(v);
            String ratio = v == Release.SHELL_TRAP ? "1 (baseline)"
                    : gaps.isEmpty() || Double.isNaN(baseline) || baseline == 0 ? "-"
                    : String.format(Locale.ROOT, "%.2f", Figure.median(gaps) / baseline);
            t.row(v == Release.LIBRARY ? "library (SIDECAR_SHUTDOWN_WORKLOAD=job)" : "shell trap: curl -XPOST :15020/quitquitquit",
                    completed(v) + " of " + results.get(v).size(),
                    gaps.isEmpty() ? "never completed within " + BOUND.toSeconds() + " s"
                            : TerminationBenchmark.range(gaps, "%.1f") + " ms",
                    ratio,
                    afterWork(v).isEmpty() ? "-" : TerminationBenchmark.range(afterWork(v), "%.0f") + " ms");
        }
        return sb.append(t.render()).toString();
    }
}
