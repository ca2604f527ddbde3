package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.examples.demo.TerminationRun.App;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * The rolling restart of a Deployment of N replicas ({@link RollingRestart}) per {@link RollingVariant}:
 * failed requests, cleanup calls delivered and rollout time. Repetitions are interleaved so that a slow
 * minute on a shared machine hits every variant alike.
 */
final class RollingRestartBenchmark {

    static final Duration LAG = Duration.ofSeconds(1);
    static final int CLIENTS = 100;
    static final Duration CLIENT_PAUSE = Duration.ofMillis(500);
    /** The target: the library's rollout no slower than any variant that loses nothing (issue 24). */
    static final double TARGET_RATIO = 1.00;
    /** The target: the library's new Pods Ready at most this much later than the plain-hook app's (issue 24). */
    static final double READY_TARGET_RATIO = 1.10;
    /** Deployment sizes with targets; larger ones are reported only (the 2 cores are crowded). */
    static final List<Integer> SIZES_WITH_TARGETS = List.of(5, 10);

    /** One cell: a Deployment size and a variant. */
    record Cell(int replicas, RollingVariant variant) {
        String key() {
            return "n" + replicas + "." + variant.key;
        }
    }

    /**
     * The plan: rounds of rollouts, each round every cell once; the second round runs in reverse order so that
     * running first (a cold harness) or last (a warm one) favours no variant.
     */
    record Plan(List<List<Cell>> rounds) {
        int size() {
            return rounds.stream().mapToInt(List::size).sum();
        }
    }

    /**
     * Quick: N=5, every variant, then the plain-Java variants again in reverse order (Spring's Pods start too
     * slowly on 2 cores for a second round in ~3 minutes). Full: N=5 and N=10, every variant twice, and N=20
     * (reported, no target) with the plain-Java variants once, in the second round.
     */
    static Plan plan(boolean quick) {
        return plan(quick ? List.of(5) : List.of(5, 10, 20), quick);
    }

    /** The plan for these Deployment sizes; sizes above 10 run the plain-Java variants once (in the second round). */
    static Plan plan(List<Integer> sizes, boolean quick) {
        List<Cell> cells = new ArrayList<>();
        List<Cell> large = new ArrayList<>();
        for (int n : sizes) {
            for (RollingVariant v : RollingVariant.values()) {
                if (n <= 10) {
                    cells.add(new Cell(n, v));
                } else if (v.app == App.PLAIN_JAVA) {
                    large.add(new Cell(n, v));
                }
            }
        }
        List<Cell> second = new ArrayList<>(cells);
        Collections.reverse(second);
        if (quick) {
            second.removeIf(c -> c.variant().app != App.PLAIN_JAVA);
        }
        second.addAll(large);
        return new Plan(List.of(cells, second));
    }

    static RollingRestart.Settings settings(int replicas) {
        return new RollingRestart.Settings(RollingUpdate.kubernetesDefaults(replicas), LAG, CLIENTS, CLIENT_PAUSE,
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMinutes(5));
    }

    private final Map<Cell, List<RollingRestart.Result>> results = new LinkedHashMap<>();

    /**
     * Runs the plan, printing one line per rollout. A small rollout goes first and is discarded: the harness's
     * own JIT warm-up (clients, HTTP client) would otherwise slow whichever variant runs first on 2 cores.
     */
    void run(Plan plan) throws Exception {
        try (CleanupRecorder recorder = new CleanupRecorder()) {
            RollingRestart.Result warm = RollingRestart.run(settings(2), RollingPod.factory(RollingVariant.PLAIN_HOOK, recorder));
            System.out.printf(Locale.ROOT, "  [warm-up] n2.plain-hook, discarded: rollout %.1f s%n", warm.rolloutMs() / 1000.0);
        }
        int total = plan.size();
        int done = 0;
        for (List<Cell> round : plan.rounds()) {
            for (Cell cell : round) {
                RollingRestart.Result r;
                try (CleanupRecorder recorder = new CleanupRecorder()) {
                    r = RollingRestart.run(settings(cell.replicas()), RollingPod.factory(cell.variant(), recorder));
                }
                results.computeIfAbsent(cell, c -> new ArrayList<>()).add(r);
                done++;
                System.out.printf(Locale.ROOT, "  [%2d/%d] %-20s failed %4d/%-5d cleanup calls %3d/%-3d rollout %5.1f s "
                        + "(new Pods Ready %.1f s after creation, last deletion at %.1f s, Pods ended %.1f s after deletion [median]; at most %d Pods, at least %d "
                        + "available)%n", done, total, cell.key(), r.failed(), r.requests().size(), r.cleanupDelivered(),
                        r.cleanupSent(), r.rolloutMs() / 1000.0, r.startMedianMs() / 1000.0, r.lastDeletionMs() / 1000.0, r.podEndMedianMs() / 1000.0,
                        r.mostPods(), r.fewestAvailable());
            }
        }
    }

    Map<Cell, List<RollingRestart.Result>> results() {
        return results;
    }

