package io.github.sidecarshutdown.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.testkit.pod.ContainerTermination;
import io.github.sidecarshutdown.testkit.pod.InboundOutcome;
import io.github.sidecarshutdown.testkit.pod.InboundLoadWindow;
import io.github.sidecarshutdown.testkit.pod.JobRun;
import io.github.sidecarshutdown.testkit.pod.OutputLine;
import io.github.sidecarshutdown.testkit.pod.PodPhase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scenario matrix: every emulated sidecar mode x cleanup work that fits
 * the window, that nearly fills it, and that outlasts it x with and without the library, each a
 * real Pod deletion (two processes, real SIGTERM, inbound load until endpoints forget the Pod).
 * Durations are shortened (a 2 s window) so the matrix fits in a few minutes of CI.
 *
 * <p>With the library: every cleanup call the window allows arrives; where it cannot, the report
 * says so and nothing hangs; a classic sidecar exits within 500 ms of the app; no inbound request
 * fails where the sidecar forwards inbound at all. Without it, the known failures of
 * istio/istio#7136 show up, so the matrix can tell the two apart.
 *
 * <p>Two more row groups: Istio ambient (no proxy in the Pod) with and without the library, and Job Pods
 * ({@code restartPolicy: Never}, the app ends by itself) with a classic or native sidecar, released by the
 * library, by the shell-trap workaround, or not at all.
 *
 * <p>On a busy machine a row checks its own preconditions before it judges (see {@link ConclusiveRuns}): an
 * inbound verdict needs requests sent while endpoints still route to the Pod (after the plain app stopped
 * serving, for the failures without the library), as the load generator measured them; "every call succeeded"
 * needs the app to have run its cleanup on the row's schedule and the answers back before its own timeout. A run
 * where they did not hold runs again; a defect of the library that looks like a starved machine repeats in every
 * run, so the row still fails, saying it was inconclusive.
 */
class ScenarioMatrixIT {

    private static final Duration WINDOW = Duration.ofSeconds(2);
    private static final Duration DELAY = Duration.ofMillis(400);
    private static final Duration ENDPOINTS = Duration.ofMillis(250);
    /**
     * Inbound clients. Not more: the JDK server of the plain app finishes its {@code stop(1)} only once no exchange is
     * under way, so a load dense enough to always have one keeps it serving on kept-alive connections (the Pod
     * without sidecar, {@code NONE}, then loses nothing without the library either).
     */
    private static final int CLIENTS = 6;
    /** Requests sent while endpoints still route to the Pod, at least, for "no inbound request failed" to mean something. */
    private static final int MIN_ROUTED = 5;
    /**
     * How long after the plain hook's {@code sigterm} line its server is surely closed: the hook closes it right after
     * printing (the line is stamped when this JVM reads it, later still), but a starved hook thread may be descheduled
     * in between.
     */
    private static final Duration PLAIN_STOP_MARGIN = Duration.ofMillis(30);

    /** Modes whose sidecar keeps forwarding outbound after SIGTERM (at least for a while). */
    private static final Set<String> OUTBOUND_SURVIVES = Set.of("ISTIO_1_5", "ISTIO_1_5_LONG", "ISTIO_1_26",
            "EXIT_ON_ZERO_ACTIVE_CONNECTIONS", "NATIVE", "NONE");
    /** Modes where the sidecar keeps accepting inbound while the app drains. */
    private static final Set<String> INBOUND_SURVIVES = OUTBOUND_SURVIVES;
    /** Classic Istio modes whose sidecar the library releases. */
    private static final Set<String> RELEASED = Set.of("ISTIO_1_5", "ISTIO_1_5_LONG", "ISTIO_1_26",
            "EXIT_ON_ZERO_ACTIVE_CONNECTIONS");
    /** Modes where outbound dies at the window and nothing extends it. */
    private static final Set<String> FIXED_WINDOW = Set.of("ISTIO_1_5", "ISTIO_1_26");

