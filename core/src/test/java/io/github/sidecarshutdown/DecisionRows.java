package io.github.sidecarshutdown;

import io.github.sidecarshutdown.sidecar.Meshes;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words of docs/sidecar-states.md's two decision tables, and what each means to
 * {@link DecisionTableTest}. Every cell must be made of words listed here: a row that says something
 * else fails with {@link NotUnderstood}, so a new rule cannot pass until the test learns what it
 * means and how to produce it.
 */
final class DecisionRows {

    /** A row whose words, or whose combination of words, the test has no meaning or stand-in for. */
    static final class NotUnderstood extends AssertionError {
        NotUnderstood(String message) {
            super(message);
        }
    }

    private DecisionRows() {
    }

    // ---- at startup ----

    /** What answers while the app waits. */
    enum Answers {
        /** Nothing listens, for the whole wait. */
        NOTHING,
        /** Nothing yet; the sidecar listens, ready, a moment after the wait began. */
        LISTENS_LATER,
        /** Envoy answers 503 {@code INITIALIZING} (the agent not ready), then turns ready a moment later. */
        STARTING_THEN_READY,
        /** A ready Istio sidecar, from the start. */
        READY_ISTIO
    }

    /** How long the wait takes. */
    enum Timing {
        AT_ONCE,
        UNTIL_READY,
        STARTUP_WAIT
    }

    /**
     * @param outcome  the {@link SidecarReadiness} returned, or empty when the wait throws
     *                 {@link SidecarNotReadyException}
     * @param warns    one warning naming the URL setting to check
     * @param notes    the plan notes, once, that a late sidecar would be missed and how to mount the annotations
     */
    record StartupRow(String id, SidecarMode mode, boolean injected, Answers answers, StartupPolicy policy,
            Optional<SidecarReadiness> outcome, Timing timing, boolean warns, boolean notes) {
    }

    private static final Map<String, Answers> ANSWERS = Map.of(
            "nothing", Answers.NOTHING,
            "nothing, ever", Answers.NOTHING,
            "nothing (admin on a Unix socket)", Answers.NOTHING,
            "nothing (ztunnel is on the node)", Answers.NOTHING,
            "nothing yet, the sidecar listens later", Answers.LISTENS_LATER,
            "Envoy initializing, then ready", Answers.STARTING_THEN_READY,
            "a ready Istio sidecar", Answers.READY_ISTIO);

    private static final Pattern GOES_ON_AT_ONCE = Pattern.compile("goes on at once without a sidecar \\((NO_SIDECAR)\\)");
    private static final Pattern WAITS_UNTIL_READY = Pattern.compile("waits until it is ready \\((READY)\\)");
    private static final Pattern WAITS_THEN_GOES_ON = Pattern.compile(
            "waits `startup-wait`, then goes on \\((TIMED_OUT)(, one warning naming the URL setting to check)?\\)");
    private static final Pattern WAITS_THEN_FAILS = Pattern.compile("waits `startup-wait`, then fails \\(SidecarNotReadyException\\)");
    private static final Pattern AT_ONCE = Pattern.compile("(READY|NO_SIDECAR|TIMED_OUT) at once");
    private static final String NOTE = "the plan notes, once, that a sidecar starting after the app would be missed and how to "
            + "mount the annotations";