    /** Whether every repetition of the cell lost nothing: no failed request, every cleanup call delivered. */
    boolean lossless(Cell cell) {
        return results.get(cell).stream().allMatch(r -> r.failed() == 0 && r.cleanupDelivered() == r.cleanupSent());
    }

    /** The median rollout time of the fastest lossless variant for this Deployment size, if any. */
    OptionalDouble fastestLossless(int replicas) {
        return results.keySet().stream().filter(c -> c.replicas() == replicas && lossless(c))
                .mapToDouble(c -> medianRollout(c)).min();
    }

    private double medianRollout(Cell c) {
        return Figure.median(results.get(c).stream().map(r -> (double) r.rolloutMs()).toList());
    }

    /**
     * Per cell: failed, requests, delivered, sent, rollout-ms, the medians of a new Pod's creation to Ready and of an
     * old Pod's deletion to end (what the rollout time is made of), and the rollout against the fastest lossless variant.
     */
    List<Figure> figures() {
        List<Figure> figures = new ArrayList<>();
        for (Map.Entry<Cell, List<RollingRestart.Result>> e : results.entrySet()) {
            Cell c = e.getKey();
            List<RollingRestart.Result> rs = e.getValue();
            figures.add(fig(c, "failed", "requests", rs, r -> r.failed()));
            figures.add(fig(c, "requests", "requests", rs, r -> r.requests().size()));
            figures.add(fig(c, "delivered", "calls", rs, r -> r.cleanupDelivered()));
            figures.add(fig(c, "sent", "calls", rs, r -> r.cleanupSent()));
            figures.add(fig(c, "rollout-ms", "ms", rs, r -> r.rolloutMs()));
            figures.add(fig(c, "new-pod-ready-ms", "ms", rs, r -> r.startMedianMs()));
            figures.add(fig(c, "old-pod-end-ms", "ms", rs, r -> r.podEndMedianMs()));
            OptionalDouble fastest = fastestLossless(c.replicas());
            if (fastest.isPresent()) {
                figures.add(fig(c, "rollout-vs-fastest-lossless", "ratio", rs, r -> r.rolloutMs() / fastest.getAsDouble()));
            }
            Cell plain = new Cell(c.replicas(), RollingVariant.PLAIN_HOOK);
            if (results.containsKey(plain)) {
                double plainReady = medianReady(plain);
                figures.add(fig(c, "new-pod-ready-vs-plain-hook", "ratio", rs, r -> r.startMedianMs() / plainReady));
            }
        }
        return figures;
    }

    private static Figure fig(Cell c, String name, String unit, List<RollingRestart.Result> rs,
            ToDoubleFunction<RollingRestart.Result> f) {
        return new Figure("rolling-restart", name, unit, c.key(), rs.stream().map(f::applyAsDouble).toList());
    }

    /** One table per Deployment size: medians [min-max] of every variant. */
    String tables() {
        StringBuilder sb = new StringBuilder();
        for (int n : results.keySet().stream().map(Cell::replicas).distinct().toList()) {
            RollingUpdate s = RollingUpdate.kubernetesDefaults(n);
            List<Cell> cells = results.keySet().stream().filter(c -> c.replicas() == n).toList();
            int reps = cells.stream().mapToInt(c -> results.get(c).size()).max().orElse(0);
            sb.append(String.format(Locale.ROOT, "%nN=%d (maxSurge %d, maxUnavailable %d; load balancer lag %d ms; %d clients, "
                    + "one request each per %d ms; rollouts per variant: up to %d; median [min-max])%n", n, s.maxSurge(),
                    s.maxUnavailable(), LAG.toMillis(), CLIENTS, CLIENT_PAUSE.toMillis(), reps));
            OptionalDouble fastest = fastestLossless(n);
            Table t = new Table("variant", "failed requests", "cleanup calls delivered", "rollout time", "vs fastest lossless",
                    "lossless", "new Pod Ready after", "vs plain hook", "old Pod ended after");
            Cell plainCell = new Cell(n, RollingVariant.PLAIN_HOOK);
            for (Cell c : cells) {
                List<RollingRestart.Result> rs = results.get(c);
                t.row(c.variant().label,
                        TerminationBenchmark.range(values(rs, r -> r.failed()), "%.0f") + " of ~"
                                + Math.round(Figure.median(values(rs, r -> r.requests().size()))),
                        TerminationBenchmark.range(values(rs, r -> r.cleanupDelivered()), "%.0f") + " of " + rs.get(0).cleanupSent(),
                        TerminationBenchmark.range(values(rs, r -> r.rolloutMs() / 1000.0), "%.1f") + " s",
                        fastest.isPresent() ? String.format(Locale.ROOT, "%.2f", medianRollout(c) / fastest.getAsDouble()) : "-",
                        lossless(c) ? "yes" : "no",
                        TerminationBenchmark.range(values(rs, r -> r.startMedianMs() / 1000.0), "%.2f") + " s",
                        results.containsKey(plainCell) ? String.format(Locale.ROOT, "%.2f", medianReady(c) / medianReady(plainCell)) : "-",
                        TerminationBenchmark.range(values(rs, r -> r.podEndMedianMs() / 1000.0), "%.1f") + " s");
            }
            sb.append(t.render());
        }
        return sb.toString();
    }

