package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.Workload;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarState;
import io.github.sidecarshutdown.sidecar.WindowKnob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plan, from the phase objects the run uses (docs/timeline.md): each phase says what it will do
 * ({@link PropagationDelay#plan()}, {@link InboundDrain#plan}, {@link SidecarRelease#plan}), the task
 * phases say what their tasks need at most, and what cannot fit is a {@link ShutdownPlan.Problem}
 * whose fix names the setting that changes it. Every fix that asks for a grace period asks for the
 * same one, the longest any problem needs. Pure: asks the sidecar nothing.
 */
final class Planner {

    private Planner() {
    }

    /** The phase objects of one sequence, as the plan and the run share them. */
    record Phases(TaskPhase tasks, PropagationDelay delay, InboundDrain drain, SidecarRelease release) {
    }

    static ShutdownPlan plan(ShutdownSettings s, Phases p, SidecarFacts facts, List<String> notes) {
        TaskPhase tasks = p.tasks();
        List<ShutdownPlan.Step> steps = new ArrayList<>();
        List<ShutdownPlan.SidecarCall> calls = new ArrayList<>();
        steps.add(new ShutdownPlan.Step(ShutdownPhase.READINESS_OFF, Duration.ZERO, Duration.ZERO, false, "readiness reports not-ready"));

        Duration delay = s.propagationDelay();
        steps.add(new ShutdownPlan.Step(ShutdownPhase.PROPAGATION_DELAY, Duration.ZERO, delay, false, p.delay().plan()));

        Duration early = tasks.budget(ShutdownPhase.EARLY_OUTBOUND, s);
        steps.add(new ShutdownPlan.Step(ShutdownPhase.EARLY_OUTBOUND, Duration.ZERO, early, tasks.needsSidecar(ShutdownPhase.EARLY_OUTBOUND),
                tasks.names(ShutdownPhase.EARLY_OUTBOUND)));

        Duration drainStart = Durations.max(delay, early);
        Duration drainEnd = drainStart.plus(Durations.max(s.drainTimeout(), tasks.budget(ShutdownPhase.INBOUND_DRAIN, s)));
        PlannedPhase drain = p.drain().plan(tasks.names(ShutdownPhase.INBOUND_DRAIN));
        steps.add(new ShutdownPlan.Step(ShutdownPhase.INBOUND_DRAIN, drainStart, drainEnd, false, drain.what()));
        calls.addAll(drain.calls());

        Duration cleanup = tasks.budget(ShutdownPhase.CLEANUP, s);
        if (s.cleanupBudget().isPresent()) {
            cleanup = Durations.min(cleanup, s.cleanupBudget().get());
        }
        Duration cleanupEnd = drainEnd.plus(cleanup);
        steps.add(new ShutdownPlan.Step(ShutdownPhase.CLEANUP, drainEnd, cleanupEnd, tasks.needsSidecar(ShutdownPhase.CLEANUP),
                tasks.names(ShutdownPhase.CLEANUP)));

        Duration releaseEnd = cleanupEnd.plus(tasks.budget(ShutdownPhase.RELEASE, s));
        steps.add(new ShutdownPlan.Step(ShutdownPhase.RELEASE, cleanupEnd, releaseEnd, false, tasks.names(ShutdownPhase.RELEASE)));

        PlannedPhase release = p.release().plan(facts);
        Duration end = p.release().mayCall(facts) ? releaseEnd.plus(s.adminTimeout()) : releaseEnd;
        steps.add(new ShutdownPlan.Step(ShutdownPhase.SIDECAR_RELEASE, releaseEnd, end, false, release.what()));
        calls.addAll(release.calls());

        Duration lastOutbound = Duration.ZERO;
        if (tasks.needsSidecar(ShutdownPhase.EARLY_OUTBOUND)) {
            lastOutbound = early;
        }
        if (tasks.needsSidecar(ShutdownPhase.CLEANUP)) {
            lastOutbound = Durations.max(lastOutbound, cleanupEnd);
        }
        List<ShutdownPlan.Problem> problems = problems(s, p.release(), facts, lastOutbound, end);
        return new ShutdownPlan(s.budget(), s.gracePeriod(), facts, steps, problems, notes, calls, s.workload());
    }

    private static List<ShutdownPlan.Problem> problems(ShutdownSettings s, SidecarRelease release, SidecarFacts facts,
            Duration lastOutbound, Duration end) {
        List<ShutdownPlan.Problem> problems = new ArrayList<>();
        Optional<Duration> window = facts.guaranteedWindow();
        boolean bounded = window.isPresent() && !facts.exitOnZeroActiveConnections();
        boolean releasedOnDeletion = release.releasesOnDeletion(facts);
        long margin = ceilSeconds(s.safetyMargin());
        String knob = facts.windowName();

        // The grace period every grace fix names: the longest any problem needs.
        long grace = 0;
        boolean graceTooShortForWindow = bounded && releasedOnDeletion && s.gracePeriod().compareTo(window.get()) < 0;
        if (graceTooShortForWindow) {
            grace = Math.max(grace, ceilSeconds(window.get()) + margin);
        }
        boolean overBudget = end.compareTo(s.budget()) > 0;
        if (overBudget) {
            grace = Math.max(grace, ceilSeconds(end) + margin);
        }
        boolean windowOutlastsGrace = bounded && !releasedOnDeletion && window.get().compareTo(s.gracePeriod()) >= 0;
        long needed = Math.max(1, ceilSeconds(lastOutbound) + 1);
        if (windowOutlastsGrace && Duration.ofSeconds(needed).plusSeconds(margin).compareTo(s.gracePeriod()) > 0) {
            // The app needs so much of the window that lowering it cannot fit either: the grace period must grow.
            grace = Math.max(grace, ceilSeconds(window.get()) + margin);
        }

        // 1. The sidecar's window must cover the last outbound call.
        if (bounded && lastOutbound.compareTo(window.get()) > 0) {
            long want = ceilSeconds(lastOutbound) + 1;
            String why;
            java.util.Map<String, String> settings = Map.of();
            if (releasedOnDeletion) {
                why = " (the library releases the sidecar as soon as the app is done, so a long window costs nothing)";
            } else if (!s.releaseSidecar() && wouldReleaseIfEnabled(s, release, facts)) {
                why = " and set " + s.nameOf(Setting.RELEASE_SIDECAR) + "=true so that the Pod does not wait for the whole window";
                settings = Map.of(Setting.RELEASE_SIDECAR.envName(), "true");
            } else {
                why = " (the Pod then lasts that long after SIGTERM: nothing ends this sidecar early)";
            }
            problems.add(new ShutdownPlan.Problem("cleanup-exceeds-window", "Outbound cleanup may run until "
                    + Durations.format(lastOutbound) + " after SIGTERM, but the sidecar forwards only for " + knob + "="
                    + Durations.format(window.get()) + "; later calls would fail or be skipped.",
                    knobFix(facts, want, why, settings)));
        }
        // 2. The grace period against the sidecar's window.
        if (graceTooShortForWindow) {
            problems.add(new ShutdownPlan.Problem("grace-shorter-than-window", "grace-period=" + Durations.format(s.gracePeriod())
                    + " (terminationGracePeriodSeconds) is shorter than " + knob + "=" + Durations.format(window.get())
                    + ": should the release not happen, the kubelet SIGKILLs the Pod before the window ends.", graceFix(s, grace, knob)));
        } else if (windowOutlastsGrace) {
            String problem = "Nothing ends this sidecar early (" + release.plan(facts).what() + "), so every Pod deletion lasts "
                    + knob + "=" + Durations.format(window.get()) + ", and grace-period=" + Durations.format(s.gracePeriod())
                    + " (terminationGracePeriodSeconds) is not longer: the kubelet's SIGKILL ends every deletion.";
            if (Duration.ofSeconds(needed).plusSeconds(margin).compareTo(s.gracePeriod()) <= 0 && facts.knob().isPresent()) {
                problems.add(new ShutdownPlan.Problem("window-exceeds-grace", problem,
                        knobFix(facts, needed, " (what the app needs of it; the Pod then also ends sooner)", Map.of())));
            } else {
                problems.add(new ShutdownPlan.Problem("window-exceeds-grace", problem, graceFix(s, grace, knob)));
            }
        }
        // 3. A Job's classic sidecar that only the library would end: with the release off the Job never completes.
        if (s.workload() == Workload.JOB && !s.releaseSidecar() && !facts.meshEndsJobSidecar()
                && ReleaseRule.decide(true, Workload.JOB, facts.terminationVisible(), release.sidecar(), SidecarState.LIVE)
                        .verdict() == ReleaseRule.Verdict.RELEASE) {
            problems.add(new ShutdownPlan.Problem("job-release-disabled", s.nameOf(Setting.RELEASE_SIDECAR)
                    + "=false in a Job: nothing ends the " + facts.label() + " sidecar once the app is done, so the Pod keeps "
                    + "running and the Job never completes.", new ShutdownPlan.Fix("set " + s.nameOf(Setting.RELEASE_SIDECAR)
                    + "=true (the library then ends the sidecar after the app's last call)", Map.of(),
                    Map.of(Setting.RELEASE_SIDECAR.envName(), "true"), Optional.empty())));
        }
        // 4. The whole plan must fit the budget.
        if (overBudget) {
            problems.add(new ShutdownPlan.Problem("plan-exceeds-grace", "The plan may need " + Durations.format(end) + " but grace-period="
                    + Durations.format(s.gracePeriod()) + " minus safety-margin=" + Durations.format(s.safetyMargin()) + " leaves "
                    + Durations.format(s.budget()) + "; the last phases would be skipped.", graceFix(s, grace,
                    "propagation-delay, drain-timeout or task timeouts")));
        }
        return problems;
    }

    private static boolean wouldReleaseIfEnabled(ShutdownSettings s, SidecarRelease release, SidecarFacts facts) {
        return ReleaseRule.decide(true, s.workload(), facts.terminationVisible(), release.sidecar(),
                ReleaseRule.duringDeletion(facts.terminationVisible())).verdict() == ReleaseRule.Verdict.RELEASE;
    }

    private static ShutdownPlan.Fix knobFix(SidecarFacts facts, long seconds, String why, Map<String, String> settings) {
        if (facts.knob().isEmpty()) {
            return new ShutdownPlan.Fix("give the sidecar a window of at least " + seconds + "s" + why, Map.of(), settings,
                    Optional.empty());
        }
        WindowKnob k = facts.knob().get();
        return new ShutdownPlan.Fix("annotate the Pod with " + k.describe(seconds) + why, k.annotations(seconds), settings,
                Optional.empty());
    }

    private static ShutdownPlan.Fix graceFix(ShutdownSettings s, long seconds, String orLower) {
        return new ShutdownPlan.Fix("set terminationGracePeriodSeconds: " + seconds + " (and " + s.nameOf(Setting.GRACE_PERIOD)
                + " to match), or lower " + orLower, Map.of(), Map.of(Setting.GRACE_PERIOD.envName(), seconds + "s"),
                Optional.of(Duration.ofSeconds(seconds)));
    }

    static long ceilSeconds(Duration d) {
        long s = d.getSeconds();
        return d.getNano() > 0 ? s + 1 : s;
    }
}