    static StartupRow startup(MarkdownTables.Row r) {
        String id = r.id();
        SidecarMode mode = mode(id, r.cell("sidecar-mode"));
        boolean injected = injected(id, r.cell("Pod's annotations"));
        Answers answers = word(id, "what answers", ANSWERS, r.cell("what answers"));
        StartupPolicy policy = word(id, "startup-policy", Map.of("optional", StartupPolicy.OPTIONAL, "required",
                StartupPolicy.REQUIRED), r.cell("startup-policy"));
        Optional<SidecarReadiness> outcome = null;
        Timing timing = null;
        boolean warns = false;
        boolean notes = false;
        for (String clause : r.cell("the wait").split("; ")) {
            Matcher m;
            if ((m = GOES_ON_AT_ONCE.matcher(clause)).matches() || (m = AT_ONCE.matcher(clause)).matches()) {
                outcome = Optional.of(SidecarReadiness.valueOf(m.group(1)));
                timing = Timing.AT_ONCE;
            } else if ((m = WAITS_UNTIL_READY.matcher(clause)).matches()) {
                outcome = Optional.of(SidecarReadiness.READY);
                timing = Timing.UNTIL_READY;
            } else if ((m = WAITS_THEN_GOES_ON.matcher(clause)).matches()) {
                outcome = Optional.of(SidecarReadiness.TIMED_OUT);
                timing = Timing.STARTUP_WAIT;
                warns = m.group(2) != null;
            } else if (WAITS_THEN_FAILS.matcher(clause).matches()) {
                outcome = Optional.empty();
                timing = Timing.STARTUP_WAIT;
            } else if (clause.equals(NOTE)) {
                notes = true;
            } else {
                throw notUnderstood(id, "the wait", clause);
            }
        }
        if (timing == null) {
            throw new NotUnderstood("row " + id + ": 'the wait' names no outcome: " + r.cell("the wait"));
        }
        return new StartupRow(id, mode, injected, answers, policy, outcome, timing, warns, notes);
    }

    // ---- at the end ----

    /** What the sidecar shows during the shutdown. */
    enum Seen {
        LIVE, STARTING, TERMINATING, UNKNOWN, GONE, ABSENT,
        /** Nothing listens when the app ends; the sidecar listens, ready, a moment after the release was first tried. */
        NOT_ANSWERING_THEN_LIVE,
        /** Nothing listens, ever. */
        NOT_ANSWERING_EVER;

        /** The state the library must end up seeing. */
        SidecarState state(boolean injected) {
            return switch (this) {
                case NOT_ANSWERING_THEN_LIVE -> SidecarState.LIVE;
                case NOT_ANSWERING_EVER -> injected ? SidecarState.STARTING : SidecarState.ABSENT;
                default -> SidecarState.valueOf(name());
            };
        }
    }

    /** How the release asks again. */
    enum Retry {
        NONE,
        /** While the sidecar's answer cannot be told yet (service): the probe is asked again, briefly. */
        FOR_A_MOMENT,
        /** While the call is refused: until the sidecar listens. */
        UNTIL_IT_ANSWERS,
        /** While the call is refused: until the deadline, which ends the phase failed. */
        UNTIL_THE_DEADLINE
    }

    /**
     * @param releaseCall the release call acknowledged, e.g. {@code POST /quitquitquit}
     * @param reason      why there is no release, as the report's {@code sidecar_release} phase must say it
     */
    record EndRow(String id, String mesh, String kind, Workload workload, boolean releaseSidecar, boolean injected, Seen seen,
            boolean drain, Optional<String> releaseCall, Retry retry, Optional<Pattern> reason, boolean released,
            boolean degraded) {
    }

    private static final Map<String, Seen> SEEN = Map.of(
            "live", Seen.LIVE, "starting", Seen.STARTING, "terminating", Seen.TERMINATING, "unknown", Seen.UNKNOWN,
            "gone", Seen.GONE, "absent", Seen.ABSENT, "not answering, then live", Seen.NOT_ANSWERING_THEN_LIVE,
            "not answering, ever", Seen.NOT_ANSWERING_EVER);

    /** Why a sidecar is not released, as the row puts it, and what the report's release phase says then. */
    private static final Map<String, Pattern> REASONS = Map.of(
            "native", Pattern.compile("native sidecar"),
            "native: nothing to release for a Job", Pattern.compile("native sidecar.*nothing to release for a Job"),
            "plain Envoy", Pattern.compile("plain Envoy"),
            "its SIGTERM cannot be seen", Pattern.compile("shows no sign of its own SIGTERM"),
            "kuma-dp waits out its drain time", Pattern.compile("kuma-dp .*waits out its drain time"),
            "daprd already shuts down on its SIGTERM", Pattern.compile("daprd got its SIGTERM and is already shutting down"),
            "ambient", Pattern.compile("ambient mode"),
            "release-sidecar=false", Pattern.compile("release-sidecar=false"),
            "it already exited", Pattern.compile("sidecar gone: it already exited"),
            "no sidecar", Pattern.compile("no sidecar|sidecar absent"));

