package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.testkit.emulator.EmulatorMode;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Footprint: the published jars' sizes, the core's runtime dependencies (from
 * {@code mvn dependency:tree}, written by {@code benchmarks/run}), and, in fresh JVMs
 * ({@link FootprintProbe}) with only the core on the class path, the time of {@code build()} and
 * {@code install()}, how long the startup work runs after it, the threads still alive once that work
 * is done ({@code footprint.threads-after-startup}) and the heap retained.
 */
final class FootprintBenchmark {

    private static final Pattern TREE_LINE = Pattern.compile("^[| +\\\\-]*([\\w.\\-]+):([\\w.\\-]+):jar:([\\w.\\-]+):(\\w+)( \\(optional\\))?");

    private final Path root;
    private final List<Figure> figures = new ArrayList<>();
    private final StringBuilder table = new StringBuilder();

    FootprintBenchmark(Path root) {
        this.root = root;
    }

    void run(boolean quick) throws Exception {
        jars();
        dependencies();
        probes(quick ? 2 : 5);
    }

    private void jars() throws Exception {
        Table t = new Table("published jar", "size");
        for (String module : List.of("core", "testkit", "spring-boot-starter")) {
            Path dir = root.resolve(module).resolve("target");
            Path jar;
            try (var files = Files.list(dir)) {
                jar = files.filter(p -> p.getFileName().toString().matches("sidecar-shutdown-.*-SNAPSHOT\\.jar")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no jar in " + dir + " (build first: benchmarks/run does)"));
            }
            long size = Files.size(jar);
            figures.add(Figure.of("footprint", "jar-size", "B", jar.getFileName().toString(), size));
            t.row(jar.getFileName(), kib(size));
        }
        table.append(t.render());
    }

    /** Parses {@code target/core-dependency-tree.txt}: direct and transitive runtime dependencies of the core. */
    static List<String[]> parseTree(List<String> lines) {
        List<String[]> deps = new ArrayList<>();
        for (String line : lines) {
            Matcher m = TREE_LINE.matcher(line);
            if (!m.find()) {
                continue; // the core itself (no scope), or not a dependency line
            }
            deps.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4), m.group(5) == null ? "" : "optional"});
        }
        return deps;
    }

    private void dependencies() throws Exception {
        Path tree = root.resolve("benchmarks/target/core-dependency-tree.txt");
        if (!Files.exists(tree)) {
            table.append("\n(no ").append(root.relativize(tree)).append(": run through benchmarks/run)\n");
            return;
        }
        List<String[]> deps = parseTree(Files.readAllLines(tree));
        Path repo = Path.of(System.getProperty("user.home"), ".m2", "repository");
        Table t = new Table("core runtime dependency", "scope", "size");
        long required = 0;
        int requiredCount = 0;
        for (String[] d : deps) {
            if (d[3].equals("test") || d[3].equals("provided")) {
                continue;
            }
            Path jar = repo.resolve(d[0].replace('.', '/')).resolve(d[1]).resolve(d[2]).resolve(d[1] + "-" + d[2] + ".jar");
            long size = Files.exists(jar) ? Files.size(jar) : -1;
            boolean optional = !d[4].isEmpty();
            if (!optional && size >= 0) {
                required += size;
                requiredCount++;
            }
            t.row(d[0] + ":" + d[1] + ":" + d[2], d[3] + (optional ? " (optional)" : ""), size < 0 ? "?" : kib(size));
        }
        figures.add(Figure.of("footprint", "core-runtime-dependencies", "count", "non-optional, transitive", requiredCount));
        figures.add(Figure.of("footprint", "core-runtime-dependencies-size", "B", "non-optional, transitive", required));
        table.append('\n').append(t.render()).append(String.format(Locale.ROOT,
                "non-optional runtime dependencies of the core: %d jars, %s%n", requiredCount, kib(required)));
    }

    private void probes(int reps) throws Exception {
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        TreeSet<String> names = new TreeSet<>();
        String cp = coreOnlyClasspath();
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_5).build().start()) {
            for (int i = 0; i < reps; i++) {
                List<String> cmd = new ArrayList<>(List.of(JavaProcess.javaExecutable().toString(), "-Xmx64m", "-XX:+UseSerialGC",
                        "-cp", cp, FootprintProbe.class.getName(), emulator.adminUrl().toString(), emulator.agentUrl().toString()));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                List<String> out = new ArrayList<>();
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        out.add(line);
                    }
                }
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    throw new IllegalStateException("footprint probe failed:\n" + String.join("\n", out));
                }
                for (String line : out) {
                    if (!line.startsWith("FOOTPRINT ")) {
                        continue;
                    }
                    String[] kv = line.substring(10).split("=", 2);
                    if (kv[0].equals("threadNames")) {
                        for (String n : kv[1].split(",")) {
                            if (!n.isBlank()) {
                                names.add(n.replaceAll("#\\d+$", ""));
                            }
                        }
                    } else {
                        samples.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(Double.parseDouble(kv[1]));
                    }
                }
            }
        }
        Table t = new Table("fresh JVM, core only (" + reps + " JVMs)", "median [min-max]");
        String[][] rows = {{"buildMs", "build() time", "ms", "%.1f"}, {"installMs", "install() time", "ms", "%.2f"},
            {"awaitSidecarReadyMs", "awaitSidecarReady() time (sidecar already ready)", "ms", "%.1f"},
            {"startupWorkMs", "install() to the end of the startup work (readiness wait, plan; its own thread)", "ms", "%.1f"},
            {"threadsAfterInstall", "threads alive right after install() (the startup work's)", "threads", "%.0f"},
            {"threadsStarted", "threads started by build()+install()+awaitSidecarReady(), alive once the startup work is done",
                "threads", "%.0f"},
            {"heapRetainedBytes", "heap growth after GC once the startup work is done: first coordinator (library and its statics)",
                "B", "%.0f"},
            {"heapPerCoordinatorBytes", "heap retained per further installed coordinator (10 more, after GC)", "B", "%.0f"}};
        for (String[] r : rows) {
            List<Double> v = samples.get(r[0]);
            if (v == null) {
                continue;
            }
            figures.add(new Figure("footprint", r[0], r[2], "fresh JVM, core only", v));
            t.row(r[1], TerminationBenchmark.range(v, r[3]) + " " + r[2]);
        }
        List<Double> after = samples.get("threadsStarted");
        if (after != null) {
            // The name for the target: no thread of the library (nor OkHttp's) alive once startup is done.
            figures.add(new Figure("footprint", "threads-after-startup", "threads", "fresh JVM, core only", after));
        }
        table.append('\n').append(t.render());
        table.append("threads started and alive once the startup work is done: ").append(names.isEmpty() ? "none"
                : String.join(", ", names)).append('\n');
    }

    /** The core, its runtime dependencies and slf4j-simple, as an app would have them (no test kit, no JMH). */
    private String coreOnlyClasspath() throws Exception {
        Path file = root.resolve("benchmarks/target/core-classpath.txt");
        String deps = Files.exists(file) ? Files.readString(file).trim() : "";
        String benchClasses = root.resolve("benchmarks/target/classes").toString();
        String core = root.resolve("core/target/classes").toString();
        return String.join(java.io.File.pathSeparator, List.of(benchClasses, core, deps)).replaceAll(":+$", "");
    }

    static String kib(long bytes) {
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }

    List<Figure> figures() {
        return figures;
    }

    String table() {
        return table.toString();
    }
}
