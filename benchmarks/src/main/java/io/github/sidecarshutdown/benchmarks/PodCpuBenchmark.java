package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code pod-cpu}: the CPU time a Pod's app spends, with the library and without it, in fresh JVMs
 * ({@link PodCpuApp}, the example apps' flags): from its start to once it is started (with the
 * library: Ready and the startup work done), and from SIGTERM to its exit (with the library: the
 * sequence against a live Istio sidecar, which it leaves running, and the release's warm-up). A
 * rollout's new Pods share the node's cores with the others' starts and the old Pods' shutdowns,
 * so this is what the library adds to theirs. Read by the parent from {@code /proc/PID/stat}
 * (utime + stime, whole process, in clock ticks): at the ready line, then every millisecond until
 * the process is gone (the last reading misses at most the last tick). Linux only; no target.
 */
final class PodCpuBenchmark {

    private final List<Figure> figures = new ArrayList<>();
    private final StringBuilder out = new StringBuilder();

    List<Figure> figures() {
        return figures;
    }

    String table() {
        return out.toString();
    }

    void run(boolean quick) throws Exception {
        if (!Files.isReadable(Path.of("/proc/self/stat"))) {
            out.append("\npod-cpu: no /proc here; left out\n");
            return;
        }
        double msPerTick = 1000.0 / clockTicksPerSecond();
        int reps = quick ? 5 : 15;
        Map<String, List<Double>> start = new LinkedHashMap<>();
        Map<String, List<Double>> shutdown = new LinkedHashMap<>();
        try (SidecarEmulator emulator = LatencyBenchmark.readyEmulator()) {
            for (int i = 0; i < reps; i++) {
                for (String variant : List.of("library", "plain")) {
                    long[] ticks = run(variant, emulator);
                    start.computeIfAbsent(variant, k -> new ArrayList<>()).add(ticks[0] * msPerTick);
                    shutdown.computeIfAbsent(variant, k -> new ArrayList<>()).add((ticks[1] - ticks[0]) * msPerTick);
                }
                System.out.printf(Locale.ROOT, "  [%2d/%d] pod-cpu: library %.0f + %.0f ms, plain %.0f + %.0f ms%n", i + 1, reps,
                        last(start.get("library")), last(shutdown.get("library")), last(start.get("plain")), last(shutdown.get("plain")));
            }
        }
        String section = "pod-cpu";
        Table t = new Table("CPU time of the app's process (fresh JVM)", "library, median [min-max]", "without the library, median [min-max]",
                "library / without (medians)");
        for (String[] row : List.of(new String[] {"start", "pod-cpu.start"}, new String[] {"shutdown", "pod-cpu.shutdown"})) {
            Map<String, List<Double>> m = row[0].equals("start") ? start : shutdown;
            figures.add(new Figure(section, row[1], "ms", "library", m.get("library")));
            figures.add(new Figure(section, row[1], "ms", "plain hook (no library)", m.get("plain")));
            t.row(row[0].equals("start") ? "start to started (library: Ready and its startup work done)" : "SIGTERM to exit",
                    TerminationBenchmark.range(m.get("library"), "%.0f") + " ms", TerminationBenchmark.range(m.get("plain"), "%.0f") + " ms",
                    ratio(Figure.median(m.get("library")), Figure.median(m.get("plain"))));
        }
        out.append("\nCPU time of a Pod's app, with and without the library (").append(reps)
                .append(" fresh JVMs each, -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1; /proc utime + stime, ")
                .append(String.format(Locale.ROOT, "%.0f", msPerTick)).append(" ms ticks):\n").append(t.render());
    }

    /** The child's CPU ticks once started, and at its exit. */
    private static long[] run(String variant, SidecarEmulator emulator) throws Exception {
        Process p = new ProcessBuilder(JavaProcess.javaCommand(LatencyBenchmark.SMALL_JVM, PodCpuApp.class, variant,
                emulator.adminUrl().toString(), emulator.agentUrl().toString())).redirectErrorStream(true).start();
        try {
            List<String> lines = new ArrayList<>();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            LatencyBenchmark.reader(p, lines, ready);
            try {
                ready.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                synchronized (lines) {
                    throw new IllegalStateException("pod-cpu " + variant + ": not started within 30 s; output:\n" + String.join("\n", lines), e);
                }
            }
            Path stat = Path.of("/proc", String.valueOf(p.pid()), "stat");
            long started = ticks(stat);
            p.toHandle().destroy();
            long last = started;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                long now = ticksOrMinus(stat);
                if (now < 0) {
                    break;
                }
                last = now;
                Thread.sleep(1);
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("pod-cpu " + variant + ": no exit 30 s after SIGTERM");
            }
            return new long[] {started, last};
        } finally {
            p.destroyForcibly();
        }
    }

    private static long ticks(Path stat) throws IOException {
        long t = ticksOrMinus(stat);
        if (t < 0) {
            throw new IOException("cannot read " + stat);
        }
        return t;
    }

    /** utime + stime from {@code /proc/PID/stat}; -1 once the process is gone (or a zombie, whose counts stop). */
    private static long ticksOrMinus(Path stat) {
        try {
            String s = Files.readString(stat);
            // fields after the command's closing parenthesis: state is the first, utime the 12th, stime the 13th
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            if (f[0].equals("Z")) {
                return -1;
            }
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long clockTicksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(v);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 100; // Linux's USER_HZ almost everywhere
        }
    }

    /** {@code a / b}, or "-" when {@code b} is under one tick (a plain hook's exit often is). */
    private static String ratio(double a, double b) {
        return b <= 0 ? "-" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static double last(List<Double> l) {
        return l.get(l.size() - 1);
    }
}
