package io.github.sidecarshutdown.testkit.scenario;

import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownPlan;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What one run of a {@link PodCase} showed: the plan (from the coordinator, and from the Pod's
 * annotations as the linter plans it), and what happened against the emulated sidecar, with every
 * time in milliseconds from the Pod's deletion (or, for a Job that completes, from the app's
 * shutdown). Serializable, so that a worker JVM can hand it back.
 *
 * @param pod            the case
 * @param error          what went wrong running it, or null
 * @param plan           {@code coordinator.plan()}
 * @param podPlan        {@code ShutdownPlan.forPod} for the same settings and annotations
 * @param appCalls       the calls the app made that change the sidecar (POSTs), as {@code METHOD path?query}
 * @param cleanup        the cleanup task through the sidecar
 * @param releaseTask    the local release-phase task
 * @param phases         every phase of the report
 * @param reportReleased {@code report.sidecarReleased()}
 * @param summary        the report's summary line
 * @param appStartMs     when {@code shutdown()} was called
 * @param appEndMs       when it returned
 * @param outboundEndMs  when the sidecar stopped forwarding (Envoy killed or exited, the proxy exited), or -1
 * @param exitMs         when the sidecar container exited, or -1 if not by {@code observedUntilMs}
 * @param observedUntilMs when the observation ended
 * @param releaseCallMs  when the app's release call reached the sidecar, or -1
 * @param kubeletStopMs  when the kubelet stopped a sidecar it stops only after the app (native, ztunnel), or -1
 * @param events         the emulator's events, for messages
 */
record CaseObservation(
        PodCase pod,
        @Nullable String error,
        PlanView plan,
        PlanView podPlan,
        List<String> appCalls,
        TaskView cleanup,
        TaskView releaseTask,
        List<PhaseView> phases,
        boolean reportReleased,
        String summary,
        long appStartMs,
        long appEndMs,
        long outboundEndMs,
        long exitMs,
        long observedUntilMs,
        long releaseCallMs,
        long kubeletStopMs,
        String events) implements Serializable {

    private static final long serialVersionUID = 1L;

    static CaseObservation failed(PodCase pod, String error) {
        PlanView none = new PlanView(List.of(), List.of(), "");
        TaskView no = new TaskView("none", -1, -1, "");
        return new CaseObservation(pod, error, none, none, List.of(), no, no, List.of(), false, "", -1, -1, -1, -1, -1, -1, -1, "");
    }

    /** A sidecar call of the plan: phase tag, call, states (lower case). */
    record CallView(String phase, String call, Set<String> when) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** A problem of the plan, with its fix as values. */
    record ProblemView(String kind, String text, Map<String, String> fixAnnotations, Map<String, String> fixSettings,
            @Nullable Duration fixGrace) implements Serializable {
        private static final long serialVersionUID = 1L;

        /** The fix as comparable values: what a tool would apply. */
        String fixValues() {
            return fixAnnotations + " " + fixSettings + " " + fixGrace;
        }
    }

    /** A plan, as values. */
    record PlanView(List<CallView> calls, List<ProblemView> problems, String rendered) implements Serializable {
        private static final long serialVersionUID = 1L;

        static PlanView of(ShutdownPlan plan) {
            List<CallView> calls = new ArrayList<>();
            for (ShutdownPlan.SidecarCall c : plan.calls()) {
                calls.add(new CallView(c.phase().tagValue(), c.call(),
                        c.when().stream().map(s -> s.name().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet())));
            }
            List<ProblemView> problems = new ArrayList<>();
            for (ShutdownPlan.Problem p : plan.problems()) {
                Optional<Duration> g = p.fix().gracePeriod();
                problems.add(new ProblemView(p.kind(), p.text(), Map.copyOf(p.fix().podAnnotations()), Map.copyOf(p.fix().settings()),
                        g.orElse(null)));
            }
            return new PlanView(List.copyOf(calls), List.copyOf(problems), plan.render());
        }

        Set<String> kinds() {
            return problems.stream().map(ProblemView::kind).collect(Collectors.toUnmodifiableSet());
        }
    }

    /** A task of the report. */
    record TaskView(String outcome, long startMs, long endMs, String reason) implements Serializable {
        private static final long serialVersionUID = 1L;

        boolean succeeded() {
            return outcome.equals("succeeded");
        }
    }

    /** A phase of the report, with its start and end from the app's shutdown start. */
    record PhaseView(String phase, String outcome, long startMs, long endMs, String detail) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    @Nullable PhaseView phase(ShutdownPhase p) {
        return phases.stream().filter(v -> v.phase().equals(p.tagValue())).findFirst().orElse(null);
    }

    /** What a failure message should carry: the case, the plan, the report, the sidecar's events. */
    String describe() {
        return pod.label() + "\n" + plan.rendered() + "\n  report: " + summary + "\n  app calls: " + appCalls
                + "\n  times (ms from the deletion or the app's end): app " + appStartMs + ".." + appEndMs + ", outbound ended "
                + outboundEndMs + ", sidecar exited " + exitMs + " (observed until " + observedUntilMs + "), release call " + releaseCallMs
                + ", kubelet stop " + kubeletStopMs + "\n  cleanup: " + cleanup + "\n  phases: " + phases + "\n  sidecar events: " + events;
    }
}
