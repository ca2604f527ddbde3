package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.Json;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The budget of a shutdown, computed from the settings, the registered tasks and what the sidecar
 * says about itself: when each phase may start and end at the latest, against the sidecar's
 * outbound window and the grace period, with a warning and its exact fix for everything that
 * cannot fit. Logged once at {@link ShutdownCoordinator#install()}.
 *
 * @param budget      grace period minus safety margin
 * @param gracePeriod the configured grace period
 * @param facts       what is known about the sidecar
 * @param steps       phases with their latest start and end, from SIGTERM
 * @param warnings    what cannot fit, each with its fix
 * @param workload    the workload ({@code job}: the app's exit is the Pod's end)
 */
public record ShutdownPlan(
        Duration budget,
        Duration gracePeriod,
        SidecarFacts facts,
        List<Step> steps,
        List<String> warnings,
        Workload workload) {

    /**
     * One phase of the plan.
     *
     * @param phase        the phase
     * @param start        latest start, from SIGTERM
     * @param end          latest end, from SIGTERM
     * @param needsSidecar whether it makes outbound calls through the sidecar
     * @param what         what runs, e.g. task names
     */
    public record Step(ShutdownPhase phase, Duration start, Duration end, boolean needsSidecar, String what) {
    }

    public ShutdownPlan {
        steps = List.copyOf(steps);
        warnings = List.copyOf(warnings);
    }

    /** Whether everything fits. */
    public boolean fits() {
        return warnings.isEmpty();
    }

    /** The latest end of the whole sequence, from SIGTERM. */
    public Duration worstCaseEnd() {
        return steps.stream().map(Step::end).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /**
     * Computes the plan. Pure: no sidecar is called, so tools (the linter) can plan a Pod from its
     * manifest.
     */
    public static ShutdownPlan compute(ShutdownSettings s, List<ShutdownTask> tasks, SidecarFacts facts) {
        List<Step> steps = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        steps.add(new Step(ShutdownPhase.READINESS_OFF, Duration.ZERO, Duration.ZERO, false, "readiness reports not-ready"));

        Duration delay = s.propagationDelay();
        steps.add(new Step(ShutdownPhase.PROPAGATION_DELAY, Duration.ZERO, delay, false,
                "keep serving " + Durations.format(delay)
                        + (s.quietPeriod().isZero() ? "" : ", ends after " + Durations.format(s.quietPeriod()) + " quiet")));

        Duration early = sum(tasks, ShutdownPhase.EARLY_OUTBOUND, s);
        steps.add(new Step(ShutdownPhase.EARLY_OUTBOUND, Duration.ZERO, early, needs(tasks, ShutdownPhase.EARLY_OUTBOUND),
                names(tasks, ShutdownPhase.EARLY_OUTBOUND)));

        Duration drainStart = Durations.max(delay, early);
        Duration drainEnd = drainStart.plus(Durations.max(s.drainTimeout(), sum(tasks, ShutdownPhase.INBOUND_DRAIN, s)));
        steps.add(new Step(ShutdownPhase.INBOUND_DRAIN, drainStart, drainEnd, false,
                facts.mode().drainCall().map(c -> c + " if the sidecar is terminating, ").orElse("")
                        + "wait up to " + Durations.format(s.drainTimeout()) + " for in-flight requests"
                        + (names(tasks, ShutdownPhase.INBOUND_DRAIN).equals("-") ? "" : "; " + names(tasks, ShutdownPhase.INBOUND_DRAIN))));

        Duration cleanup = sum(tasks, ShutdownPhase.CLEANUP, s);
        if (s.cleanupBudget().isPresent()) {
            cleanup = Durations.min(cleanup, s.cleanupBudget().get());
        }
        Duration cleanupEnd = drainEnd.plus(cleanup);
        steps.add(new Step(ShutdownPhase.CLEANUP, drainEnd, cleanupEnd, needs(tasks, ShutdownPhase.CLEANUP),
                names(tasks, ShutdownPhase.CLEANUP)));

        Duration releaseEnd = cleanupEnd.plus(sum(tasks, ShutdownPhase.RELEASE, s));
        steps.add(new Step(ShutdownPhase.RELEASE, cleanupEnd, releaseEnd, false, names(tasks, ShutdownPhase.RELEASE)));

        Optional<String> releaseCall = facts.mode().releaseCall();
        // A sidecar whose SIGTERM cannot be seen (Consul) is never seen terminating: only the job
        // workload, where the app's exit is the Pod's end, releases it.
        boolean unseen = !facts.mode().terminationVisible() && s.workload() != Workload.JOB;
        boolean releases = s.releaseSidecar() && releaseCall.isPresent() && !unseen;
        Duration end = releases ? releaseEnd.plus(s.adminTimeout()) : releaseEnd;
        steps.add(new Step(ShutdownPhase.SIDECAR_RELEASE, releaseEnd, end, false,
                releases ? releaseCall.get() + (s.workload() == Workload.JOB
                        ? " if the sidecar is live or terminating (workload job: the app's exit is the Pod's end, so the Job completes)"
                        : " if the sidecar is terminating: the Pod ends when the app is done")
                        : "none (" + (releaseCall.isPresent() && unseen && s.releaseSidecar()
                                ? "sidecar " + facts.mode().name().toLowerCase(Locale.ROOT) + ": its SIGTERM cannot be seen, so it "
                                        + "quits at the end of " + facts.mode().windowKnob() + "; only a Job's app releases it"
                                : releaseCall.isPresent() ? "release-sidecar=false"
                                : "sidecar " + facts.mode().name().toLowerCase(Locale.ROOT)) + ")"));

        Duration lastOutbound = Duration.ZERO;
        if (needs(tasks, ShutdownPhase.EARLY_OUTBOUND)) {
            lastOutbound = early;
        }
        if (needs(tasks, ShutdownPhase.CLEANUP)) {
            lastOutbound = Durations.max(lastOutbound, cleanupEnd);
        }

        // 1. The sidecar's window must cover the last outbound call.
        Optional<Duration> window = facts.guaranteedWindow();
        if (window.isPresent() && !facts.exitOnZeroActiveConnections() && lastOutbound.compareTo(window.get()) > 0) {
            long wantSeconds = ceilSeconds(lastOutbound) + 1;
            warnings.add("Outbound cleanup may run until " + Durations.format(lastOutbound)
                    + " after SIGTERM, but the sidecar forwards only for " + facts.mode().windowKnob() + "="
                    + Durations.format(window.get()) + "; later calls would fail or be skipped. Fix: annotate the Pod with "
                    + facts.mode().windowAnnotation(wantSeconds)
                    + (releases ? " (the library releases the sidecar as soon as the app is done, so a long window costs nothing)"
                            : unseen ? " (the Pod then lasts that long after SIGTERM: nothing can release this sidecar early)"
                            : " and turn on release-sidecar so the Pod does not wait for the whole window"));
        }
        // 2. The grace period must cover the sidecar's window, or the kubelet kills Envoy first.
        if (window.isPresent() && s.gracePeriod().compareTo(window.get()) < 0) {
            warnings.add("grace-period=" + Durations.format(s.gracePeriod()) + " (terminationGracePeriodSeconds) is shorter than "
                    + facts.mode().windowKnob() + "=" + Durations.format(window.get()) + ": the kubelet SIGKILLs the Pod before the "
                    + "window ends. Fix: set terminationGracePeriodSeconds: " + (ceilSeconds(window.get()) + ceilSeconds(s.safetyMargin()))
                    + " (and SIDECAR_SHUTDOWN_GRACE_PERIOD to match), or lower " + facts.mode().windowKnob());
        }
        // 3. The whole plan must fit the budget.
        if (end.compareTo(s.budget()) > 0) {
            warnings.add("The plan may need " + Durations.format(end) + " but grace-period=" + Durations.format(s.gracePeriod())
                    + " minus safety-margin=" + Durations.format(s.safetyMargin()) + " leaves " + Durations.format(s.budget())
                    + "; the last phases would be skipped. Fix: set terminationGracePeriodSeconds: "
                    + (ceilSeconds(end) + ceilSeconds(s.safetyMargin())) + " (and SIDECAR_SHUTDOWN_GRACE_PERIOD to match), "
                    + "or shorten propagation-delay, drain-timeout or task timeouts");
        }
        return new ShutdownPlan(s.budget(), s.gracePeriod(), facts, steps, warnings, s.workload());
    }

    private static long ceilSeconds(Duration d) {
        long s = d.getSeconds();
        return d.getNano() > 0 ? s + 1 : s;
    }

    private static Duration sum(List<ShutdownTask> tasks, ShutdownPhase phase, ShutdownSettings s) {
        Duration total = Duration.ZERO;
        for (ShutdownTask t : tasks) {
            if (t.phase() == phase) {
                total = total.plus(t.timeout().orElse(s.taskTimeout()));
            }
        }
        return total;
    }

    private static boolean needs(List<ShutdownTask> tasks, ShutdownPhase phase) {
        return tasks.stream().anyMatch(t -> t.phase() == phase && t.needsSidecar());
    }

    private static String names(List<ShutdownTask> tasks, ShutdownPhase phase) {
        List<String> n = new ArrayList<>();
        for (ShutdownTask t : tasks) {
            if (t.phase() == phase) {
                n.add(t.name());
            }
        }
        return n.isEmpty() ? "-" : String.join(", ", n);
    }

    /** A multi-line description for the startup log. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("sidecar-shutdown plan: budget ").append(Durations.format(budget)).append(" (grace period ")
                .append(Durations.format(gracePeriod)).append("), workload ")
                .append(workload.name().toLowerCase(Locale.ROOT)).append(", sidecar ").append(facts.mode().name().toLowerCase(Locale.ROOT))
                .append(facts.version().map(v -> " " + v).orElse(""))
                .append(facts.guaranteedWindow().map(w -> ", outbound window " + Durations.format(w)
                        + (facts.exitOnZeroActiveConnections() ? "+ (exit on zero connections)" : "")).orElse(", no outbound window"))
                .append(" [").append(facts.source()).append("]");
        for (Step st : steps) {
            sb.append(String.format(Locale.ROOT, "%n  %-18s %8s .. %-8s %s%s", st.phase().tagValue(),
                    Durations.format(st.start()), Durations.format(st.end()), st.what(), st.needsSidecar() ? " [needs sidecar]" : ""));
        }
        for (String w : warnings) {
            sb.append(System.lineSeparator()).append("  WARNING: ").append(w);
        }
        return sb.toString();
    }

    /** The plan as JSON (for the actuator endpoint and the CLI). */
    public String toJson() {
        return Json.write(toMap());
    }

    /** The plan as nested maps and lists of strings, numbers and booleans (for JSON encoders). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("budgetMs", budget.toMillis());
        m.put("gracePeriodMs", gracePeriod.toMillis());
        m.put("workload", workload.name().toLowerCase(Locale.ROOT));
        m.put("sidecarMode", facts.mode().name().toLowerCase(Locale.ROOT));
        facts.version().ifPresent(v -> m.put("sidecarVersion", v));
        facts.guaranteedWindow().ifPresent(w -> m.put("outboundWindowMs", w.toMillis()));
        m.put("factsSource", facts.source());
        List<Object> st = new ArrayList<>();
        for (Step s : steps) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("phase", s.phase().tagValue());
            e.put("startMs", s.start().toMillis());
            e.put("endMs", s.end().toMillis());
            e.put("needsSidecar", s.needsSidecar());
            e.put("what", s.what());
            st.add(e);
        }
        m.put("steps", st);
        m.put("warnings", warnings);
        return m;
    }
}
