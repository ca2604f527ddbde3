package io.github.sidecarshutdown.testkit.scenario;

import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.testkit.scenario.CaseObservation.CallView;
import io.github.sidecarshutdown.testkit.scenario.CaseObservation.PhaseView;
import io.github.sidecarshutdown.testkit.scenario.CaseObservation.ProblemView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Whether a run did what its plan said (issue 21): the sidecar calls, each problem against what
 * happened, and each fix against the rerun. What happened is judged from the emulated sidecar and
 * the report alone, never from the plan:
 * <ul>
 *   <li><b>window cut</b>: the cleanup call did not succeed, and the sidecar's outbound ended (Envoy
 *       killed or quit) by the time the task ended;</li>
 *   <li><b>deadline hit</b>: a phase was skipped at the deadline, or a task was cut when the work
 *       deadline came (the budget minus the release call's time);</li>
 *   <li><b>outlived</b>: in a deletion, the sidecar had not exited when the grace period ran out
 *       (the kubelet SIGKILLs it);</li>
 *   <li><b>released</b>: the app's release call ended the sidecar, sooner than it would have ended on
 *       its own;</li>
 *   <li><b>Job never completes</b>: at a Job's end, a classic sidecar still runs.</li>
 * </ul>
 * The plan's window problems are about a deletion, so they are checked in deletion runs; a Job that
 * completes shares its plan with the same Job deleted, whose run checks them.
 */
final class Agreement {

    static final String CLEANUP_EXCEEDS_WINDOW = "cleanup-exceeds-window";
    static final String GRACE_SHORTER_THAN_WINDOW = "grace-shorter-than-window";
    static final String WINDOW_EXCEEDS_GRACE = "window-exceeds-grace";
    static final String PLAN_EXCEEDS_GRACE = "plan-exceeds-grace";
    /**
     * Not raised by the plan yet (the linter's {@code job-release-disabled}): a Job whose classic
     * sidecar nothing releases never completes. Named here so that the cases keep asking for it.
     */
    static final String JOB_SIDECAR_NOT_RELEASED = "job-release-disabled";

    private static final Set<String> KINDS = Set.of(CLEANUP_EXCEEDS_WINDOW, GRACE_SHORTER_THAN_WINDOW, WINDOW_EXCEEDS_GRACE,
            PLAN_EXCEEDS_GRACE, JOB_SIDECAR_NOT_RELEASED);

    /** Timings too close to call on this run: the case is reported inconclusive, not failed. */
    static final class Inconclusive extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Inconclusive(String message) {
            super(message);
        }
    }

    /** What happened in one run. */
    record Happened(boolean cut, boolean windowCut, boolean deadlineHit, boolean outlived, boolean released, boolean jobHang) {
    }

    private Agreement() {
    }

    /** Every way the run and its plan disagree, and every fix that does not do what it says; empty when they agree. */
    static List<String> disagreements(CaseObservation o, Function<PodCase, CaseObservation> rerun) {
        if (o.error() != null) {
            return List.of("the case did not run: " + o.error());
        }
        List<String> out = new ArrayList<>();
        PodCase c = o.pod();
        Set<String> kinds = o.plan().kinds();
        for (String k : kinds) {
            if (!KINDS.contains(k)) {
                out.add("the plan raised a problem of kind '" + k + "', which this test does not know how to check");
            }
        }

        // 1. The calls the run made are exactly those the plan named for the states the sidecar showed.
        List<String> expected = expectedCalls(o);
        if (!o.appCalls().equals(expected)) {
            out.add("calls: the plan names " + expected + " for a sidecar that was " + quietly(() -> drainState(o))
                    + " at inbound_drain and " + quietly(() -> releaseState(o)) + " at sidecar_release, but the run made " + o.appCalls());
        }
        // The linter's view of the same Pod (its annotations) is the coordinator's.
        if (!o.podPlan().calls().equals(o.plan().calls())) {
            out.add("ShutdownPlan.forPod names calls " + o.podPlan().calls() + ", coordinator.plan() " + o.plan().calls());
        }
        if (!fixes(o.podPlan().problems()).equals(fixes(o.plan().problems()))) {
            out.add("ShutdownPlan.forPod raises " + fixes(o.podPlan().problems()) + ", coordinator.plan() " + fixes(o.plan().problems()));
        }

        // 2. Each problem happened, and nothing happened that the plan did not warn about.
        Happened h = happened(o);
        List<String> promisedCalls = expected.stream().filter(releaseCalls(o)::contains).toList();
        boolean promised = !promisedCalls.isEmpty();
        boolean promisedOnDeletion = releaseNamedFor(o, c.mesh().signalShowsAfter() != null ? "terminating" : "live");
        if (h.cut() && !h.windowCut() && !h.deadlineHit()) {
            out.add("the cleanup was cut (" + o.cleanup() + ") neither by the sidecar's window nor by the deadline");
        }
        if (kinds.contains(PLAN_EXCEEDS_GRACE) != h.deadlineHit()) {
            out.add(kinds.contains(PLAN_EXCEEDS_GRACE) ? "the plan warns " + PLAN_EXCEEDS_GRACE + ", but no phase or task was cut at the deadline"
                    : "work was cut at the deadline, but the plan does not warn " + PLAN_EXCEEDS_GRACE);
        }
        if (promised != h.released()) {
            out.add(promised ? "the plan promises the release (" + promisedCalls + "), but the sidecar did not end when the app was done"
                    + " (it exited at " + o.exitMs() + " ms, on its own at " + c.naturalEnd().toMillis() + " ms)"
                    : "the sidecar was released, but the plan names no release for it");
        }
        if (h.windowCut() && !kinds.contains(CLEANUP_EXCEEDS_WINDOW)) {
            out.add("the sidecar's window cut the cleanup (" + o.cleanup() + "), but the plan does not warn " + CLEANUP_EXCEEDS_WINDOW);
        }
        if (c.end().deletion) {
            if (kinds.contains(CLEANUP_EXCEEDS_WINDOW) && !h.windowCut()) {
                out.add("the plan warns " + CLEANUP_EXCEEDS_WINDOW + ", but the cleanup was delivered or not cut by the window ("
                        + o.cleanup() + ")");
            }
            if (kinds.contains(WINDOW_EXCEEDS_GRACE) && !h.outlived()) {
                out.add("the plan warns " + WINDOW_EXCEEDS_GRACE + ", but the sidecar exited at " + o.exitMs() + " ms, before the grace period");
            }
            boolean explained = kinds.contains(WINDOW_EXCEEDS_GRACE) || (kinds.contains(GRACE_SHORTER_THAN_WINDOW) && !h.released())
                    || (kinds.contains(PLAN_EXCEEDS_GRACE) && promisedOnDeletion && !h.released());
            if (h.outlived() && !explained) {
                out.add("the sidecar outlived the grace period (exited " + o.exitMs() + " ms after the deletion, grace "
                        + c.grace().toMillis() + " ms): the kubelet SIGKILLs it, and the plan does not warn");
            }
            // The premise of grace-shorter-than-window: released on deletion, a window longer than the grace period.
            boolean premise = c.mesh().annotatedWindow() && promisedOnDeletion && c.naturalEnd().compareTo(c.grace()) > 0;
            if (kinds.contains(GRACE_SHORTER_THAN_WINDOW) != premise) {
                out.add(kinds.contains(GRACE_SHORTER_THAN_WINDOW) ? "the plan warns " + GRACE_SHORTER_THAN_WINDOW
                        + ", but a sidecar it releases on deletion with a window of " + c.naturalEnd().toSeconds() + " s fits grace "
                        + c.grace().toSeconds() + " s, or it is not released" : "the sidecar is released on deletion but its window ("
                        + c.naturalEnd().toSeconds() + " s) outlasts the grace period (" + c.grace().toSeconds()
                        + " s), and the plan does not warn " + GRACE_SHORTER_THAN_WINDOW);
            }
        }
        if (kinds.contains(JOB_SIDECAR_NOT_RELEASED) && c.end() == PodCase.End.SERVICE_DELETED) {
            out.add("a service's plan raises " + JOB_SIDECAR_NOT_RELEASED);
        }
        // Kuma's control plane ends a finished Job's sidecar, which the emulator does not stand for: no check either way.
        if (c.end() == PodCase.End.JOB_COMPLETES && c.mesh() != PodCase.Mesh.KUMA && h.jobHang() != kinds.contains(JOB_SIDECAR_NOT_RELEASED)) {
            out.add(h.jobHang() ? "the Job's app is done but its " + c.mesh() + " sidecar still runs (not exited "
                    + (o.observedUntilMs() - o.appEndMs()) + " ms after the app): the Job never completes, and the plan raises no problem "
                    + "(as the linter's " + JOB_SIDECAR_NOT_RELEASED + " does; expected kind '" + JOB_SIDECAR_NOT_RELEASED + "')"
                    : "the plan raises " + JOB_SIDECAR_NOT_RELEASED + ", but the Job's sidecar ended");
        }

        // 3. Each fix names something that changes the outcome: applied and rerun, its problem is gone.
        for (ProblemView p : o.plan().problems()) {
            out.addAll(checkFix(o, p, rerun));
        }
        return out;
    }

    /** The case each problem's fix leads to, for the runs the fix checks need. */
    static List<PodCase> fixedCases(CaseObservation o) {
        List<PodCase> out = new ArrayList<>();
        for (ProblemView p : o.plan().problems()) {
            try {
                PodCase f = o.pod().withFix(p.fixAnnotations(), p.fixSettings(), p.fixGrace());
                if (!f.equals(o.pod())) {
                    out.add(f);
                }
            } catch (IllegalArgumentException e) {
                // reported by checkFix
            }
        }
        return out;
    }

    private static List<String> checkFix(CaseObservation o, ProblemView p, Function<PodCase, CaseObservation> rerun) {
        PodCase fixed;
        try {
            fixed = o.pod().withFix(p.fixAnnotations(), p.fixSettings(), p.fixGrace());
        } catch (IllegalArgumentException e) {
            return List.of("fix of " + p.kind() + " (" + p.text() + "): " + e.getMessage());
        }
        if (fixed.equals(o.pod())) {
            return List.of("fix of " + p.kind() + " changes nothing this Pod reads: " + p.text());
        }
        CaseObservation f = rerun.apply(fixed);
        if (f == null || f.error() != null) {
            return List.of("fix of " + p.kind() + ": the rerun (" + fixed.label() + ") did not run" + (f == null ? "" : ": " + f.error()));
        }
        List<String> out = new ArrayList<>();
        if (f.plan().kinds().contains(p.kind())) {
            out.add("fix of " + p.kind() + " applied (" + fixed.label() + "), the plan still raises it: " + f.plan().rendered());
        }
        Happened h = happened(f);
        boolean deletion = fixed.end().deletion;
        boolean stays = switch (p.kind()) {
            case CLEANUP_EXCEEDS_WINDOW -> h.windowCut();
            case WINDOW_EXCEEDS_GRACE, GRACE_SHORTER_THAN_WINDOW -> deletion && h.outlived();
            case PLAN_EXCEEDS_GRACE -> h.deadlineHit();
            case JOB_SIDECAR_NOT_RELEASED -> fixed.end() == PodCase.End.JOB_COMPLETES && h.jobHang();
            default -> false;
        };
        if (stays) {
            out.add("fix of " + p.kind() + " applied (" + fixed.label() + "), what it warned about still happened: " + f.describe());
        }
        return out;
    }

    /** The plan's calls, filtered to the states the sidecar showed when each phase made its decision. */
    static List<String> expectedCalls(CaseObservation o) {
        List<String> out = new ArrayList<>();
        for (CallView c : o.plan().calls()) {
            // Asked only for a phase the plan names a call in: a sidecar gone at once is no question for a drain it never gets.
            String state = c.phase().equals(ShutdownPhase.INBOUND_DRAIN.tagValue()) ? drainState(o)
                    : c.phase().equals(ShutdownPhase.SIDECAR_RELEASE.tagValue()) ? releaseState(o) : "?";
            if (c.when().contains(state)) {
                out.add(c.call());
            }
        }
        return out;
    }

    private static String quietly(java.util.function.Supplier<String> state) {
        try {
            return state.get();
        } catch (Inconclusive e) {
            return "(not to be told)";
        }
    }

    private static Set<String> releaseCalls(CaseObservation o) {
        return o.plan().calls().stream().filter(c -> c.phase().equals(ShutdownPhase.SIDECAR_RELEASE.tagValue()))
                .map(CallView::call).collect(Collectors.toSet());
    }

    private static boolean releaseNamedFor(CaseObservation o, String state) {
        return o.plan().calls().stream().anyMatch(c -> c.phase().equals(ShutdownPhase.SIDECAR_RELEASE.tagValue()) && c.when().contains(state));
    }

    /** The sidecar's state when inbound_drain asked it, from the scenario and the sidecar's events. */
    static String drainState(CaseObservation o) {
        PhaseView p = o.phase(ShutdownPhase.INBOUND_DRAIN);
        return stateAt(o, p == null ? o.appStartMs() : p.startMs());
    }

    /** The sidecar's state when sidecar_release asked it. */
    static String releaseState(CaseObservation o) {
        PhaseView p = o.phase(ShutdownPhase.SIDECAR_RELEASE);
        return stateAt(o, p == null ? o.appEndMs() : p.startMs());
    }

    private static String stateAt(CaseObservation o, long atMs) {
        PodCase c = o.pod();
        if (c.mesh() == PodCase.Mesh.NONE) {
            return "absent";
        }
        if (c.mesh() == PodCase.Mesh.AMBIENT) {
            return "live"; // ztunnel carries the Pod until its last container exited
        }
        long ownEnd = ownOutboundEnd(o);
        if (ownEnd >= 0) {
            if (Math.abs(ownEnd - atMs) < 100) {
                throw new Inconclusive("the sidecar's outbound ended " + ownEnd + " ms after the deletion, within 100 ms of the "
                        + "phase's question at " + atMs + " ms: which answer it got cannot be told");
            }
            if (ownEnd < atMs) {
                return "gone";
            }
        }
        if (!c.end().deletion || c.mesh().signalShowsAfter() == null) {
            return "live";
        }
        long shows = c.mesh().signalShowsAfter().toMillis();
        if (shows == 0) {
            return "terminating";
        }
        // Linkerd's and Dapr's not-ready counts once it lasted, from the app's first probe at its start.
        long lasted = atMs - o.appStartMs();
        if (lasted >= shows + 300) {
            return "terminating";
        }
        if (lasted <= shows - 100) {
            return "unknown";
        }
        throw new Inconclusive("the sidecar's not-ready had lasted " + lasted + " ms when asked: too close to " + shows + " ms to tell");
    }

    /**
     * When the sidecar stopped forwarding on its own (its window ran out), or -1: not the end the
     * app's release call caused, nor the kubelet's stop after the app.
     */
    private static long ownOutboundEnd(CaseObservation o) {
        long end = o.outboundEndMs();
        boolean own = end >= 0 && (o.kubeletStopMs() < 0 || end < o.kubeletStopMs()) && (o.releaseCallMs() < 0 || end < o.releaseCallMs());
        return own ? end : -1;
    }

    /** What happened in the run, from the emulator and the report. */
    static Happened happened(CaseObservation o) {
        PodCase c = o.pod();
        boolean cut = !o.cleanup().succeeded();
        long ownEnd = ownOutboundEnd(o);
        boolean sidecarEnded = c.end().deletion && c.mesh().windowEndsOutbound() && ownEnd >= 0 && ownEnd <= o.cleanup().endMs() + 500;
        // Consul's SIGTERM cannot be seen, so the library takes its window to run from the app's
        // shutdown in every run (docs/sidecar-states.md, "Consul"): a cut at that window's end is the window's.
        long assumedEnd = o.appStartMs() + c.effectiveWindow().toMillis();
        boolean assumedWindowEnded = c.mesh() == PodCase.Mesh.CONSUL
                && o.cleanup().endMs() >= assumedEnd - 300 && o.cleanup().endMs() <= assumedEnd + 500;
        boolean windowCut = cut && (sidecarEnded || assumedWindowEnded);
        long workDeadline = o.appStartMs() + c.grace().minus(PodCase.SAFETY_MARGIN).minus(PodCase.ADMIN_TIMEOUT).toMillis();
        boolean deadlineHit = o.phases().stream().anyMatch(p -> p.outcome().equals("skipped") && p.detail().contains("deadline"))
                || (cut && !windowCut && o.cleanup().endMs() >= workDeadline - 150)
                || (!o.releaseTask().succeeded() && o.releaseTask().endMs() >= workDeadline - 150);
        boolean outlived = false;
        if (c.end().deletion && c.mesh() != PodCase.Mesh.NONE) {
            if (o.exitMs() < 0 && o.observedUntilMs() < c.grace().toMillis()) {
                throw new Inconclusive("the sidecar was watched only until " + o.observedUntilMs() + " ms");
            }
            outlived = o.exitMs() < 0 || o.exitMs() >= c.grace().toMillis();
        }
        boolean released = o.releaseCallMs() >= 0 && o.exitMs() >= 0
                && o.exitMs() <= o.releaseCallMs() + c.quitTime().toMillis() + 1000
                && (!c.end().deletion || !c.mesh().classic() || o.exitMs() < c.naturalEnd().toMillis() - 500);
        boolean jobHang = c.end() == PodCase.End.JOB_COMPLETES && c.mesh().keepsAJobRunning() && o.exitMs() < 0;
        return new Happened(cut, windowCut, deadlineHit, outlived, released, jobHang);
    }

    private static Map<String, String> fixes(List<ProblemView> problems) {
        return problems.stream().collect(Collectors.toMap(ProblemView::kind, ProblemView::fixValues, (a, b) -> a + " | " + b,
                java.util.TreeMap::new));
    }
}
