package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.benchmarks.LatencyApp.Stamp;
import io.github.sidecarshutdown.testkit.emulator.EmulatorMode;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import io.github.sidecarshutdown.testkit.pod.ContainerSpec;
import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import io.github.sidecarshutdown.testkit.pod.LoopbackPorts;
import io.github.sidecarshutdown.testkit.pod.OutputLine;
import io.github.sidecarshutdown.testkit.pod.PodSimulator;
import io.github.sidecarshutdown.testkit.pod.PodTermination;
import io.github.sidecarshutdown.testkit.pod.SidecarKind;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Latency of the library's own steps, each in fresh child JVMs ({@link LatencyApp}) with real signals:
 * <ul>
 *   <li>{@code gap-after-last-cleanup-call}: a Pod (the app and the sidecar emulator, deleted as the
 *       kubelet does): from the app's last cleanup call to the Pod's end, with where the time goes;
 *       against a hook that POSTs {@code /quitquitquit} itself right after the call (the floor).</li>
 *   <li>{@code sigterm-to-sequence} and {@code empty-sequence}: SIGTERM to the first phase, and to the
 *       final report with no task and no sidecar; against a plain shutdown hook's start (the JVM's floor).</li>
 *   <li>{@code sigterm-during-startup}: {@code sigterm-to-sequence} and {@code empty-sequence} with the
 *       SIGTERM sent as soon as {@code install()} returned, while the startup work it left still runs.</li>
 *   <li>{@code startup-added} (also {@code startup-cost}): {@code build()} + {@code install()} +
 *       {@code awaitSidecarReady()} against a ready sidecar, once the app's logging started; against one
 *       plain GET of the agent's readiness in a fresh JVM; and the same with the classes from an AppCDS
 *       archive ({@code .with-app-cds}, no target); and, in runs of their own, what the JVM's own
 *       counters say of the path: classes defined and time spent loading them ({@link JvmClassCounters}, no target).</li>
 * </ul>
 * Instants come from the wall clock of one machine: the child's stamps and the parent's signal and
 * exit times are comparable.
 */
final class LatencyBenchmark {

    static final List<String> SMALL_JVM = List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    /** How long a fresh child runs before SIGTERM: its start-up compilation settles, as in a service. */
    static final Duration SETTLE = Duration.ofMillis(500);

    /** The {@code --only} names this benchmark answers to. */
    static final List<String> SECTIONS = List.of("gap-after-last-cleanup-call", "sigterm-to-sequence", "empty-sequence",
            "sigterm-during-startup", "startup-added", "startup-cost");
    /** The target for the time the library adds to the app's path to Ready (issue 24). */
    static final double STARTUP_ADDED_TARGET_MS = 20;

    private final List<Figure> figures = new ArrayList<>();
    private final StringBuilder out = new StringBuilder();

    List<Figure> figures() {
        return figures;
    }

    String table() {
        return out.toString();
    }

    /** Runs the sections named in {@code only}, printing one line per sample; returns the verdict lines. */
    String run(List<String> only, boolean quick) throws Exception {
        StringBuilder verdicts = new StringBuilder();
        if (only.contains("gap-after-last-cleanup-call")) {
            gap(quick);
            verdicts.append(verdict("gap-after-last-cleanup-call", "Pod ends <= 20 ms (median) after the last cleanup call", 20));
        }
        if (only.contains("sigterm-to-sequence") || only.contains("empty-sequence")) {
            sigterm(quick);
            verdicts.append(verdict("sigterm-to-sequence", "SIGTERM -> first phase <= 10 ms (median), fresh JVM", 10));
            verdicts.append(verdict("empty-sequence", "SIGTERM -> report, no task, no sidecar <= 15 ms (median), fresh JVM", 15));
        }
        if (only.contains("sigterm-during-startup")) {
            verdicts.append(sigtermDuringStartup(quick));
        }
        if (only.contains("startup-added") || only.contains("startup-cost")) {
            startup(quick);
            verdicts.append(verdict("startup-added", "build() + install() + awaitSidecarReady() <= "
                    + (int) STARTUP_ADDED_TARGET_MS + " ms (median), fresh JVM, sidecar ready", STARTUP_ADDED_TARGET_MS));
        }
        return verdicts.toString();
    }