    private static List<Double> values(List<RollingRestart.Result> rs, ToDoubleFunction<RollingRestart.Result> f) {
        return rs.stream().map(f::applyAsDouble).toList();
    }

    /**
     * The targets for the library, per Deployment size with targets (N=5, N=10), as verdict lines: nothing
     * lost, a rollout no slower than any lossless variant's, new Pods Ready within 10% of the plain-hook
     * app's. Larger sizes get one "reported" line.
     */
    String verdicts() {
        StringBuilder sb = new StringBuilder();
        for (Cell c : results.keySet()) {
            if (c.variant() != RollingVariant.LIBRARY) {
                continue;
            }
            List<RollingRestart.Result> rs = results.get(c);
            long failed = rs.stream().mapToLong(RollingRestart.Result::failed).max().orElse(0);
            int fewest = rs.stream().mapToInt(RollingRestart.Result::cleanupDelivered).min().orElse(0);
            String where = "rolling restart N=" + c.replicas();
            Cell plain = new Cell(c.replicas(), RollingVariant.PLAIN_HOOK);
            double readyRatio = results.containsKey(plain) ? medianReady(c) / medianReady(plain) : Double.NaN;
            OptionalDouble fastest = fastestLossless(c.replicas());
            double ratio = fastest.isPresent() ? medianRollout(c) / fastest.getAsDouble() : Double.NaN;
            String rollout = fastest.isPresent()
                    ? String.format(Locale.ROOT, "median %.1f s, ratio %.2f to the fastest lossless", medianRollout(c) / 1000, ratio)
                    : "no variant lost nothing";
            String ready = String.format(Locale.ROOT, "median %.2f s against %.2f s, ratio %.2f", medianReady(c) / 1000,
                    results.containsKey(plain) ? medianReady(plain) / 1000 : Double.NaN, readyRatio);
            if (!SIZES_WITH_TARGETS.contains(c.replicas())) {
                sb.append(String.format(Locale.ROOT, "  %-6s %s: library, %d failed, %d of %d calls delivered, rollout %s; new Pods Ready %s%n",
                        "REPORT", where, failed, fewest, rs.get(0).cleanupSent(), rollout, ready));
                continue;
            }
            sb.append(BenchmarkMain.verdict(where + ": library, zero failed requests", failed == 0, "most failed " + failed));
            sb.append(BenchmarkMain.verdict(where + ": library, every cleanup call delivered", fewest == rs.get(0).cleanupSent(),
                    "fewest delivered " + fewest + " of " + rs.get(0).cleanupSent()));
            sb.append(BenchmarkMain.verdict(where + ": library's rollout <= " + String.format(Locale.ROOT, "%.2f", TARGET_RATIO)
                    + " x every lossless variant's", lossless(c) && ratio <= TARGET_RATIO, rollout));
            sb.append(BenchmarkMain.verdict(where + ": library's new Pods Ready <= " + String.format(Locale.ROOT, "%.2f", READY_TARGET_RATIO)
                    + " x the plain-hook app's", readyRatio <= READY_TARGET_RATIO, ready));
        }
        return sb.toString();
    }

    private double medianReady(Cell c) {
        return Figure.median(results.get(c).stream().map(r -> (double) r.startMedianMs()).toList());
    }

    /** Failed requests over time, one panel per cell, from each cell's last rollout. */
    void writeSvg(Path svg) throws Exception {
        List<RollingRestartSvg.Panel> panels = new ArrayList<>();
        for (Map.Entry<Cell, List<RollingRestart.Result>> e : results.entrySet()) {
            RollingRestart.Result r = e.getValue().get(e.getValue().size() - 1);
            panels.add(new RollingRestartSvg.Panel(String.format(Locale.ROOT, "N=%d, %s: %d of %d requests failed, %d of %d "
                    + "cleanup calls delivered, rollout %.1f s", e.getKey().replicas(), e.getKey().variant().label, r.failed(),
                    r.requests().size(), r.cleanupDelivered(), r.cleanupSent(), r.rolloutMs() / 1000.0),
                    r.requests().stream().filter(q -> !q.ok()).map(RollingRestart.Request::sentAtMs).toList(),
                    times(r, RollingRestart.Kind.DELETED), times(r, RollingRestart.Kind.READY), r.rolloutMs()));
        }
        if (panels.isEmpty()) {
            return;
        }
        Files.createDirectories(svg.toAbsolutePath().getParent());
        Files.writeString(svg, RollingRestartSvg.render("Rolling restart behind a load balancer with a " + LAG.toMillis()
                + " ms lag, " + CLIENTS + " clients (measured " + ZonedDateTime.now().toLocalDate() + ")", panels),
                StandardCharsets.UTF_8);
        System.out.println("\nRolling restart picture written to " + svg);
    }

    private static List<Long> times(RollingRestart.Result r, RollingRestart.Kind kind) {
        return r.events().stream().filter(e -> e.kind() == kind).map(RollingRestart.Event::atMs).toList();
    }
}
