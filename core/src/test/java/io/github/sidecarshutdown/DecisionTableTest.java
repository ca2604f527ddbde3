package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.sidecarshutdown.DecisionRows.Answers;
import io.github.sidecarshutdown.DecisionRows.EndRow;
import io.github.sidecarshutdown.DecisionRows.Retry;
import io.github.sidecarshutdown.DecisionRows.Seen;
import io.github.sidecarshutdown.DecisionRows.StartupRow;
import io.github.sidecarshutdown.DecisionRows.Timing;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.Meshes;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/sidecar-states.md's two decision tables, run row by row (issues 20, 21): each row of "at
 * startup" through {@code awaitSidecarReady()}, each row of "at the end" through {@code shutdown()},
 * on a real coordinator built through the public builder, beside loopback stand-ins that produce
 * each state the way the real sidecar does ({@link MeshStandIn}). A row whose words the test does
 * not know fails ({@link DecisionRows}); a row listed in {@link #EXPECTED_ROWS} that disappears
 * fails too. The end rows also check that the plan taken before the shutdown names exactly the
 * sidecar calls the run made for the state the row is about.
 */
class DecisionTableTest {

    static final Path PAGE = Path.of("..", "docs", "sidecar-states.md");
    static final String STARTUP = "## The decision table: at startup";
    static final String END = "## The decision table: at the end";

    /** Deleting one of these rows is deliberate: remove it here too. */
    static final Set<String> EXPECTED_ROWS = Stream.of(
            IntStream.rangeClosed(1, 10).mapToObj(i -> "S" + i),
            IntStream.rangeClosed(1, 15).mapToObj(i -> "E" + i),
            IntStream.rangeClosed(1, 15).mapToObj(i -> "J" + i)).flatMap(s -> s).collect(Collectors.toUnmodifiableSet());

    static final String DRAIN_CALL = "POST /drain_listeners?inboundonly&graceful&skip_exit";
    static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(1);
    /** For the rows whose sidecar hangs: each hanging probe costs one admin timeout. */
    static final Duration HANG_ADMIN_TIMEOUT = Duration.ofMillis(500);
    /** A wait that "at once" stays well under, and "waits until it is ready" never reaches. */
    static final Duration LONG_STARTUP_WAIT = Duration.ofSeconds(20);
    static final Duration SHORT_STARTUP_WAIT = Duration.ofSeconds(1);
    /** How long after the wait began a late sidecar starts listening, or a starting one turns ready. */
    static final long LATER_MILLIS = 700;
    static final Duration ROW_TIMEOUT = Duration.ofSeconds(40);
    static final Path SHORT_DIR = Path.of("target", "dt");

    @TempDir
    Path dir;

    private final MarkdownTables page = new MarkdownTables(PAGE);

    // ---- the tables themselves ----

    @Test
    void everyExpectedRowIsStillInTheTablesAndNoIdRepeats() {
        List<String> ids = new ArrayList<>();
        page.tableAfter(STARTUP).rows().forEach(r -> ids.add(r.id()));
        page.tableAfter(END).rows().forEach(r -> ids.add(r.id()));
        assertThat(ids).as("row ids in %s", PAGE).doesNotHaveDuplicates();
        assertThat(ids).as("rows of %s (a deleted row must be removed from EXPECTED_ROWS on purpose)", PAGE)
                .containsAll(EXPECTED_ROWS);
    }

    @Test
    void theColumnsAreTheOnesTheTestReads() {
        assertThat(page.tableAfter(STARTUP).header()).containsExactly("row", "sidecar-mode", "Pod's annotations", "what answers",
                "startup-policy", "the wait");
        assertThat(page.tableAfter(END).header()).containsExactly("row", "mesh", "kind", "workload", "Pod's annotations", "seen",
                "drain", "release", "report");
    }

    @TestFactory
    Stream<DynamicNode> atStartup() {
        return page.tableAfter(STARTUP).rows().stream().filter(DecisionTableTest::selected).map(r -> {
            StartupRow row;
            List<String> meshes;
            try {
                row = DecisionRows.startup(r);
                meshes = startupMeshes(row);
            } catch (DecisionRows.NotUnderstood e) {
                return notUnderstood(r, e);
            }
            List<DynamicNode> variants = new ArrayList<>();
            for (String mesh : meshes) {
                String name = row.id() + " · sidecar-mode " + row.mode().name() + (row.injected() ? ", " + mesh + " injected" : "")
                        + " · " + r.cell("what answers") + " · " + row.policy().name().toLowerCase(java.util.Locale.ROOT);
                variants.add(DynamicTest.dynamicTest(name, () -> timed(row.id(), name, () -> runStartup(row, mesh))));
            }
            return DynamicContainer.dynamicContainer(row.id(), variants);
        });
    }

    @TestFactory
    Stream<DynamicNode> atTheEnd() {
        return page.tableAfter(END).rows().stream().filter(DecisionTableTest::selected).map(r -> {
            EndRow row;
            List<SidecarMode> modes;
            try {
                row = DecisionRows.end(r);
                modes = endModes(row);
            } catch (DecisionRows.NotUnderstood e) {
                return notUnderstood(r, e);
            }
            String what = row.id() + " · " + r.cell("mesh") + " " + r.cell("kind") + ", " + r.cell("workload") + ", annotations "
                    + r.cell("Pod's annotations") + ", seen " + r.cell("seen");
            List<DynamicNode> variants = new ArrayList<>();
            for (SidecarMode mode : modes) {
                String name = what + " · sidecar-mode " + mode.name();
                variants.add(DynamicTest.dynamicTest(name, () -> timed(row.id(), name, () -> runEnd(row, mode))));
            }
            return DynamicContainer.dynamicContainer(row.id(), variants);
        });
    }

    /** {@code -Ddecision-table.rows=E3,J4} runs only those rows (while working on one); unset, all. */
    private static boolean selected(MarkdownTables.Row r) {
        String only = System.getProperty("decision-table.rows", "");
        return only.isBlank() || List.of(only.split(",")).contains(r.id());
    }

    /** A row the test cannot run fails as itself, with what it does not understand. */
    private static DynamicNode notUnderstood(MarkdownTables.Row r, DecisionRows.NotUnderstood e) {
        return DynamicTest.dynamicTest(r.id() + " (line " + r.line() + ", not understood)", () -> {
            throw e;
        });
    }

    /** Bounded, and timed for the report; a stand-in the row needs and the test lacks fails naming the row. */
    private static void timed(String id, String name, ThrowingRunnable body) {
        long start = System.nanoTime();
        try {
            assertTimeoutPreemptively(ROW_TIMEOUT, body::run);
        } catch (DecisionRows.NotUnderstood e) {
            throw new DecisionRows.NotUnderstood("row " + id + ": " + e.getMessage());
        } finally {
            System.out.printf("decision-table row %-100s %6d ms%n", name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Throwable;
    }

    // ---- what a row runs with ----

    /**
     * The sidecar each variant of a startup row stands in ("-": none). Injected in {@code auto}:
     * every mesh whose injector marks the Pod, each its own variant. Otherwise the mode's mesh, or,
     * when the mode names none and something answers, Istio.
     */
    private static List<String> startupMeshes(StartupRow row) {
        boolean modeNamesMesh = !row.mode().equals(SidecarMode.AUTO) && !row.mode().equals(SidecarMode.NONE);
        if (row.injected() && !modeNamesMesh) {
            return List.of("istio classic", "istio native", "consul classic", "consul native", "kuma classic");
        }
        if (row.answers() == Answers.READY_ISTIO) {
            return List.of("istio classic");
        }
        if (modeNamesMesh) {
            return List.of(meshOf(row.mode()));
        }
        return List.of(row.answers() == Answers.NOTHING ? "-" : "istio classic");
    }

    private static String meshOf(SidecarMode mode) {
        return switch (mode.name()) {
            case "istio" -> "istio classic";
            case "native" -> "istio native";
            case "envoy" -> "envoy plain";
            case "ambient" -> "ambient —";
            default -> mode.name() + " classic";
        };
    }

    /**
     * The end table names no sidecar-mode: each row runs in {@code auto} (what an app runs with by
     * default) and in the mode that names its mesh outright; the rule must hold in both. Ambient
     * without its annotation is found only by its mode.
     */
    private static List<SidecarMode> endModes(EndRow row) {
        SidecarMode own = MeshStandIn.of(row.mesh(), row.kind(), new RowJournal()).mode(); // nothing listens yet
        return row.mesh().equals("ambient") && !row.injected() ? List.of(own) : List.of(SidecarMode.AUTO, own);
    }

    private ShutdownCoordinatorBuilder builder(RowJournal journal, MeshStandIn standIn) {
        ShutdownCoordinatorBuilder b = ShutdownCoordinator.builder().fromEnvironment(Map.of()).runtimeHooks(new RecordingHooks())
                .labelsFile(dir.resolve("no-labels")).annotationsFile(dir.resolve("no-annotations"))
                .adminTimeout(ADMIN_TIMEOUT).gracePeriod(Duration.ofSeconds(10)).safetyMargin(Duration.ofSeconds(1))
                .propagationDelay(Duration.ZERO).drainTimeout(Duration.ofMillis(100))
                .listener(journal).adminCallListener(journal);
        // Never a mesh's default port: every URL setting at a closed port, the stand-in's at its own.
        for (MeshSetting s : Meshes.settings()) {
            if (s.kind() == Setting.Kind.URL) {
                b.meshUrl(s, URI.create(TruthFixtures.refusedUrl()));
            }
        }
        if (standIn != null) {
            standIn.urls().forEach(b::meshUrl);
        }
        return b;
    }

    /**
     * The Pod's annotations, at a path about as long as the default {@code /etc/podinfo/annotations}:
     * a release phase's detail is cut at 200 characters, and some reasons begin with the sidecar's
     * description, which names this path. Rows run one after the other, and the file is read at build().
     */
    private static Path annotations(Map<String, String> mark) throws IOException {
        return MeshFakes.annotations(Files.createDirectories(SHORT_DIR), mark);
    }

    private static void later(Runnable r) {
        CompletableFuture.runAsync(r, CompletableFuture.delayedExecutor(LATER_MILLIS, TimeUnit.MILLISECONDS));
    }

    // ---- at startup ----

    private void runStartup(StartupRow row, String mesh) throws Exception {
        RowJournal journal = new RowJournal();
        MeshStandIn standIn = mesh.equals("-") ? null : MeshStandIn.of(mesh.split(" ")[0], mesh.split(" ")[1], journal);
        try {
            Duration wait = row.timing() == Timing.STARTUP_WAIT ? SHORT_STARTUP_WAIT : LONG_STARTUP_WAIT;
            ShutdownCoordinatorBuilder b = builder(journal, standIn).sidecarMode(row.mode())
                    .startupPolicy(row.policy()).startupWait(wait);
            if (row.injected()) {
                b.annotationsFile(annotations(standIn.injectorMark()));
            }
            ShutdownCoordinator c = b.build();
            switch (row.answers()) {
                case NOTHING -> { }
                case READY_ISTIO -> standIn.listen(true);
                case LISTENS_LATER -> later(() -> standIn.listen(true));
                case STARTING_THEN_READY -> {
                    standIn.listen(false);
                    later(standIn::becomeReady);
                }
                default -> throw new DecisionRows.NotUnderstood("row " + row.id() + ": no stand-in for " + row.answers());
            }

            // The log (slf4j-simple) writes to whatever System.err is when it logs: read it for the warning.
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream original = System.err;
            if (row.warns()) {
                System.setErr(new PrintStream(new TeeStream(original, err), true, StandardCharsets.UTF_8));
            }
            long start = System.nanoTime();
            SidecarReadiness result = null;
            Throwable thrown = null;
            try {
                result = c.awaitSidecarReady();
            } catch (SidecarNotReadyException e) {
                thrown = e;
            } finally {
                System.setErr(original);
            }
            long end = System.nanoTime();
            Duration took = Duration.ofNanos(end - start);

            String as = row.id() + " (" + mesh + "): took " + took.toMillis() + " ms";
            if (row.outcome().isPresent()) {
                assertThat(thrown).as(as).isNull();
                assertThat(result).as(as).isEqualTo(row.outcome().get());
            } else {
                assertThat(thrown).as(as + ", expected SidecarNotReadyException, returned " + result).isNotNull();
            }
            switch (row.timing()) {
                case AT_ONCE -> assertThat(took).as(as + ": at once, well under startup-wait=" + wait)
                        .isLessThan(wait.dividedBy(4));
                case UNTIL_READY -> {
                    assertThat(end).as(as + ": returned only once the sidecar was ready").isGreaterThanOrEqualTo(standIn.readySince);
                    assertThat(took).as(as + ": returned when it was ready, not at startup-wait=" + wait).isLessThan(wait);
                }
                case STARTUP_WAIT -> assertThat(took).as(as + ": waited startup-wait=" + wait).isGreaterThanOrEqualTo(wait);
                default -> throw new IllegalStateException();
            }
            if (row.notes()) {
                List<String> notes = c.plan().notes().stream().filter(n -> n.contains("metadata.annotations")).toList();
                assertThat(notes).as(as + ": the plan's notes " + c.plan().notes()).hasSize(1);
                assertThat(notes.get(0)).contains("taken for no sidecar").contains("downward API");
            }
            if (row.warns()) {
                List<String> warnings = err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(" WARN ")).toList();
                assertThat(warnings).as(as + ": warnings").hasSize(1);
                Set<String> names = new LinkedHashSet<>();
                standIn.urls().keySet().forEach(s -> names.addAll(List.of(s.envName(), s.propertyName(), s.builderMethod())));
                assertThat(names).as(as + ": the warning names the URL setting to check (one of %s): %s", names, warnings.get(0))
                        .anyMatch(n -> warnings.get(0).contains(n));
            }
        } finally {
            if (standIn != null) {
                standIn.close();
            }
        }
    }

    // ---- at the end ----

    private void runEnd(EndRow row, SidecarMode mode) throws Exception {
        RowJournal journal = new RowJournal();
        try (MeshStandIn standIn = MeshStandIn.of(row.mesh(), row.kind(), journal)) {
            Duration admin = row.seen() == Seen.UNKNOWN ? HANG_ADMIN_TIMEOUT : ADMIN_TIMEOUT;
            // "until the deadline" is waited out: a short grace period keeps the row fast.
            Duration grace = row.retry() == Retry.UNTIL_THE_DEADLINE ? Duration.ofSeconds(5) : Duration.ofSeconds(10);
            ShutdownCoordinatorBuilder b = builder(journal, standIn).sidecarMode(mode).workload(row.workload())
                    .releaseSidecar(row.releaseSidecar()).adminTimeout(admin).gracePeriod(grace).startupWait(LONG_STARTUP_WAIT);
            if (row.injected()) {
                b.annotationsFile(annotations(standIn.injectorMark()));
            }
            ShutdownCoordinator c = b.build();
            SidecarState state = row.seen().state(row.injected());

            // The app starts: the sidecar is up (and seen ready) or not yet.
            switch (row.seen()) {
                case LIVE, TERMINATING, UNKNOWN, GONE -> {
                    standIn.listen(true);
                    assertThat(c.awaitSidecarReady()).as("%s: the stand-in is ready at startup", row.id()).isEqualTo(SidecarReadiness.READY);
                }
                case STARTING -> standIn.listen(false);
                case ABSENT, NOT_ANSWERING_EVER -> { }
                case NOT_ANSWERING_THEN_LIVE -> {
                    if (!(standIn instanceof MeshStandIn.EnvoyBased)) {
                        throw new DecisionRows.NotUnderstood("row " + row.id() + ": a refused release is seen only through Envoy's "
                                + "admin client; no stand-in for " + standIn.name + " starting after it");
                    }
                    // It starts a moment after the release was first tried and refused: so it was asked again.
                    journal.onAttempt(a -> a.phase().equals(ShutdownPhase.SIDECAR_RELEASE.name())
                            && a.endpoint().method().equals("POST") && a.outcome().equals("connection_refused"),
                            () -> later(() -> standIn.listen(true)));
                }
                default -> throw new IllegalStateException();
            }
            ShutdownPlan atInstall = c.plan(); // what install() logs

            // What the Pod's deletion (or the Job's end, which signals nothing) does to the sidecar.
            switch (row.seen()) {
                case TERMINATING -> standIn.sigterm();
                case UNKNOWN -> standIn.hang();
                case GONE -> standIn.die();
                default -> { }
            }
            ShutdownPlan beforeShutdown = c.plan();
            journal.shutdownBegins();
            ShutdownReport report = c.shutdown();
            Map<String, ShutdownPlan> plans = new java.util.LinkedHashMap<>();
            plans.put("at install", atInstall);
            plans.put("before the shutdown", beforeShutdown);
            checkEnd(row, state, admin, grace, journal, report, plans);
        }
    }

    private static void checkEnd(EndRow row, SidecarState state, Duration admin, Duration grace, RowJournal j, ShutdownReport report,
            Map<String, ShutdownPlan> plans) {
        String as = row.id() + ": " + report.summaryLine() + "\n requests " + j.requests + "\n attempts " + j.attempts;
        PhaseResult release = report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow(() -> new AssertionError(as));

        assertThat(report.complete()).as(as).isTrue();
        // The run saw what the row is about (else the stand-in, or the probe, is wrong).
        SidecarState last = j.states.isEmpty() ? report.sidecarAtStart() : j.states.get(j.states.size() - 1);
        boolean looksAgain = row.drain() || row.releaseCall().isPresent() || row.retry() != DecisionRows.Retry.NONE;
        if (!looksAgain && state == SidecarState.TERMINATING && last == SidecarState.UNKNOWN) {
            // Linkerd's and Dapr's 503 after ready counts only once it lasted 1 s (docs/sidecar-states.md); a run that
            // neither drains nor releases in this state has no reason to ask again, so it may end with the first answer.
            assertThat(j.requests(null, "GET")).as(as + ": the sidecar was asked at the start").isNotEmpty();
        } else {
            assertThat(last).as(as + "\n the sidecar states the guard reported " + j.states).isEqualTo(state);
        }
        assertThat(j.requests(RowJournal.BEFORE, "POST")).as(as + ": nothing is posted before the shutdown").isEmpty();

        // drain
        List<RowJournal.Request> drains = j.requests(null, "POST /drain_listeners");
        if (row.drain()) {
            assertThat(drains).as(as + ": one drain, in inbound_drain")
                    .containsExactly(new RowJournal.Request(ShutdownPhase.INBOUND_DRAIN.name(), "envoy", DRAIN_CALL));
        } else {
            assertThat(drains).as(as + ": no drain").isEmpty();
        }

        // release
        List<RowJournal.Request> releases = j.requests(null, "POST").stream().filter(r -> !r.line().startsWith("POST /drain_listeners"))
                .toList();
        List<RowJournal.Attempt> refusedReleases = j.refused().stream().filter(a -> a.endpoint().method().equals("POST")
                && a.phase().equals(ShutdownPhase.SIDECAR_RELEASE.name())).toList();
        if (row.releaseCall().isPresent()) {
            assertThat(releases).as(as + ": the release call, once, in sidecar_release").hasSize(1);
            assertThat(releases.get(0).line()).as(as).isEqualTo(row.releaseCall().get());
            assertThat(releases.get(0).phase()).as(as).isEqualTo(ShutdownPhase.SIDECAR_RELEASE.name());
        } else {
            assertThat(releases).as(as + ": no release call").isEmpty();
        }
        switch (row.retry()) {
            case NONE -> assertThat(refusedReleases).as(as + ": no release tried").isEmpty();
            case FOR_A_MOMENT -> assertThat(j.requests(ShutdownPhase.SIDECAR_RELEASE.name(), "GET").stream()
                    .collect(Collectors.groupingBy(r -> r.server() + " " + r.line(), Collectors.counting())).values())
                    .as(as + ": the release asked the sidecar again (one of its probes, twice or more)")
                    .anyMatch(n -> n >= 2);
            case UNTIL_IT_ANSWERS -> assertThat(refusedReleases).as(as + ": tried while refused, then again once it answered")
                    .isNotEmpty();
            case UNTIL_THE_DEADLINE -> {
                assertThat(refusedReleases).as(as + ": tried again and again").hasSizeGreaterThanOrEqualTo(2);
                assertThat(release.outcome()).as(as).isEqualTo(TaskOutcome.FAILED);
                Duration budget = grace.minus(Duration.ofSeconds(1));
                assertThat(report.elapsed()).as(as + ": asked until the deadline (budget " + budget + " less one admin call)")
                        .isGreaterThanOrEqualTo(budget.minus(admin).minusMillis(100));
            }
            default -> throw new IllegalStateException();
        }
        row.reason().ifPresent(p -> assertThat(release.detail()).as(as + ": the release phase says why").containsPattern(p));
        assertThat(report.sidecarReleased()).as(as).isEqualTo(row.released());
        if (row.released()) {
            assertThat(release.outcome()).as(as).isEqualTo(TaskOutcome.SUCCEEDED);
        }
        assertThat(report.outcome()).as(as).isEqualTo(row.degraded() ? ReportOutcome.DEGRADED : ReportOutcome.CLEAN);

        // plan = run: the calls the plan names for this state are the calls the run made (or tried).
        Set<String> made = new java.util.TreeSet<>();
        j.requests(null, "POST").forEach(r -> made.add(r.phase() + " " + r.line()));
        j.refused().stream().filter(a -> a.endpoint().method().equals("POST")).forEach(a -> made.add(a.phase() + " " + a.call()));
        plans.forEach((when, plan) -> {
            Set<String> named = plan.calls().stream().filter(call -> call.when().contains(state))
                    .map(call -> call.phase().name() + " " + call.call()).collect(Collectors.toCollection(java.util.TreeSet::new));
            assertThat(made).as(as + "\n the plan " + when + " names for a " + state + " sidecar " + named + "; its calls: "
                    + plan.calls()).isEqualTo(named);
        });
    }

    /** Writes to both streams: the log still shows, and the test reads it. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