    private String verdict(String name, String target, double limit) {
        double m = figures.stream().filter(f -> f.name().equals(name) && f.variant().startsWith("library")).findFirst()
                .orElseThrow().median();
        return String.format(Locale.ROOT, "  %-6s %s (median %.1f ms)%n", m <= limit ? "MET" : "MISSED", target, m);
    }

    // ---- gap-after-last-cleanup-call ----

    void gap(boolean quick) throws Exception {
        int reps = quick ? 5 : 15;
        Map<String, List<Double>> lib = new LinkedHashMap<>();
        Map<String, List<Double>> direct = new LinkedHashMap<>();
        try (Downstream downstream = new Downstream()) {
            for (int i = 0; i < reps; i++) {
                add(lib, gapPod("gap", downstream));
                add(direct, gapPod("gap-direct", downstream));
                System.out.printf(Locale.ROOT, "  [%2d/%d] gap: library %.1f ms, direct quitquitquit %.1f ms%n", i + 1, reps,
                        last(lib.get("gap-after-last-cleanup-call")), last(direct.get("gap-after-last-cleanup-call")));
            }
        }
        String section = "gap-after-last-cleanup-call";
        Table t = new Table("step", "library, median [min-max]", "direct quitquitquit (no library), median [min-max]");
        for (Map.Entry<String, List<Double>> e : lib.entrySet()) {
            figures.add(new Figure(section, e.getKey(), "ms", "library ISTIO_1_26", e.getValue()));
            List<Double> d = direct.get(e.getKey());
            if (d != null) {
                figures.add(new Figure(section, e.getKey(), "ms", "direct quitquitquit (no library)", d));
            }
            t.row(e.getKey(), TerminationBenchmark.range(e.getValue(), "%.1f") + " ms",
                    d == null ? "-" : TerminationBenchmark.range(d, "%.1f") + " ms");
        }
        double ratio = Figure.median(lib.get(section)) / Figure.median(direct.get(section));
        figures.add(Figure.of(section, "gap-after-last-cleanup-call-vs-direct", "ratio", "library / direct quitquitquit", ratio));
        out.append("\nPod end after the app's last cleanup call (").append(reps).append(" Pods each, ISTIO_1_26 emulator; steps from ")
                .append("the child's stamps, exits from the parent):\n").append(t.render())
                .append(String.format(Locale.ROOT, "library / direct quitquitquit (medians): %.2f%n", ratio));
    }

    /** One Pod: the figures of its gap, by name. */
    private static Map<String, Double> gapPod(String mode, Downstream downstream) throws Exception {
        int appPort = LoopbackPorts.freePort();
        List<String> emulatorArgs = List.of("--mode", "ISTIO_1_26", "--termination-drain-duration", "15000ms",
                "--app-port", String.valueOf(appPort));
        try (PodSimulator pod = PodSimulator.builder().sidecarKind(SidecarKind.CLASSIC).terminationGracePeriod(Duration.ofSeconds(30))
                .sidecar(ContainerSpec.builder().name("istio-proxy")
                        .command(JavaProcess.javaCommand(SMALL_JVM, "io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain",
                                emulatorArgs))
                        .readyPattern("^SIDECAR_EMULATOR_READY ").build())
                .app(ready -> ContainerSpec.builder().name("app")
                        .command(JavaProcess.javaCommand(SMALL_JVM, LatencyApp.class, mode))
                        .env("OUTBOUND_PROXY", "127.0.0.1:" + ready.port("outbound"))
                        .env("DOWNSTREAM_URL", downstream.url())
                        .env("CLEANUP_WORK_MS", "200")
                        .env("SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:" + ready.port("admin"))
                        .env("SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:" + ready.port("agent"))
                        .env("SIDECAR_SHUTDOWN_PROPAGATION_DELAY", "0ms")
                        .env("SIDECAR_SHUTDOWN_GRACE_PERIOD", "30s")
                        .readyPattern("^APP_READY ").build())
                .build()) {
            pod.start();
            Thread.sleep(SETTLE.toMillis());
            PodTermination t = pod.deletePod();
            Map<Stamp, Long> s = stamps(t.app().lines().stream().map(OutputLine::text).toList());
            long podEnd = nanos(t.deletedAt().plus(t.podEnd()));
            long appExit = nanos(t.deletedAt().plus(t.app().exitedAt()));
            long sidecarExit = nanos(t.deletedAt().plus(t.sidecar().orElseThrow().exitedAt()));
            Long call = s.get(Stamp.CALL_DONE);
            if (call == null || !s.containsKey(Stamp.RELEASE_CALL_END)) {
                throw new IllegalStateException(mode + ": no cleanup call or no release seen; app output:\n"
                        + String.join("\n", t.app().lines().stream().map(OutputLine::text).toList()));
            }
            Map<String, Double> f = new LinkedHashMap<>();
            f.put("gap-after-last-cleanup-call", ms(podEnd - call));
            if (s.containsKey(Stamp.TASK_RECORDED)) {
                f.put("gap-after-last-cleanup-call.task-return", ms(s.get(Stamp.TASK_RECORDED) - call));
                f.put("gap-after-last-cleanup-call.to-release-phase", ms(s.get(Stamp.RELEASE_PHASE_STARTED) - s.get(Stamp.TASK_RECORDED)));
                f.put("gap-after-last-cleanup-call.pre-release-probe", ms(s.get(Stamp.RELEASE_CALL_START) - s.get(Stamp.RELEASE_PHASE_STARTED)));
            } else {
                f.put("gap-after-last-cleanup-call.pre-release-probe", ms(s.get(Stamp.RELEASE_CALL_START) - call));
            }
            f.put("gap-after-last-cleanup-call.release-call", ms(s.get(Stamp.RELEASE_CALL_END) - s.get(Stamp.RELEASE_CALL_START)));
            f.put("gap-after-last-cleanup-call.sidecar-exit", ms(sidecarExit - s.get(Stamp.RELEASE_CALL_END)));
            f.put("gap-after-last-cleanup-call.report", ms(s.get(Stamp.REPORT_DONE) - s.get(Stamp.RELEASE_CALL_END)));
            f.put("gap-after-last-cleanup-call.app-exit", ms(appExit - s.get(Stamp.REPORT_DONE)));
            return f;
        }
    }