    static Stream<Arguments> matrix() {
        List<Arguments> cells = new ArrayList<>();
        for (String mode : List.of("ISTIO_1_0", "ISTIO_1_1", "ISTIO_1_5", "ISTIO_1_5_LONG", "ISTIO_1_26",
                "EXIT_ON_ZERO_ACTIVE_CONNECTIONS", "NATIVE", "NONE")) {
            for (Duration work : List.of(Duration.ofMillis(300), Duration.ofMillis(1000), Duration.ofMillis(3000))) {
                for (boolean library : List.of(false, true)) {
                    cells.add(Arguments.of(mode, work, library));
                }
            }
        }
        return cells.stream();
    }

    private static TerminationRun.Spec spec(String mode, Duration work, boolean library) {
        // ISTIO_1_5_LONG is the mesh-side fix: a window long enough for the longest work.
        String emulated = mode.equals("ISTIO_1_5_LONG") ? "ISTIO_1_5" : mode;
        Duration window = mode.equals("ISTIO_1_5_LONG") ? Duration.ofSeconds(6) : WINDOW;
        int calls = (int) Math.max(2, work.toMillis() / 250);
        // Without the library, EXIT_ON_ZERO_ACTIVE_CONNECTIONS' sidecar waits for the clients' keep-alive
        // connections to close, which they never do: the kubelet's kill at the grace period ends the Pod,
        // and nothing is asserted about that moment. A shorter grace period (still past the app's own
        // exit, asserted below 15 s) saves 12 s per row.
        Duration grace = !library && mode.equals("EXIT_ON_ZERO_ACTIVE_CONNECTIONS") ? Duration.ofSeconds(8) : Duration.ofSeconds(20);
        return new TerminationRun.Spec(emulated, window, Duration.ofSeconds(1), work, calls, library, DELAY,
                Duration.ofSeconds(1), CLIENTS, ENDPOINTS, grace);
    }

    /** Runs a row until a run is conclusive (at most {@link ConclusiveRuns#ATTEMPTS}). */
    private static TerminationRun.Result conclusiveRun(String row, TerminationRun.Spec spec, Verdicts needs) throws Exception {
        return ConclusiveRuns.run(row, () -> TerminationRun.run(spec), r -> inconclusive(r, needs));
    }

    /** Which verdicts a row gives, so which preconditions its run must meet. */
    private record Verdicts(boolean inboundFailures, boolean noInboundFailure, boolean everyCallSucceeded) {
    }