    private static final Pattern CALL = Pattern.compile("`([A-Z]+ /\\S*)`(, asked again until it answers)?");
    private static final Pattern NO_BECAUSE = Pattern.compile("no \\((.+)\\)");
    private static final Pattern WORKLOAD = Pattern.compile("(service|job)(, release-sidecar=(true|false))?");
    private static final Pattern REPORT = Pattern.compile("(released|not released)(, (degraded|clean))?");

    static EndRow end(MarkdownTables.Row r) {
        String id = r.id();
        String mesh = word(id, "mesh", Map.of("istio", "istio", "envoy", "envoy", "consul", "consul", "kuma", "kuma",
                "linkerd", "linkerd", "dapr", "dapr", "ambient", "ambient"), r.cell("mesh"));
        String kind = word(id, "kind", Map.of("classic", "classic", "native", "native", "plain", "plain", "—", "—"), r.cell("kind"));
        Matcher w = WORKLOAD.matcher(r.cell("workload"));
        if (!w.matches()) {
            throw notUnderstood(id, "workload", r.cell("workload"));
        }
        Workload workload = w.group(1).equals("job") ? Workload.JOB : Workload.SERVICE;
        boolean releaseSidecar = w.group(3) == null || w.group(3).equals("true");
        boolean injected = injected(id, r.cell("Pod's annotations"));
        Seen seen = word(id, "seen", SEEN, r.cell("seen"));
        boolean drain = word(id, "drain", Map.of("yes", true, "no", false), r.cell("drain"));

        String release = r.cell("release");
        Optional<String> call = Optional.empty();
        Retry retry = Retry.NONE;
        Optional<Pattern> reason = Optional.empty();
        Matcher m;
        if ((m = CALL.matcher(release)).matches()) {
            call = Optional.of(m.group(1));
            retry = m.group(2) != null ? Retry.UNTIL_IT_ANSWERS : Retry.NONE;
        } else if (release.equals("asked again until the deadline")) {
            retry = Retry.UNTIL_THE_DEADLINE;
        } else if ((m = NO_BECAUSE.matcher(release)).matches()) {
            if (m.group(1).equals("asked again for a moment")) {
                retry = Retry.FOR_A_MOMENT;
            } else {
                reason = Optional.of(word(id, "release", REASONS, m.group(1)));
            }
        } else if (!release.equals("no")) {
            throw notUnderstood(id, "release", release);
        }

        Matcher rep = REPORT.matcher(r.cell("report"));
        if (!rep.matches()) {
            throw notUnderstood(id, "report", r.cell("report"));
        }
        boolean released = rep.group(1).equals("released");
        boolean degraded = "degraded".equals(rep.group(3));
        if (released != call.isPresent()) {
            throw new NotUnderstood("row " + id + ": report '" + r.cell("report") + "' contradicts release '" + release + "'");
        }
        return new EndRow(id, mesh, kind, workload, releaseSidecar, injected, seen, drain, call, retry, reason, released, degraded);
    }

    // ---- shared words ----

    private static SidecarMode mode(String id, String cell) {
        if (Meshes.modes().stream().noneMatch(m -> m.name().equals(cell))) {
            throw notUnderstood(id, "sidecar-mode", cell);
        }
        return SidecarMode.of(cell);
    }

    private static boolean injected(String id, String cell) {
        return word(id, "Pod's annotations", Map.of("none", false, "injected", true), cell);
    }

    private static <T> T word(String id, String column, Map<String, T> words, String cell) {
        T v = words.get(cell);
        if (v == null) {
            throw notUnderstood(id, column, cell);
        }
        return v;
    }

    private static NotUnderstood notUnderstood(String id, String column, String words) {
        return new NotUnderstood("row " + id + ", column '" + column + "': the test does not understand '" + words
                + "'; teach DecisionRows what it means (and MeshStandIn how to produce it) before adding the row");
    }
}
