package io.github.sidecarshutdown.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.testkit.pod.JobRun;
import io.github.sidecarshutdown.testkit.pod.OutputLine;
import io.github.sidecarshutdown.testkit.pod.PodPhase;
import io.github.sidecarshutdown.testkit.pod.PodTermination;
import io.github.sidecarshutdown.testkit.pod.RestartPolicy;
import io.github.sidecarshutdown.testkit.pod.TimelineEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edges of a Pod's life (issue 20), each with and without the library, as real processes:
 * <ol>
 *   <li>a classic sidecar (Istio, Consul, Kuma) that starts 1.5 s after the app, the injector's annotations
 *       mounted: with the library the app waits for it before it reports ready and calls out, its startup
 *       calls arrive, and at the Pod's deletion an Istio sidecar first seen late is released like any other
 *       (the Pod ends with the app, not at the window);</li>
 *   <li>a Job that fails in its first second while Envoy is still {@code INITIALIZING}: with the library the
 *       classic sidecar is released and the Pod completes (failed); without, it runs forever;</li>
 *   <li>a Job with {@code restartPolicy: OnFailure} that fails once, then would succeed: a limitation, asserted
 *       as it is. The library releases the classic sidecar after the first run; the kubelet restarts the app in
 *       the same Pod but not the sidecar (it exited 0), so every retry's calls fail until {@code backoffLimit}
 *       fails the Job. Without the library the retry succeeds but the sidecar keeps the Pod running. Either way
 *       the Job is lost: the linter must flag {@code OnFailure} beside a classic sidecar.</li>
 * </ol>
 * Rows 1 and 2 state the behaviour issue 20 asks for; on the code of {@code 5c2b31b} their library cases fail
 * (the report of that run is in the branch's notes to the lead).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PodLifeScenarioIT {

    private static final Duration LATE = Duration.ofMillis(1500);
    /** How far apart two processes' lines may be stamped from what happened in them: they are read on two threads. */
    private static final Duration PIPE_SKEW = Duration.ofMillis(100);
    private static final Duration WINDOW = Duration.ofSeconds(4);
    private static final int STARTUP_CALLS = 2;
    private static final int MAX_RUNS = 3;

    // ---- 1. A sidecar that starts after the app ----

    static Stream<Arguments> lateSidecars() {
        return Stream.of("ISTIO_1_26", "CONSUL", "KUMA")
                .flatMap(mode -> Stream.of(Arguments.of(mode, false), Arguments.of(mode, true)));
    }

    @ParameterizedTest(name = "{0} sidecar starting 1.5 s after the app, library={1}")
    @MethodSource("lateSidecars")
    void sidecarStartingAfterTheApp(String mode, boolean library) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try (DownstreamRecorder registry = DownstreamRecorder.at("/register")) {
                TerminationRun.Result r = TerminationRun.run(new TerminationRun.Spec(mode, WINDOW, Duration.ofSeconds(1),
                        Duration.ofMillis(300), 2, library, Duration.ofMillis(400), Duration.ofSeconds(1), 0,
                        Duration.ofMillis(250), Duration.ofSeconds(20))
                        .withLateSidecar(LATE, registry.url() + "/register", STARTUP_CALLS));
                PodTermination t = r.termination();
                String timeline = t.toTimelineText() + "app's log:\n" + log(t.app().lines());
                String sidecar = t.sidecar().orElseThrow().name();
                Duration sidecarStarted = event(t, sidecar, TimelineEvent.Kind.STARTED);
                Duration sidecarReady = event(t, sidecar, TimelineEvent.Kind.READY);
                Duration appReady = event(t, "app", TimelineEvent.Kind.READY);
                List<String> startup = lines(t, "APP_EVENT startup-call ");

                assertThat(sidecarStarted.minus(event(t, "app", TimelineEvent.Kind.STARTED))).as(timeline)
                        .isGreaterThanOrEqualTo(LATE);
                assertThat(r.appExitCode()).as(timeline).isEqualTo(143);
                if (library) {
                    // The app waits for its sidecar before it serves and calls out: its startup calls arrive.
                    // The two ready lines are stamped when this JVM reads them, from two pipes on two threads:
                    // on a busy machine they can arrive a few ms out of order (seen: the app's 2 ms first, after
                    // "Sidecar ready after 1.337s"). An app that did not wait would be ready LATE earlier.
                    assertThat(appReady).as("the app reported ready only once its sidecar was%n%s", timeline)
                            .isGreaterThanOrEqualTo(sidecarReady.minus(PIPE_SKEW));
                    assertThat(startup).as(timeline).hasSize(STARTUP_CALLS).allMatch(l -> l.endsWith(" ok"));
                    assertThat(registry.calls()).as(timeline).hasSize(STARTUP_CALLS);
                    assertThat(r.cleanupDelivered()).as("every cleanup call arrived%n%s", timeline)
                            .isEqualTo(r.cleanupSent());
                    if (mode.equals("ISTIO_1_26")) {
                        // A sidecar first seen after the app started is judged like any other at shutdown: seen
                        // terminating, released when the app is done; the Pod does not wait out the window.
                        assertThat(r.report()).as(timeline).contains("sidecar_release=succeeded");
                        assertThat(r.sidecarExitMs()).as("the Pod ends with the app%n%s", timeline)
                                .isLessThanOrEqualTo(r.appExitMs() + 500);
                    } else {
                        // Neither dataplane can be ended early in a service Pod (see ScenarioMatrixIT).
                        assertThat(r.sidecarExitMs()).as(timeline).isGreaterThanOrEqualTo(WINDOW.toMillis() - 100);
                    }
                } else {
                    // Precondition: the app made its calls before the sidecar listened. A starved machine may boot the
                    // app's JVM so slowly that it did not; such a run shows nothing and runs again.
                    Duration lastStartupCall = lineTime(t, "APP_EVENT startup-call " + STARTUP_CALLS);
                    if (lastStartupCall.compareTo(sidecarReady) >= 0) {
                        assertThat(attempt).as("inconclusive %d times: the app's startup calls came after its sidecar "
                                + "was ready%n%s", attempt, timeline).isLessThan(MAX_RUNS);
                        continue;
                    }
                    // Nothing holds the app: it is ready and calls out before its sidecar listens.
                    assertThat(appReady).as(timeline).isLessThan(sidecarReady);
                    assertThat(startup).as(timeline).hasSize(STARTUP_CALLS).allMatch(l -> l.contains(" failed "));
                    assertThat(registry.calls()).as(timeline).isEmpty();
                    if (mode.equals("ISTIO_1_26")) {
                        assertThat(r.sidecarExitMs()).as("the sidecar waits out its window%n%s", timeline)
                                .isGreaterThanOrEqualTo(WINDOW.toMillis() - 100);
                    }
                }
                return;
            }
        }
    }

    // ---- 2. A Job that fails early, while Envoy is still starting ----

    @ParameterizedTest(name = "Job failing while Envoy is INITIALIZING, library={0}")
    @ValueSource(booleans = {false, true})
    void jobFailingWhileEnvoyIsStillInitializing(boolean library) throws Exception {
        // Envoy stays INITIALIZING for a minute (a missing secret, a slow control plane); the job waits at most
        // 500 ms for it, then fails in its first second.
        JobCompletionRun.Life initializing = new JobCompletionRun.Life(Duration.ofSeconds(60),
                Duration.ofMillis(500), RestartPolicy.NEVER, 6, false, 0);
        JobCompletionRun.Result r = JobCompletionRun.run(new JobCompletionRun.Spec("ISTIO_1_26",
                library ? JobCompletionRun.Release.LIBRARY : JobCompletionRun.Release.NONE, "job", "",
                Duration.ofMillis(200), 1, 1, Duration.ofSeconds(8)).with(initializing));
        JobRun run = r.run();
        String timeline = run.toTimelineText() + "app's log:\n" + log(run.app().lines());

        assertThat(run.appExitCode()).as(timeline).hasValue(1);
        assertThat(run.appExitedAt()).as(timeline).hasValueSatisfying(
                at -> assertThat(at).isLessThan(Duration.ofSeconds(5)));
        if (library) {
            // In a Job the app's end releases a classic sidecar in every state it exists in, starting included.
            assertThat(r.adminQuits() + r.agentQuits()).as("the starting sidecar was released%n%s", timeline)
                    .isGreaterThanOrEqualTo(1);
            assertThat(run.phase()).as("the Pod completes, failed%n%s", timeline).isEqualTo(PodPhase.FAILED);
            assertThat(run.completionGap()).as(timeline).hasValueSatisfying(
                    gap -> assertThat(gap).isLessThan(Duration.ofSeconds(3)));
        } else {
            // istio/istio#6324: the classic sidecar runs forever (here until the test's bound).
            assertThat(run.phase()).as(timeline).isEqualTo(PodPhase.RUNNING);
            assertThat(run.sidecar().orElseThrow().killedAtGrace()).isTrue();
        }
    }

    // ---- 3. restartPolicy: OnFailure, a Job that fails once: a limitation, as it is ----

    /**
     * How long a run without the library is watched: its Pod never ends (nothing releases the sidecar), so
     * the bound is the run's length; two app runs of a fresh JVM each fit in it many times over.
     */
    private static final Duration NO_LIBRARY_OBSERVATION = Duration.ofSeconds(10);

    @ParameterizedTest(name = "Job with restartPolicy OnFailure failing once, library={0}")
    @ValueSource(booleans = {false, true})
    void onFailureRetryAfterTheSidecarWasReleased(boolean library) throws Exception {
        // The job fetches its input through the sidecar (one call), fails in its first run, and would succeed when
        // retried; backoffLimit 2.
        JobCompletionRun.Life onFailure = new JobCompletionRun.Life(Duration.ZERO, Duration.ofSeconds(1),
                RestartPolicy.ON_FAILURE, 2, true, 1);
        JobCompletionRun.Result r = JobCompletionRun.run(new JobCompletionRun.Spec("ISTIO_1_26",
                library ? JobCompletionRun.Release.LIBRARY : JobCompletionRun.Release.NONE, "job", "",
                Duration.ofMillis(200), 1, 1, library ? Duration.ofSeconds(20) : NO_LIBRARY_OBSERVATION).with(onFailure));
        JobRun run = r.run();
        String timeline = run.toTimelineText() + "app's log, every run:\n" + log(run.appRuns().stream()
                .flatMap(a -> a.lines().stream()).toList());
        System.out.println(timeline); // the limitation, as it shows: docs/sidecar-states.md and the linter cite it

        assertThat(run.appRuns().get(0).exitCode()).as(timeline).isEqualTo(1);
        assertThat(first(run, 0, "APP_EVENT work-call 1")).as("the first run's call went through%n%s", timeline)
                .endsWith(" ok");
        if (library) {
            // The first run's exit released the sidecar; it exited 0, and the kubelet does not restart it.
            assertThat(r.adminQuits()).as(timeline).isEqualTo(1);
            assertThat(run.sidecarRuns()).as(timeline).hasSize(1);
            assertThat(run.sidecar().orElseThrow().exitCode()).isZero();
            // Every retry finds nobody on the sidecar's port, fails, until backoffLimit fails the Job.
            assertThat(run.appExitCodes()).as(timeline).containsExactly(1, 1, 1);
            for (int retry = 1; retry < run.appRuns().size(); retry++) {
                assertThat(first(run, retry, "APP_EVENT work-call 1")).as(timeline).contains(" failed ");
            }
            assertThat(r.workDelivered()).as("only the first run's call arrived%n%s", timeline).isEqualTo(1);
            assertThat(run.backoffLimitReached()).as(timeline).isTrue();
            assertThat(run.phase()).as(timeline).isEqualTo(PodPhase.FAILED);
        } else {
            // Nothing released the sidecar: the retry succeeds, then the sidecar keeps the Pod running.
            assertThat(run.appExitCodes()).as(timeline).containsExactly(1, 0);
            assertThat(r.workDelivered()).as(timeline).isEqualTo(2);
            assertThat(run.phase()).as(timeline).isEqualTo(PodPhase.RUNNING);
        }
    }

    /** The library's own lines (its plan, the sidecar it found, its report), for the assertion messages. */
    private static String log(List<OutputLine> lines) {
        StringBuilder text = new StringBuilder();
        lines.stream().map(OutputLine::text).filter(l -> !l.startsWith("APP_"))
                .forEach(l -> text.append("  ").append(l).append('\n'));
        return text.toString();
    }

    private static Duration event(PodTermination t, String source, TimelineEvent.Kind kind) {
        return t.firstEvent(source, kind).map(TimelineEvent::sinceDeletion)
                .orElseThrow(() -> new AssertionError("no " + kind + " of " + source + "\n" + t.toTimelineText()));
    }

    private static List<String> lines(PodTermination t, String prefix) {
        return t.app().lines().stream().map(OutputLine::text).filter(l -> l.startsWith(prefix)).toList();
    }

    private static Duration lineTime(PodTermination t, String prefix) {
        return t.app().lines().stream().filter(l -> l.text().startsWith(prefix)).findFirst()
                .map(l -> t.sinceDeletion(l.time()))
                .orElseThrow(() -> new AssertionError("no line " + prefix + "\n" + t.toTimelineText()));
    }

    private static String first(JobRun run, int index, String prefix) {
        return run.appRuns().get(index).firstLineContaining(prefix).map(OutputLine::text)
                .orElse("(run " + index + " printed no " + prefix + ")");
    }
}