    /**
     * Why a run cannot be judged, from what the load generator and the app measured themselves; empty when it can.
     * Each reason is one a starved machine produces; the assertions about the library are not relaxed for it.
     */
    private static Optional<String> inconclusive(TerminationRun.Result r, Verdicts needs) {
        InboundLoadWindow routed = r.termination().inbound().window(Duration.ZERO, ENDPOINTS);
        if (needs.noInboundFailure() && routed.sent() < MIN_ROUTED) {
            // "no inbound request failed" says nothing if hardly any was sent while endpoints still routed to the Pod
            return Optional.of("too little inbound load while endpoints still routed to the Pod (needs " + MIN_ROUTED
                    + "): " + routed);
        }
        long timedOut = r.termination().inbound().count(InboundOutcome.TIMEOUT);
        if (needs.noInboundFailure() && timedOut > 0) {
            // a request unanswered for its whole 2 s timeout while the app serves is a stalled machine (a hang that the
            // library caused would stall every run, and the row would still fail)
            return Optional.of(timedOut + " inbound request(s) timed out: " + r.termination().inbound().summary());
        }
        if (needs.inboundFailures() && r.inboundFailed() == 0) {
            // the plain hook loses the requests that reach the app after it closed its server, before endpoints forget
            // the Pod: there must be some, or the run shows nothing
            Optional<Duration> stop = r.termination().app().lines().stream()
                    .filter(l -> l.text().equals("APP_EVENT sigterm")).map(OutputLine::time).findFirst()
                    .map(r.termination()::sinceDeletion);
            if (stop.isPresent()) {
                Duration from = stop.get().plus(PLAIN_STOP_MARGIN);
                InboundLoadWindow afterStop = r.termination().inbound().window(from, from.plus(Duration.ofMinutes(1)));
                if (afterStop.sent() == 0) {
                    return Optional.of("no inbound request was sent after the plain app closed its server ("
                            + stop.get().toMillis() + " ms + " + PLAIN_STOP_MARGIN.toMillis() + " ms after the deletion), "
                            + "while endpoints still routed to it: " + routed);
                }
            }
        }
        if (needs.everyCallSucceeded() && r.okCalls().size() < r.cleanupSent()) {
            // the verdict assumes the cleanup runs on schedule: its work, after the propagation delay, with 700 ms to
            // spare (as fitsWindow does); an app that shut down later than that was starved, and its window may have
            // run out (calls skipped or cut short)
            long assumed = r.spec().cleanupWork().plus(r.spec().propagationDelay()).toMillis() + 700;
            if (r.appExitMs() > assumed) {
                return Optional.of("the app finished its shutdown at " + r.appExitMs() + " ms after the deletion, later than "
                        + "the " + assumed + " ms the row assumes (work + propagation delay + 700 ms): "
                        + r.okCalls().size() + " of " + r.cleanupSent() + " calls seen to succeed");
            }
            // a call that arrived, but whose answer came back after the app's own read timeout, is one the app could not
            // see succeed: the machine was too slow to carry the answer back in time
            Map<Integer, String> failed = r.failedCalls();
            for (int call : r.deliveredCalls()) {
                String what = failed.getOrDefault(call, "");
                if (what.contains("SocketTimeoutException")) {
                    return Optional.of("cleanup call " + call + " reached the downstream, but its answer came after the app's "
                            + "own timeout (" + what + ")");
                }
            }
        }
        return Optional.empty();
    }

    /**
     * What the app saw succeed arrived; a call that arrived but that the app saw fail was answered after the app
     * stopped waiting (the sidecar exited with the answer in flight, or the app's own timeout ran out): the app saw it
     * fail, so nothing is claimed that did not happen.
     */
    private static void assertCallsAccountedFor(TerminationRun.Result r, String timeline) {
        assertThat(r.deliveredCalls()).as("every call the app saw succeed arrived%n%s", timeline).containsAll(r.okCalls());
        Set<Integer> notSeenOk = new TreeSet<>(r.deliveredCalls());
        notSeenOk.removeAll(r.okCalls());
        assertThat(r.failedCalls().keySet()).as("a call that arrived but was not seen to succeed was seen to fail%n%s",
                timeline).containsAll(notSeenOk);
    }

