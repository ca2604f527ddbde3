package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.Json;
import io.github.sidecarshutdown.internal.engine.Engine;
import io.github.sidecarshutdown.pod.PodAnnotations;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the shutdown will do, computed before it happens from the same phase objects and the same
 * {@link io.github.sidecarshutdown.sidecar.Sidecar} the run uses: when each phase may start and end
 * at the latest, the sidecar calls it will make and in which states, and what cannot fit, each with a
 * fix that names the setting to change. Logged once at {@link ShutdownCoordinator#install()}; served
 * by the Spring endpoint; used by the linter.
 *
 * @param budget      grace period minus safety margin
 * @param gracePeriod the configured grace period
 * @param facts       what is known about the sidecar
 * @param steps       phases with their latest start and end, from SIGTERM
 * @param problems    what cannot fit, each with its fix
 * @param notes       what the user should know that is not a problem (e.g. what the library cannot see)
 * @param calls       the sidecar calls the run will make, and in which states of the sidecar
 * @param workload    the workload ({@code job}: the app's exit is the Pod's end)
 */
public record ShutdownPlan(
        Duration budget,
        Duration gracePeriod,
        SidecarFacts facts,
        List<Step> steps,
        List<Problem> problems,
        List<String> notes,
        List<SidecarCall> calls,
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

    /**
     * A sidecar call the run will make.
     *
     * @param phase the phase that makes it
     * @param call  e.g. {@code POST /quitquitquit}
     * @param when  the states of the sidecar in which it is made
     */
    public record SidecarCall(ShutdownPhase phase, String call, Set<SidecarState> when) {

        public SidecarCall {
            when = Set.copyOf(when);
        }
    }

    /**
     * How to make a problem go away: the text a user reads, and the same as values a tool can apply.
     *
     * @param text           e.g. {@code annotate the Pod with kuma.io/sidecar-drain-time: '15s'}
     * @param podAnnotations Pod annotations to set
     * @param settings       library settings to set, by environment variable name
     * @param gracePeriod    the {@code terminationGracePeriodSeconds} to set (and the library's grace period with it)
     */
    public record Fix(String text, Map<String, String> podAnnotations, Map<String, String> settings,
            Optional<Duration> gracePeriod) {

        public Fix {
            Objects.requireNonNull(text, "text");
            podAnnotations = Map.copyOf(podAnnotations);
            settings = Map.copyOf(settings);
            Objects.requireNonNull(gracePeriod, "gracePeriod");
        }
    }

    /**
     * Something that cannot fit.
     *
     * @param kind    a stable name, e.g. {@code cleanup-exceeds-window}
     * @param problem what goes wrong, and when
     * @param fix     what to set
     */
    public record Problem(String kind, String problem, Fix fix) {

        /** The problem and its fix, as logged: {@code <problem> Fix: <fix>}. */
        public String text() {
            return problem + " Fix: " + fix.text();
        }
    }

    public ShutdownPlan {
        steps = List.copyOf(steps);
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
        calls = List.copyOf(calls);
    }

    /**
     * The plan for a Pod described by its settings and annotations, without asking the sidecar
     * anything (what the linter checks a manifest with): the mesh its annotations or the
     * {@code sidecar-mode} name, the facts its annotations give.
     */
    public static ShutdownPlan forPod(ShutdownSettings settings, List<ShutdownTask> tasks, Map<String, String> podAnnotations) {
        return Engine.planForPod(settings, tasks, PodAnnotations.of(podAnnotations, "manifest annotations"));
    }

    /** Each problem as one line: {@code <problem> Fix: <fix>}. */
    public List<String> warnings() {
        List<String> lines = new ArrayList<>();
        for (Problem p : problems) {
            lines.add(p.text());
        }
        return List.copyOf(lines);
    }

    /** Whether everything fits. */
    public boolean fits() {
        return problems.isEmpty();
    }

    /** The latest end of the whole sequence, from SIGTERM. */
    public Duration worstCaseEnd() {
        Duration end = Duration.ZERO;
        for (Step st : steps) {
            end = st.end().compareTo(end) > 0 ? st.end() : end;
        }
        return end;
    }

    /** A multi-line description for the startup log. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("sidecar-shutdown plan: budget ").append(Durations.format(budget)).append(" (grace period ")
                .append(Durations.format(gracePeriod)).append("), workload ")
                .append(workload.name().toLowerCase(Locale.ROOT)).append(", sidecar ").append(facts.label());
        // Written out, not a lambda nor String.format: the plan is rendered in a fresh JVM by the
        // startup work, beside other Pods' starts, where the formatter's first use (and the regex it
        // compiles) costs more than the rest of the plan (docs/timeline.md, "Off the startup path").
        if (facts.guaranteedWindow().isPresent()) {
            sb.append(", outbound window ").append(Durations.format(facts.guaranteedWindow().get()))
                    .append(facts.exitOnZeroActiveConnections() ? "+ (exit on zero connections)" : "");
        } else {
            sb.append(", no outbound window");
        }
        sb.append(" [").append(facts.source()).append("]");
        for (Step st : steps) {
            // "%n  %-18s %8s .. %-8s %s%s", by hand
            sb.append(System.lineSeparator()).append("  ");
            padded(sb, st.phase().tagValue(), 18, false).append(' ');
            padded(sb, Durations.format(st.start()), 8, true).append(" .. ");
            padded(sb, Durations.format(st.end()), 8, false).append(' ').append(st.what());
            if (st.needsSidecar()) {
                sb.append(" [needs sidecar]");
            }
        }
        for (String n : notes) {
            sb.append(System.lineSeparator()).append("  NOTE: ").append(n);
        }
        for (Problem p : problems) {
            sb.append(System.lineSeparator()).append("  WARNING [").append(p.kind()).append("]: ").append(p.text());
        }
        return sb.toString();
    }

    /** Appends {@code text} padded with spaces to {@code width} on the left or the right; never cut. */
    private static StringBuilder padded(StringBuilder sb, String text, int width, boolean right) {
        if (!right) {
            sb.append(text);
        }
        for (int i = text.length(); i < width; i++) {
            sb.append(' ');
        }
        return right ? sb.append(text) : sb;
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
        m.put("sidecarMode", facts.mode().name());
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
        List<Object> cs = new ArrayList<>();
        for (SidecarCall c : calls) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("phase", c.phase().tagValue());
            e.put("call", c.call());
            e.put("when", c.when().stream().map(w -> w.name().toLowerCase(Locale.ROOT)).sorted().collect(Collectors.toList()));
            cs.add(e);
        }
        m.put("sidecarCalls", cs);
        m.put("notes", notes);
        List<Object> ps = new ArrayList<>();
        for (Problem p : problems) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("kind", p.kind());
            e.put("problem", p.problem());
            Map<String, Object> fix = new LinkedHashMap<>();
            fix.put("text", p.fix().text());
            fix.put("podAnnotations", new java.util.TreeMap<>(p.fix().podAnnotations()));
            fix.put("settings", new java.util.TreeMap<>(p.fix().settings()));
            p.fix().gracePeriod().ifPresent(g -> fix.put("terminationGracePeriodSeconds", g.toSeconds()));
            e.put("fix", fix);
            ps.add(e);
        }
        m.put("problems", ps);
        m.put("warnings", warnings());
        return m;
    }
}