    // ---- sigterm-to-sequence, empty-sequence ----

    void sigterm(boolean quick) throws Exception {
        int reps = quick ? 7 : 21;
        List<Double> toFirst = new ArrayList<>();
        List<Double> toReport = new ArrayList<>();
        List<Double> jvmToHooks = new ArrayList<>();
        List<Double> hookToFirst = new ArrayList<>();
        List<Double> hook = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            Signalled lib = signalled("empty", SETTLE);
            Signalled plain = signalled("hook", SETTLE);
            toFirst.add(ms(lib.stamps.get(Stamp.FIRST_PHASE) - lib.sigterm));
            toReport.add(ms(lib.stamps.get(Stamp.REPORT_DONE) - lib.sigterm));
            jvmToHooks.add(ms(lib.stamps.get(Stamp.HOOK) - lib.sigterm));
            hookToFirst.add(ms(lib.stamps.get(Stamp.FIRST_PHASE) - lib.stamps.get(Stamp.HOOK)));
            hook.add(ms(plain.stamps.get(Stamp.HOOK) - plain.sigterm));
            System.out.printf(Locale.ROOT, "  [%2d/%d] SIGTERM -> first phase %.1f ms, -> report %.1f ms; plain hook %.1f ms%n", i + 1,
                    reps, last(toFirst), last(toReport), last(hook));
        }
        String section = "shutdown-latency";
        Figure first = new Figure(section, "sigterm-to-sequence", "ms", "library, fresh JVM", toFirst);
        Figure empty = new Figure(section, "empty-sequence", "ms", "library, no task, no sidecar, fresh JVM", toReport);
        Figure floor = new Figure(section, "sigterm-to-hook", "ms", "plain shutdown hook (no library)", hook);
        figures.add(first);
        figures.add(empty);
        figures.add(floor);
        figures.add(new Figure(section, "sigterm-to-sequence.jvm-to-hooks", "ms", "library, fresh JVM", jvmToHooks));
        figures.add(new Figure(section, "sigterm-to-sequence.hook-to-first-phase", "ms", "library, fresh JVM", hookToFirst));
        figures.add(Figure.of(section, "sigterm-to-sequence-vs-plain-hook", "ratio", "library / plain hook", first.median() / floor.median()));
        Table t = new Table("from SIGTERM to", "median [min-max]", "samples");
        t.row("first phase running (sigterm-to-sequence)", TerminationBenchmark.range(toFirst, "%.1f") + " ms", toFirst.size());
        t.row("  of which: the JVM starting the hooks", TerminationBenchmark.range(jvmToHooks, "%.1f") + " ms", jvmToHooks.size());
        t.row("  of which: hook start to first phase", TerminationBenchmark.range(hookToFirst, "%.1f") + " ms", hookToFirst.size());
        t.row("final report, empty sequence (empty-sequence)", TerminationBenchmark.range(toReport, "%.1f") + " ms", toReport.size());
        t.row("a plain hook running (no library, the floor)", TerminationBenchmark.range(hook, "%.1f") + " ms", hook.size());
        out.append("\nSIGTERM to the sequence, fresh JVMs (").append(String.join(" ", SMALL_JVM)).append("), SIGTERM ")
                .append(SETTLE.toMillis()).append(" ms after ready:\n").append(t.render())
                .append(String.format(Locale.ROOT, "sigterm-to-sequence / plain hook (medians): %.2f%n", first.median() / floor.median()));
    }

    private record Signalled(long sigterm, Map<Stamp, Long> stamps) {
    }

    /** SIGTERM {@code settle} after the child said ready (zero: at once). */
    private static Signalled signalled(String mode, Duration settle) throws Exception {
        Process p = new ProcessBuilder(JavaProcess.javaCommand(SMALL_JVM, LatencyApp.class, mode)).redirectErrorStream(true).start();
        try {
            CompletableFuture<Void> ready = new CompletableFuture<>();
            List<String> lines = new ArrayList<>();
            Thread reader = reader(p, lines, ready);
            ready.get(30, TimeUnit.SECONDS);
            Thread.sleep(settle.toMillis());
            long sigterm = LatencyApp.epochNanos();
            // SIGTERM; Process.destroy() would also close our end of its output.
            p.toHandle().destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(mode + ": no exit 30 s after SIGTERM");
            }
            reader.join(5_000);
            Map<Stamp, Long> s;
            synchronized (lines) {
                s = stamps(lines);
            }
            if (!s.containsKey(Stamp.HOOK) && !s.containsKey(Stamp.REPORT_DONE)) {
                throw new IllegalStateException(mode + ": no stamps; output:\n" + String.join("\n", lines));
            }
            return new Signalled(sigterm, s);
        } finally {
            p.destroyForcibly();
        }
    }

    // ---- sigterm-during-startup ----

    /**
     * SIGTERM as soon as the child's {@code install()} returned (no settling), so that it lands while
     * the startup work (the readiness wait, the plan) still runs; the child notes whether it did. Same figures as
     * {@code sigterm-to-sequence} and {@code empty-sequence}, with their targets.
     */
    String sigtermDuringStartup(boolean quick) throws Exception {
        int reps = quick ? 7 : 21;
        List<Double> toFirst = new ArrayList<>();
        List<Double> toReport = new ArrayList<>();
        List<Double> hook = new ArrayList<>();
        int during = 0;
        for (int i = 0; i < reps; i++) {
            Signalled lib = signalled("empty-early", Duration.ZERO);
            Signalled plain = signalled("hook", Duration.ZERO);
            boolean running = lib.stamps.containsKey(Stamp.STARTUP_WORK_ALIVE_AT_HOOK);
            during += running ? 1 : 0;
            toFirst.add(ms(lib.stamps.get(Stamp.FIRST_PHASE) - lib.sigterm));
            toReport.add(ms(lib.stamps.get(Stamp.REPORT_DONE) - lib.sigterm));
            hook.add(ms(plain.stamps.get(Stamp.HOOK) - plain.sigterm));
            System.out.printf(Locale.ROOT, "  [%2d/%d] SIGTERM during startup work (%s): -> first phase %.1f ms, -> report %.1f ms; "
                    + "plain hook just started %.1f ms%n", i + 1, reps, running ? "still running" : "already done", last(toFirst),
                    last(toReport), last(hook));
        }
        String section = "sigterm-during-startup";
        Figure first = new Figure(section, "sigterm-during-startup.to-first-phase", "ms", "library, fresh JVM, SIGTERM right after install()",
                toFirst);
        Figure report = new Figure(section, "sigterm-during-startup.to-report", "ms",
                "library, no task, no sidecar, fresh JVM, SIGTERM right after install()", toReport);
        figures.add(first);
        figures.add(report);
        Figure floor = new Figure(section, "sigterm-during-startup.plain-hook", "ms",
                "plain shutdown hook (no library), SIGTERM right after its start", hook);
        figures.add(floor);
        figures.add(Figure.of(section, "sigterm-during-startup.while-running", "samples", "SIGTERM landed while the startup work ran",
                during));
        figures.add(Figure.of(section, "sigterm-during-startup-vs-plain-hook", "ratio", "library first phase / plain hook",
                first.median() / floor.median()));
        Table t = new Table("from SIGTERM, sent as soon as the app started (the library: install() returned), to", "median [min-max]",
                "samples");
        t.row("first phase running", TerminationBenchmark.range(toFirst, "%.1f") + " ms", toFirst.size());
        t.row("final report, empty sequence", TerminationBenchmark.range(toReport, "%.1f") + " ms", toReport.size());
        t.row("a plain hook running (no library, SIGTERM as early: the floor)", TerminationBenchmark.range(hook, "%.1f") + " ms",
                hook.size());
        out.append("\nSIGTERM during the startup work, fresh JVMs (").append(String.join(" ", SMALL_JVM)).append("); it was still running in ")
                .append(during).append(" of ").append(reps).append(" samples:\n").append(t.render())
                .append(String.format(Locale.ROOT, "first phase / plain hook (medians): %.2f%n", first.median() / floor.median()));
        // The cell means something only if most SIGTERMs landed while the work ran.
        boolean conclusive = during * 2 > reps;
        String where = " (startup work running at SIGTERM in " + during + " of " + reps + ")";
        if (!conclusive) {
            return String.format(Locale.ROOT, "  %-6s sigterm-during-startup: the startup work had ended before most SIGTERMs%s%n",
                    "INCONCLUSIVE", where);
        }
        return String.format(Locale.ROOT, "  %-6s sigterm-during-startup: SIGTERM -> first phase <= 10 ms (median %.1f ms)%s%n",
                first.median() <= 10 ? "MET" : "MISSED", first.median(), where)
                + String.format(Locale.ROOT, "  %-6s sigterm-during-startup: SIGTERM -> report, no task, no sidecar <= 15 ms (median %.1f ms)%n",
                report.median() <= 15 ? "MET" : "MISSED", report.median());
    }

    // ---- startup-added (startup-cost) ----

    /**
     * {@code startup-added}: the time the library adds to the app's path to Ready, from the child's
     * stamps once its logging started ({@code .logging-start}, SLF4J finding its provider, is the
     * app's and printed beside); {@code startup-cost}: the same from {@code main()}, as before;
     * {@code .startup-work}: from {@code install()} to the end of the work it leaves on its own thread.
     */
    void startup(boolean quick) throws Exception {
        int reps = quick ? 5 : 15;
        Map<String, List<Double>> lib = new LinkedHashMap<>();
        List<Double> raw = new ArrayList<>();
        List<Double> socket = new ArrayList<>();
        List<Double> classes = new ArrayList<>();
        Map<String, List<Double>> loading = new LinkedHashMap<>();
        try (SidecarEmulator emulator = readyEmulator()) {
            for (int i = 0; i < reps; i++) {
                Map<Stamp, Long> s = startupRun("startup", emulator);
                add(lib, "startup-added", s.get(Stamp.READY) - s.get(Stamp.LOGGING));
                add(lib, "startup-added.build", s.get(Stamp.BUILT) - s.get(Stamp.LOGGING));
                add(lib, "startup-added.install", s.get(Stamp.INSTALLED) - s.get(Stamp.BUILT));
                add(lib, "startup-added.await-sidecar-ready", s.get(Stamp.READY) - s.get(Stamp.INSTALLED));
                add(lib, "startup-added.logging-start", s.get(Stamp.LOGGING) - s.get(Stamp.MAIN));
                add(lib, "startup-added.startup-work", s.get(Stamp.WORK_DONE) - s.get(Stamp.INSTALLED));
                add(lib, "startup-cost", s.get(Stamp.READY) - s.get(Stamp.MAIN));
                add(lib, "startup-cost.to-first-admin-call", s.get(Stamp.FIRST_ADMIN_CALL_START) - s.get(Stamp.MAIN));
                Map<Stamp, Long> r = startupRun("startup-raw", emulator);
                raw.add(ms(r.get(Stamp.READY) - r.get(Stamp.MAIN)));
                Map<Stamp, Long> k = startupRun("startup-socket", emulator);
                socket.add(ms(k.get(Stamp.READY) - k.get(Stamp.MAIN)));
                // A run of its own: reading the counters must not touch the runs timed above.
                classLoadingRun(emulator, classes, loading);
                System.out.printf(Locale.ROOT, "  [%2d/%d] startup-added %.1f ms (from main %.1f ms); one plain GET %.1f ms, on a plain Socket %.1f ms%n",
                        i + 1, reps, last(lib.get("startup-added")), last(lib.get("startup-cost")), last(raw), last(socket));
            }
            withAppCds(reps, emulator, lib);
        }
        String section = "startup-cost";
        Table t = new Table("step (fresh JVM, sidecar already ready)", "median [min-max]");
        for (Map.Entry<String, List<Double>> e : lib.entrySet()) {
            figures.add(new Figure(section, e.getKey(), "ms", "library, fresh JVM", e.getValue()));
            t.row(e.getKey(), TerminationBenchmark.range(e.getValue(), "%.1f") + " ms");
        }
        figures.add(new Figure(section, "startup-cost", "ms", "one plain GET /healthz/ready (no library)", raw));
        t.row("one plain GET /healthz/ready (no library, HttpURLConnection, from main())", TerminationBenchmark.range(raw, "%.1f") + " ms");
        figures.add(new Figure(section, "startup-cost.plain-socket", "ms", "one GET on a plain Socket (no library)", socket));
        t.row("one GET /healthz/ready on a plain Socket (no library, java.net.Socket, from main())",
                TerminationBenchmark.range(socket, "%.1f") + " ms");
        figures.add(new Figure(section, "startup-added.classes-defined", "classes", "library, fresh JVM (the JVM's counters)", classes));
        t.row("classes the app's class loader defined on that path (the library's; the JVM's counters)",
                TerminationBenchmark.range(classes, "%.0f"));
        figures.add(new Figure(section, "startup-added.class-loading", "ms", "library, fresh JVM (the JVM's counters)",
                loading.get("startup-added.class-loading")));
        t.row("time the JVM spent loading classes on that path (loading, verifying, initialising)",
                TerminationBenchmark.range(loading.get("startup-added.class-loading"), "%.1f") + " ms");
        List<Double> share = loading.get("startup-added.class-loading-share");
        figures.add(new Figure(section, "startup-added.class-loading-share", "ratio", "class loading / the path, same run", share));
        t.row("the same, as a share of that run's path", TerminationBenchmark.range(share, "%.2f"));
        double added = Figure.median(lib.get("startup-added")) / Figure.median(raw);
        double cost = Figure.median(lib.get("startup-cost")) / Figure.median(raw);
        figures.add(Figure.of(section, "startup-added-vs-plain-get", "ratio", "library / one plain GET", added));
        figures.add(Figure.of(section, "startup-cost-vs-plain-get", "ratio", "library / one plain GET", cost));
        out.append("\nStartup: build() + install() + awaitSidecarReady() (").append(reps)
                .append(" fresh JVMs, sidecar already ready; startup-added from the app's logging start, startup-cost from main()):\n")
                .append(t.render()).append(String.format(Locale.ROOT, "startup-added / one plain GET (medians): %.2f%n", added))
                .append(String.format(Locale.ROOT, "startup-cost / one plain GET (medians): %.2f%n", cost));
    }

    /**
     * {@code startup-added.with-app-cds}: the same path with the library's classes from an AppCDS
     * archive of one training run (no target: an option of the app's, shown for what it saves).
     */
    private static void withAppCds(int reps, SidecarEmulator emulator, Map<String, List<Double>> into) throws Exception {
        String[] args = {"startup", emulator.adminUrl().toString(), emulator.agentUrl().toString()};
        AppCdsArchive cds = AppCdsArchive.forThisClassPath();
        try {
            int trained = AppCdsArchive.run(cds.command(SMALL_JVM, true, LatencyApp.class, args), 60);
            if (trained != 0 || !cds.exists()) {
                System.out.printf(Locale.ROOT, "  AppCDS: no archive from the training run (exit %d); row left out%n", trained);
                return;
            }
            for (int i = 0; i < reps; i++) {
                Map<Stamp, Long> s = startupRun("startup (AppCDS)", cds.command(SMALL_JVM, false, LatencyApp.class, args));
                add(into, "startup-added.with-app-cds", s.get(Stamp.READY) - s.get(Stamp.LOGGING));
                System.out.printf(Locale.ROOT, "  [%2d/%d] startup-added with AppCDS %.1f ms%n", i + 1, reps,
                        last(into.get("startup-added.with-app-cds")));
            }
        } finally {
            cds.delete();
        }
    }

    /** An Istio 1.26 sidecar emulator, started and already ready: what a started app finds beside it. */
    static SidecarEmulator readyEmulator() throws InterruptedException {
        SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26).timeToLive(Duration.ZERO)
                .statsFlushInterval(Duration.ofMillis(1)).build();
        emulator.start();
        StartupBenchmark.pilotAgentWait(URI.create(emulator.agentUrl() + "/healthz/ready"));
        return emulator;
    }

    private static void add(Map<String, List<Double>> into, String name, long nanos) {
        into.computeIfAbsent(name, k -> new ArrayList<>()).add(ms(nanos));
    }

    private static Map<Stamp, Long> startupRun(String mode, SidecarEmulator emulator) throws Exception {
        return startupRun(mode, JavaProcess.javaCommand(SMALL_JVM, LatencyApp.class, mode, emulator.adminUrl().toString(),
                emulator.agentUrl().toString()));
    }

    private static Map<Stamp, Long> startupRun(String mode, List<String> command) throws Exception {
        return stamps(startupOutput(mode, command));
    }

    /** The lines a child printed, once it exited 0 (bounded at 30 s). */
    private static List<String> startupOutput(String mode, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            List<String> lines = new ArrayList<>();
            Thread reader = reader(p, lines, new CompletableFuture<>());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(mode + ": failed; output:\n" + String.join("\n", lines));
            }
            reader.join(5_000);
            synchronized (lines) {
                return List.copyOf(lines);
            }
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * One {@code startup-classes} run: what the JVM's own counters say of the path to Ready, into
     * {@code classes} (classes the application class loader defined) and {@code into} (class-loading
     * time, and its share of the path's time in the same run).
     */
    private static void classLoadingRun(SidecarEmulator emulator, List<Double> classes, Map<String, List<Double>> into)
            throws Exception {
        List<String> jvm = new ArrayList<>(SMALL_JVM);
        jvm.addAll(JvmClassCounters.JVM_OPTIONS);
        List<String> lines = startupOutput("startup-classes", JavaProcess.javaCommand(jvm, LatencyApp.class, "startup-classes",
                emulator.adminUrl().toString(), emulator.agentUrl().toString()));
        Map<Stamp, Long> s = stamps(lines);
        long path = s.get(Stamp.READY) - s.get(Stamp.LOGGING);
        long loading = cls(lines, "loading-nanos");
        classes.add((double) cls(lines, "defined"));
        add(into, "startup-added.class-loading", loading);
        into.computeIfAbsent("startup-added.class-loading-share", k -> new ArrayList<>()).add((double) loading / path);
    }

    private static long cls(List<String> lines, String name) {
        for (String l : lines) {
            if (l.startsWith("CLS " + name + " ")) {
                return Long.parseLong(l.substring(("CLS " + name + " ").length()).trim());
            }
        }
        throw new IllegalStateException("no 'CLS " + name + "' line in the child's output:\n" + String.join("\n", lines));
    }

    // ---- helpers ----

    /** Reads {@code p}'s output into {@code lines} (guarded by it); {@code ready} completes at its {@code APP_READY} line. */
    static Thread reader(Process p, List<String> lines, CompletableFuture<Void> ready) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (line.startsWith("APP_READY")) {
                        ready.complete(null);
                    }
                }
            } catch (Exception e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("the child ended before it was ready: " + lines));
        }, "latency-child-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static Map<Stamp, Long> stamps(List<String> lines) {
        Map<Stamp, Long> m = new EnumMap<>(Stamp.class);
        for (String l : lines) {
            if (l.startsWith("LAT ")) {
                String[] p = l.split(" ");
                m.put(Stamp.valueOf(p[1]), Long.parseLong(p[2]));
            }
        }
        return m;
    }

    private static void add(Map<String, List<Double>> into, Map<String, Double> sample) {
        sample.forEach((k, v) -> into.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }

    private static double last(List<Double> l) {
        return l.get(l.size() - 1);
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** A downstream service that answers every cleanup call with 200. */
    private static final class Downstream implements AutoCloseable {
        private final HttpServer server;

        Downstream() throws java.io.IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
            server.createContext("/", ex -> {
                ex.getRequestBody().readAllBytes();
                ex.sendResponseHeaders(200, -1);
                ex.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/cleanup";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