    @ParameterizedTest(name = "{0}, cleanup {1}, library={2}")
    @MethodSource("matrix")
    void podDeletion(String mode, Duration work, boolean library) throws Exception {
        boolean fitsWindow = work.plus(DELAY).plus(Duration.ofMillis(700)).compareTo(windowOf(mode)) < 0;
        boolean everyCall = library && OUTBOUND_SURVIVES.contains(mode) && (!FIXED_WINDOW.contains(mode) || fitsWindow);
        TerminationRun.Result r = conclusiveRun(mode + ", cleanup " + work + ", library=" + library, spec(mode, work, library),
                new Verdicts(!library && INBOUND_SURVIVES.contains(mode), library && INBOUND_SURVIVES.contains(mode), everyCall));
        String timeline = r.termination().toTimelineText();

        // Always: the app ends by SIGTERM well before the grace period, and what it saw succeed arrived.
        assertThat(r.appExitCode()).as(timeline).isEqualTo(143);
        assertThat(r.appExitMs()).as(timeline).isLessThan(Math.min(15_000, spec(mode, work, library).gracePeriod().toMillis()));
        assertCallsAccountedFor(r, timeline);

        if (library) {
            assertThat(r.report()).as("summary line printed%n%s", timeline).isNotEmpty();
            if (everyCall) {
                assertThat(r.cleanupDelivered()).as("every call delivered%n%s", timeline).isEqualTo(r.cleanupSent());
                assertThat(r.report()).as(timeline).contains("cleanup-calls=succeeded");
            }
            if (FIXED_WINDOW.contains(mode)) {
                // No call failed while the window was open: the library never lets one out too late to be forwarded
                // without saying so.
                assertThat(r.failedCallsMs()).as(timeline).allSatisfy(ms -> assertThat(ms).isGreaterThanOrEqualTo(
                        windowOf(mode).toMillis() - 150));
                if (!fitsWindow && r.cleanupDelivered() < r.cleanupSent()) {
                    assertThat(r.report()).as(timeline).containsPattern("cleanup-calls=(timed_out|skipped|failed)");
                }
            }
            if (!OUTBOUND_SURVIVES.contains(mode)) {
                assertThat(r.cleanupDelivered()).as(timeline).isZero();
                assertThat(r.report()).as("the report says why%n%s", timeline).contains("degraded")
                        .containsPattern("cleanup-calls=(failed|skipped|timed_out)");
            }
            if (RELEASED.contains(mode)) {
                assertThat(r.sidecarExitMs()).as("the sidecar ends with the app%n%s", timeline)
                        .isLessThanOrEqualTo(r.appExitMs() + 500);
                if (fitsWindow || !FIXED_WINDOW.contains(mode)) {
                    // (past the window Envoy is already gone when the app is done: nothing to release)
                    assertThat(r.report()).as(timeline).contains("sidecar_release=succeeded");
                }
            }
            if (mode.equals("NATIVE")) {
                // Native mode: pilot-agent stays ready during the app's exit, so the library leaves it to the kubelet.
                assertThat(r.report()).as(timeline).contains("not released").contains("sidecar_release=skipped");
                assertThat(r.sidecarExitMs()).as(timeline).isGreaterThanOrEqualTo(r.appExitMs());
            }
            if (INBOUND_SURVIVES.contains(mode)) {
                assertThat(r.inboundFailed()).as("no inbound request failed%n%s", timeline).isZero();
            }
        } else {
            // The known failures without the library.
            if (!OUTBOUND_SURVIVES.contains(mode)) {
                assertThat(r.cleanupDelivered()).as(timeline).isZero();
            }
            if (FIXED_WINDOW.contains(mode) && work.compareTo(windowOf(mode)) > 0) {
                assertThat(r.cleanupDelivered()).as("calls after the window are lost%n%s", timeline)
                        .isLessThan(r.cleanupSent());
                assertThat(r.failedCallsMs()).as(timeline).isNotEmpty();
            }
            if (FIXED_WINDOW.contains(mode) || mode.equals("ISTIO_1_5_LONG")) {
                assertThat(r.sidecarExitMs()).as("the sidecar waits out its whole window%n%s", timeline)
                        .isGreaterThanOrEqualTo(windowOf(mode).toMillis() - 100);
            }
            if (INBOUND_SURVIVES.contains(mode)) {
                assertThat(r.inboundFailed()).as("the plain hook stops serving while endpoints still route%n%s", timeline)
                        .isPositive();
            }
        }
    }

    // ---- Istio ambient: no proxy in the Pod (docs/sidecar-protocol.md §7) ----

