package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.examples.demo.TerminationRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code benchmarks/run [--quick] [--json FILE] [--svg FILE] [--rolling-svg FILE] [--rolling-sizes N,...] [--only SECTION,...]}: Pod termination
 * against what users do today, Job Pod completion against the shell-trap workaround, the hot path (JMH), startup, footprint
 * and a Deployment's rolling restart. Every figure printed is
 * measured in this run; ratios are against baselines measured in this run.
 */
public final class BenchmarkMain {

    private BenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        Path json = null;
        Path svg = null;
        Path rollingSvg = null;
        List<Integer> rollingSizes = null;
        List<String> only = List.of("termination", "job-completion", "adaptive-delay", "hot-path", "startup", "footprint",
                "gap-after-last-cleanup-call", "sigterm-to-sequence", "empty-sequence", "sigterm-during-startup", "startup-added",
                "pod-cpu", "rolling-restart", "other-hooks");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--json" -> json = Path.of(value(args, ++i, "--json"));
                case "--svg" -> svg = Path.of(value(args, ++i, "--svg"));
                case "--rolling-svg" -> rollingSvg = Path.of(value(args, ++i, "--rolling-svg"));
                case "--only" -> only = List.of(value(args, ++i, "--only").split(","));
                case "--rolling-sizes" -> rollingSizes = java.util.Arrays.stream(value(args, ++i, "--rolling-sizes").split(","))
                        .map(Integer::valueOf).toList();
                default -> {
                    System.err.println("usage: benchmarks/run [--quick] [--json FILE] [--svg FILE] [--rolling-svg FILE] [--rolling-sizes 5,10] "
                            + "[--only termination,job-completion,adaptive-delay,hot-path,startup,footprint,"
                            + "gap-after-last-cleanup-call,sigterm-to-sequence,empty-sequence,sigterm-during-startup,startup-added,"
                            + "pod-cpu,rolling-restart,other-hooks]");
                    System.exit(2);
                }
            }
        }
        Path root = Path.of(System.getProperty("sidecar.bench.root", ".")).toAbsolutePath().normalize();
        if (svg == null) {
            svg = root.resolve("benchmarks/target/termination-timeline.svg");
        }
        Map<String, String> machine = machine(quick);
        System.out.println("sidecar-shutdown benchmarks (" + (quick ? "quick" : "full") + " run)");
        machine.forEach((k, v) -> System.out.println("  " + k + ": " + v));
        List<Figure> figures = new ArrayList<>();
        StringBuilder verdicts = new StringBuilder();
        long started = System.nanoTime();

        if (only.contains("termination")) {
            section("1. Pod termination (real processes: example app + sidecar emulator, deleted like the kubelet does)");
            TerminationBenchmark termination = new TerminationBenchmark();
            termination.run(TerminationBenchmark.plan(quick));
            System.out.print(termination.tables());
            figures.addAll(termination.figures());
            verdicts.append(terminationVerdicts(termination));
            writeTimeline(termination, svg);
        }
        if (only.contains("job-completion")) {
            section("1b. Job Pod completion (real processes: a batch job + classic sidecar emulator, restartPolicy Never)");
            JobCompletionBenchmark job = new JobCompletionBenchmark();
            job.run(JobCompletionBenchmark.repetitions(quick));
            System.out.print(job.table());
            figures.addAll(job.figures());
        }
        if (only.contains("adaptive-delay")) {
            section("1c. Adaptive propagation delay (real processes: clients stop at a random time in [0.3 s, 3 s])");
            AdaptiveDelayBenchmark adaptive = new AdaptiveDelayBenchmark();
            adaptive.run(quick ? 2 : 5);
            System.out.print(adaptive.table());
            figures.addAll(adaptive.figures());
            adaptive.runs().stream().map(r -> r.mode() + " " + r.variant().label).distinct().forEach(cell -> {
                List<AdaptiveDelayBenchmark.Run> rs = adaptive.runs().stream()
                        .filter(r -> (r.mode() + " " + r.variant().label).equals(cell)).toList();
                verdicts.append(verdict("adaptive delay, " + cell + ": Pod end <= work + propagation + 0.5 s, 0 inbound failed",
                        rs.stream().allMatch(AdaptiveDelayBenchmark.Run::met), rs.stream().filter(AdaptiveDelayBenchmark.Run::met).count()
                                + " of " + rs.size() + " Pods"));
            });
        }
        if (only.contains("hot-path")) {
            section("2. Hot path (JMH " + (quick ? "short" : "2 forks x 5 iterations") + ", -prof gc): InFlightTracker enter+exit per request");
            HotPathBenchmark hot = new HotPathBenchmark();
            hot.run(quick);
            System.out.print(hot.table());
            figures.addAll(hot.figures());
            for (Figure f : hot.figures()) {
                if (f.name().equals("in-flight-tracking") && f.variant().startsWith("tracked ")) {
                    verdicts.append(verdict("hot path, uncontended: <= 25 ns/op", f.median() <= 25,
                            String.format(Locale.ROOT, "median %.2f ns/op", f.median())));
                }
                if (f.name().equals("in-flight-tracking") && f.variant().startsWith("trackedContended")) {
                    verdicts.append(verdict("hot path, " + f.variant().replace("trackedContended4 ", "").replace("trackedContended ", "")
                            + ": <= 10 ns/op", f.median() <= 10, String.format(Locale.ROOT, "median %.2f ns/op", f.median())));
                }
                if (f.name().equals("allocation") && f.variant().startsWith("tracked ")) {
                    verdicts.append(verdict("hot path, uncontended: 0 B/op", f.median() < 0.5,
                            String.format(Locale.ROOT, "median %.3f B/op", f.median())));
                }
            }
        }
        if (only.contains("startup")) {
            section("3. Startup: sidecar ready -> app released");
            StartupBenchmark startup = new StartupBenchmark();
            startup.run(quick);
            System.out.print(startup.table());
            figures.addAll(startup.figures());
            Figure lib = startup.figures().get(0);
            verdicts.append(verdict("startup: released <= 20 ms (median) after the sidecar is ready", lib.median() <= 20,
                    String.format(Locale.ROOT, "median %.1f ms", lib.median())));
        }
        if (only.contains("footprint")) {
            section("4. Footprint");
            FootprintBenchmark footprint = new FootprintBenchmark(root);
            footprint.run(quick);
            System.out.print(footprint.table());
            figures.addAll(footprint.figures());
            footprint.figures().stream().filter(f -> f.name().equals("threads-after-startup")).findFirst().ifPresent(f ->
                    verdicts.append(verdict("footprint: no thread alive once the startup work is done (until SIGTERM)", f.max() == 0,
                            String.format(Locale.ROOT, "max %.0f threads", f.max()))));
        }
        if (only.stream().anyMatch(LatencyBenchmark.SECTIONS::contains)) {
            section("Latency of the library's own steps (fresh child JVMs, real SIGTERM)");
            LatencyBenchmark latency = new LatencyBenchmark();
            verdicts.append(latency.run(only, quick));
            System.out.print(latency.table());
            figures.addAll(latency.figures());
        }
        if (only.contains("pod-cpu")) {
            section("CPU time of a Pod's app with and without the library (fresh child JVMs, real SIGTERM)");
            PodCpuBenchmark cpu = new PodCpuBenchmark();
            cpu.run(quick);
            System.out.print(cpu.table());
            figures.addAll(cpu.figures());
        }
        if (only.contains("rolling-restart")) {
            section("5. Rolling restart (real processes: N Pods of app + sidecar emulator; in-process load balancer and clients)");
            RollingRestartBenchmark rolling = new RollingRestartBenchmark();
            rolling.run(rollingSizes == null ? RollingRestartBenchmark.plan(quick) : RollingRestartBenchmark.plan(rollingSizes, quick));
            System.out.print(rolling.tables());
            figures.addAll(rolling.figures());
            verdicts.append(rolling.verdicts());
            rolling.writeSvg(rollingSvg != null ? rollingSvg : root.resolve("benchmarks/target/rolling-restart.svg"));
        }

        if (only.contains("other-hooks")) {
            section("6. Other shutdown hooks (real processes: the app's exit has something else sending through the sidecar)");
            OtherHooksBenchmark other = new OtherHooksBenchmark();
            other.run(quick ? 1 : 3);
            System.out.print(other.table());
            figures.addAll(other.figures());
        }

        section("Targets");
        System.out.print(verdicts);
        System.out.printf(Locale.ROOT, "%nTotal time: %.0f s%n", (System.nanoTime() - started) / 1e9);
        if (json != null) {
            Files.writeString(json, JsonWriter.write(machine, figures), StandardCharsets.UTF_8);
            System.out.println("Figures written to " + json.toAbsolutePath());
        }
    }

    private static String terminationVerdicts(TerminationBenchmark termination) {
        StringBuilder sb = new StringBuilder();
        termination.results().forEach((cell, rs) -> {
            if (cell.variant() != TerminationBenchmark.Variant.LIBRARY) {
                return;
            }
            int minDelivered = rs.stream().mapToInt(TerminationRun.Result::cleanupDelivered).min().orElse(0);
            long maxFailed = rs.stream().mapToLong(TerminationRun.Result::inboundFailed).max().orElse(0);
            double gap = Figure.median(rs.stream().map(r -> (double) r.gapAfterWorkMs()).toList());
            String where = cell.mode() + ", work " + cell.work().toSeconds() + " s";
            sb.append(verdict("termination " + where + ": every cleanup call delivered", minDelivered == rs.get(0).cleanupSent(),
                    "fewest delivered " + minDelivered + " of " + rs.get(0).cleanupSent()));
            sb.append(verdict("termination " + where + ": zero inbound failures", maxFailed == 0, "most failed " + maxFailed));
            sb.append(verdict("termination " + where + ": Pod ends <= 150 ms (median) after the last cleanup call", gap <= 150,
                    String.format(Locale.ROOT, "median gap %.0f ms", gap)));
        });
        return sb.toString();
    }

    /**
     * The SVG of one Pod per variant for ISTIO_1_5 at the shortest work length (where waiting for the drain
     * window costs most), from the last repetition.
     */
    private static void writeTimeline(TerminationBenchmark termination, Path svg) throws Exception {
        List<TimelineSvg.Pod> pods = new ArrayList<>();
        Duration work = termination.results().keySet().stream().filter(c -> c.mode().equals("ISTIO_1_5"))
                .map(TerminationBenchmark.Cell::work).min(java.util.Comparator.naturalOrder())
                .orElse(termination.results().keySet().iterator().next().work());
        for (TerminationBenchmark.Variant v : List.of(TerminationBenchmark.Variant.NO_LIBRARY,
                TerminationBenchmark.Variant.MESH_FIX, TerminationBenchmark.Variant.LIBRARY)) {
            List<TerminationRun.Result> rs = termination.results().get(new TerminationBenchmark.Cell("ISTIO_1_5", work, v));
            if (rs != null) {
                TerminationRun.Result r = rs.get(rs.size() - 1);
                pods.add(TimelineSvg.pod(v.label + ": " + r.cleanupDelivered() + " of " + r.cleanupSent()
                        + " cleanup calls delivered, " + r.inboundFailed() + " inbound failed", r));
            }
        }
        if (pods.isEmpty()) {
            return;
        }
        Files.createDirectories(svg.toAbsolutePath().getParent());
        Files.writeString(svg, TimelineSvg.render("One Pod deletion, Istio 1.5+ classic sidecar, " + work.toSeconds()
                + " s of cleanup work (measured " + ZonedDateTime.now().toLocalDate() + ")", pods), StandardCharsets.UTF_8);
        System.out.println("\nTimeline picture written to " + svg);
    }

    static String verdict(String target, boolean met, String measured) {
        return String.format(Locale.ROOT, "  %-6s %s (%s)%n", met ? "MET" : "MISSED", target, measured);
    }

    private static Map<String, String> machine(boolean quick) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("date", ZonedDateTime.now().toString());
        m.put("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("run", quick ? "quick" : "full");
        return m;
    }

    private static void section(String title) {
        System.out.println();
        System.out.println("== " + title);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
