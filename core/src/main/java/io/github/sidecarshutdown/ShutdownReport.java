package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.Json;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What happened during one shutdown: every phase and every task with its outcome and timing, the
 * sidecar as it was found, and whether it was released. Immutable; a report taken while the
 * shutdown still runs has {@link #complete()} false.
 *
 * @param trigger          what started it
 * @param startedAt        wall-clock start
 * @param elapsed          time from start to the end (or to the snapshot)
 * @param budget           the deadline it ran under
 * @param complete         whether the sequence had ended
 * @param sidecar          the sidecar as resolved, e.g. {@code istio 1.26.2}
 * @param sidecarAtStart   the sidecar's state when shutdown began
 * @param sidecarReleased  whether the sidecar was told to exit and acknowledged it (a declined or failed
 *                         release call is not a release)
 * @param phases           phase results in the order they ended
 * @param tasks            task results in the order they ended
 * @param workload         the workload the shutdown ran for ({@code job}: the app's exit is the Pod's end)
 * @param releaseWaits     what the sidecar release waited for before it told the sidecar to exit (other
 *                         coordinators, other JVM shutdown hooks, requests in flight), with how long;
 *                         empty when it waited for nothing (docs/whole-jvm.md)
 * @param disabled         whether the library is turned off ({@code enabled=false}): nothing was done, on purpose
 */
public record ShutdownReport(
        ShutdownTrigger trigger,
        Instant startedAt,
        Duration elapsed,
        Duration budget,
        boolean complete,
        String sidecar,
        SidecarState sidecarAtStart,
        boolean sidecarReleased,
        List<PhaseResult> phases,
        List<TaskResult> tasks,
        Workload workload,
        List<ReleaseWait> releaseWaits,
        boolean disabled) {

    public ShutdownReport {
        phases = List.copyOf(phases);
        tasks = List.copyOf(tasks);
        releaseWaits = List.copyOf(releaseWaits);
    }

    /** A report of an enabled library whose release waited for nothing. */
    public ShutdownReport(ShutdownTrigger trigger, Instant startedAt, Duration elapsed, Duration budget, boolean complete,
            String sidecar, SidecarState sidecarAtStart, boolean sidecarReleased, List<PhaseResult> phases, List<TaskResult> tasks,
            Workload workload) {
        this(trigger, startedAt, elapsed, budget, complete, sidecar, sidecarAtStart, sidecarReleased, phases, tasks, workload, List.of(),
                false);
    }

    /**
     * {@link ReportOutcome#CLEAN} when every task succeeded, {@code DEGRADED} when some failed, timed out or were
     * skipped, {@code INCOMPLETE} for a snapshot of a running (or abandoned) shutdown, {@code DISABLED} when the
     * library is turned off.
     */
    public ReportOutcome outcome() {
        if (disabled) {
            return ReportOutcome.DISABLED;
        }
        if (!complete) {
            return ReportOutcome.INCOMPLETE;
        }
        // Loops, not streams: the final report is made at the end of a sequence that may have run cold.
        for (TaskResult t : tasks) {
            if (t.outcome() != TaskOutcome.SUCCEEDED) {
                return ReportOutcome.DEGRADED;
            }
        }
        for (PhaseResult p : phases) {
            if (p.outcome() == TaskOutcome.FAILED || p.outcome() == TaskOutcome.TIMED_OUT) {
                return ReportOutcome.DEGRADED;
            }
        }
        return ReportOutcome.CLEAN;
    }

    /** The result of the task with this name. */
    public Optional<TaskResult> task(String name) {
        return tasks.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The result of this phase. */
    public Optional<PhaseResult> phase(ShutdownPhase phase) {
        return phases.stream().filter(p -> p.phase() == phase).findFirst();
    }

    /** One line with every phase and task outcome, for the log. */
    public String summaryLine() {
        // Loops, not streams: this line ends a sequence that may have run cold.
        StringBuilder phaseList = new StringBuilder();
        for (PhaseResult p : phases) {
            phaseList.append(phaseList.length() == 0 ? "" : ", ").append(p.summary());
        }
        StringBuilder taskList = new StringBuilder();
        for (TaskResult t : tasks) {
            taskList.append(taskList.length() == 0 ? "" : ", ").append(t.summary());
        }
        return "sidecar-shutdown " + outcome().tagValue() + " in " + Durations.format(elapsed) + " of " + Durations.format(budget)
                + " (trigger " + trigger.tagValue() + ", workload " + workload.name().toLowerCase(Locale.ROOT) + ", sidecar " + sidecar + ", " + sidecarAtStart.name().toLowerCase(Locale.ROOT)
                + " at start, " + (sidecarReleased ? "released" : "not released") + ")"
                + " phases: " + phaseList
                + "; tasks: " + (tasks.isEmpty() ? "none" : taskList);
    }

    /** The report as JSON. */
    public String toJson() {
        return Json.write(toMap());
    }

    /** The report as nested maps and lists of strings, numbers and booleans (for JSON encoders). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", outcome().tagValue());
        m.put("trigger", trigger.tagValue());
        m.put("startedAt", startedAt.toString());
        m.put("elapsedMs", elapsed.toMillis());
        m.put("budgetMs", budget.toMillis());
        m.put("complete", complete);
        m.put("workload", workload.name().toLowerCase(Locale.ROOT));
        m.put("sidecar", sidecar);
        m.put("sidecarAtStart", sidecarAtStart.name().toLowerCase(Locale.ROOT));
        m.put("sidecarReleased", sidecarReleased);
        List<Object> ps = new ArrayList<>();
        for (PhaseResult p : phases) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("phase", p.phase().tagValue());
            e.put("outcome", p.outcome().tagValue());
            e.put("startMs", p.startOffset().toMillis());
            e.put("elapsedMs", p.elapsed().toMillis());
            e.put("detail", p.detail());
            ps.add(e);
        }
        m.put("phases", ps);
        List<Object> ts = new ArrayList<>();
        for (TaskResult t : tasks) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", t.name());
            e.put("phase", t.phase().tagValue());
            e.put("outcome", t.outcome().tagValue());
            e.put("startMs", t.startOffset().toMillis());
            e.put("elapsedMs", t.elapsed().toMillis());
            e.put("attempts", t.attempts());
            e.put("reason", t.reason());
            ts.add(e);
        }
        m.put("tasks", ts);
        List<Object> ws = new ArrayList<>();
        for (ReleaseWait w : releaseWaits) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("kind", w.kind().tagValue());
            e.put("name", w.name());
            e.put("waitedMs", w.waited().toMillis());
            e.put("cutOff", w.cutOff());
            ws.add(e);
        }
        m.put("releaseWaits", ws);
        return m;
    }
}