    @ParameterizedTest(name = "AMBIENT, cleanup 1s, library={0}")
    @ValueSource(booleans = {false, true})
    void ambientPodDeletion(boolean library) throws Exception {
        TerminationRun.Result r = conclusiveRun("AMBIENT, library=" + library, spec("AMBIENT", Duration.ofMillis(1000), library),
                new Verdicts(!library, library, false));
        String timeline = r.termination().toTimelineText();

        assertThat(r.appExitCode()).as(timeline).isEqualTo(143);
        // ztunnel carries outbound until the last container exited: every cleanup call arrives either way.
        assertThat(r.cleanupDelivered()).as(timeline).isEqualTo(r.cleanupSent());
        ContainerTermination ztunnel = r.termination().sidecar().orElseThrow();
        assertThat(ztunnel.sigtermAt()).as("ztunnel forgets the Pod only after the app exited%n%s", timeline)
                .isGreaterThanOrEqualTo(r.termination().app().exitedAt());
        if (library) {
            // Readiness off and the propagation delay keep serving while endpoints forget the Pod...
            assertThat(r.inboundFailed()).as("no inbound request failed%n%s", timeline).isZero();
            // ...and nothing is asked of a sidecar that does not exist (the admin/agent URLs record any call).
            assertThat(r.adminCalls()).as("no admin or agent call in ambient mode%n%s", timeline).isZero();
            assertThat(r.report()).as(timeline).isNotEmpty();
        } else {
            // The app stops serving at SIGTERM while endpoints still route to it (istio/istio#58514).
            assertThat(r.inboundFailed()).as("inbound fails before endpoints forget the Pod%n%s", timeline)
                    .isPositive();
        }
    }

    // ---- Consul and Kuma: the other Envoy meshes (docs/sidecar-protocol.md §10) ----

    /**
     * A Consul or Kuma Pod deleted with and without the library; the library in {@code auto} mode finds the mesh on
     * its own ports. Neither sidecar can be ended early by the app in a service Pod: consul-dataplane shows no sign
     * of its SIGTERM (so nothing is released on a guess), kuma-dp waits out its drain time whatever Envoy does. What
     * the library adds is the inbound side (readiness off, delay, drain) and cleanup guarded by the mesh's window.
     */
    @ParameterizedTest(name = "{0}, cleanup 1s, library={1}")
    @MethodSource("otherEnvoyMeshes")
    void otherEnvoyMeshPodDeletion(String mode, boolean library) throws Exception {
        TerminationRun.Result r = conclusiveRun(mode + ", library=" + library, spec(mode, Duration.ofMillis(1000), library),
                new Verdicts(!library, library, library));
        String timeline = r.termination().toTimelineText();

        assertThat(r.appExitCode()).as(timeline).isEqualTo(143);
        assertCallsAccountedFor(r, timeline);
        // Nothing ends these sidecars before their window: the Pod lasts it.
        assertThat(r.sidecarExitMs()).as("the sidecar waits out its window%n%s", timeline)
                .isGreaterThanOrEqualTo(WINDOW.toMillis() - 100);
        if (library) {
            // 1 s of cleanup fits the 2 s window when it starts at once: every call arrives.
            assertThat(r.cleanupDelivered()).as(timeline).isEqualTo(r.cleanupSent());
            assertThat(r.report()).as(timeline).contains("cleanup-calls=succeeded")
                    .contains("sidecar_release=skipped");
            assertThat(r.inboundFailed()).as("no inbound request failed%n%s", timeline).isZero();
        } else {
            assertThat(r.inboundFailed()).as("the plain hook stops serving while endpoints still route%n%s", timeline)
                    .isPositive();
        }
    }

    static Stream<Arguments> otherEnvoyMeshes() {
        return Stream.of(Arguments.of("CONSUL", false), Arguments.of("CONSUL", true),
                Arguments.of("KUMA", false), Arguments.of("KUMA", true));
    }

    // ---- Jobs: restartPolicy Never, the app ends by itself ----

    /**
     * Job Pods. A CronJob creates one such Job per schedule, with the same Pod and the same labels
     * ({@code job-name}, {@code batch.kubernetes.io/job-name}): one row ({@code cronjob-auto}) is enough, and it
     * also checks that {@code SIDECAR_SHUTDOWN_WORKLOAD=auto} finds the Job from the Pod's labels.
     */
    static Stream<Arguments> jobs() {
        return Stream.of(
                Arguments.of("classic-library-exit0", "ISTIO_1_26", JobCompletionRun.Release.LIBRARY, "job", 0),
                Arguments.of("classic-library-exit3", "ISTIO_1_26", JobCompletionRun.Release.LIBRARY, "job", 3),
                Arguments.of("classic-no-release", "ISTIO_1_26", JobCompletionRun.Release.NONE, "", 0),
                Arguments.of("classic-shell-trap", "ISTIO_1_26", JobCompletionRun.Release.SHELL_TRAP, "", 0),
                Arguments.of("native-library", "NATIVE", JobCompletionRun.Release.LIBRARY, "job", 0),
                Arguments.of("native-no-library", "NATIVE", JobCompletionRun.Release.NONE, "", 0),
                Arguments.of("cronjob-auto", "ISTIO_1_26", JobCompletionRun.Release.LIBRARY, "auto", 0));
    }

    private static final Duration JOB_BOUND = Duration.ofSeconds(4);
    private static final String CRONJOB_LABELS = "batch.kubernetes.io/controller-uid=\"3c1e\"\n"
            + "batch.kubernetes.io/job-name=\"nightly-29403120\"\n"
            + "controller-uid=\"3c1e\"\njob-name=\"nightly-29403120\"\n";

    @ParameterizedTest(name = "Job {0}")
    @MethodSource("jobs")
    void jobPodCompletion(String row, String mode, JobCompletionRun.Release release, String workload, int exitCode)
            throws Exception {
        JobCompletionRun.Result r = JobCompletionRun.run(new JobCompletionRun.Spec(mode, release, workload,
                workload.equals("auto") ? CRONJOB_LABELS : "", Duration.ofMillis(300), exitCode, 2, JOB_BOUND));
        JobRun run = r.run();
        String timeline = run.toTimelineText();

        // The job ends by itself with its own exit code, whatever happens to the sidecar.
        assertThat(run.appExitCode()).as(timeline).hasValue(exitCode);
        if (release == JobCompletionRun.Release.NONE && !mode.equals("NATIVE")) {
            // The classic sidecar never exits by itself: the Job never completes.
            assertThat(run.phase()).as(timeline).isEqualTo(PodPhase.RUNNING);
            assertThat(run.completedAt()).as(timeline).isEmpty();
            return;
        }
        assertThat(run.phase()).as(timeline).isEqualTo(exitCode == 0 ? PodPhase.SUCCEEDED : PodPhase.FAILED);
        // "Right after the app": well within the bound, nothing waits out a drain window (2 s here).
        assertThat(run.completionGap()).as(timeline).hasValueSatisfying(
                gap -> assertThat(gap).isLessThan(Duration.ofMillis(1500)));
        if (release == JobCompletionRun.Release.LIBRARY) {
            assertThat(r.cleanupDelivered()).as("the cleanup ran at exit, through the sidecar%n%s", timeline)
                    .isEqualTo(2);
        }
        if (mode.equals("NATIVE")) {
            // The kubelet stops a native sidecar: a quit would only get it restarted while the Pod runs.
            assertThat(r.adminQuits() + r.agentQuits()).as("no release of a native sidecar%n%s", timeline).isZero();
            assertThat(run.sidecar().orElseThrow().sigtermAt()).as(timeline).isNotNull();
        } else if (release == JobCompletionRun.Release.LIBRARY) {
            assertThat(r.adminQuits()).as("released through Envoy's admin%n%s", timeline).isEqualTo(1);
            assertThat(run.sidecar().orElseThrow().sigtermAt()).as(timeline).isNull();
        } else {
            assertThat(r.agentQuits()).as("released by the trap%n%s", timeline).isEqualTo(1);
        }
    }

    private static Duration windowOf(String mode) {
        return mode.equals("ISTIO_1_5_LONG") ? Duration.ofSeconds(6) : WINDOW;
    }
}
