package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.Workload;
import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.LogSafe;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.internal.jvm.ReleaseWatch;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Phase {@code sidecar_release}: tells the sidecar the app is done, by {@link ReleaseRule} — the same
 * rule the plan is computed with ({@link #plan}). In a service only a sidecar seen terminating is
 * released; in a Job a sidecar in every state in which it exists or may still appear, asked again
 * until the deadline while it cannot be told (an injected sidecar not answering yet, an unknown
 * answer) or refuses the call; a Job whose sidecar could not be released ends with this phase failed.
 * Once per process, after every coordinator's outbound work ({@link ProcessRelease}).
 */
final class SidecarRelease {

    /**
     * How old the guard's TERMINATING may be to stand for the probe before the release
     * (docs/sidecar-states.md, "Evidence gathered during cleanup").
     */
    static final Duration EVIDENCE_MAX_AGE = Duration.ofSeconds(1);
    /** How long a service's release asks again while the sidecar's answer is unknown (a 503 that has not lasted yet). */
    static final Duration SETTLE = Duration.ofMillis(1200);
    /** Pause between two asks. */
    static final Duration RETRY_INTERVAL = Duration.ofMillis(50);

    private final Engine owner;
    private final ShutdownSettings settings;
    private final Sidecar sidecar;
    private final TimeSource time;

    SidecarRelease(Engine owner, ShutdownSettings settings, Sidecar sidecar, TimeSource time) {
        this.owner = owner;
        this.settings = settings;
        this.sidecar = sidecar;
        this.time = time;
    }

    /** The sidecar this phase releases. */
    Sidecar sidecar() {
        return sidecar;
    }

    private ReleaseRule.Decision decide(SidecarFacts facts, SidecarState s) {
        return ReleaseRule.decide(settings.releaseSidecar(), settings.workload(), facts.terminationVisible(), sidecar, s);
    }

    /** Whether the run may make a release call at all (the phase then keeps the call's time in the budget). */
    boolean mayCall(SidecarFacts facts) {
        for (SidecarState s : SidecarState.values()) {
            if (decide(facts, s).verdict() != ReleaseRule.Verdict.SKIP) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a Pod deletion ends the sidecar when the app is done: the release the run makes for the
     * state the sidecar shows while the Pod is deleted.
     */
    boolean releasesOnDeletion(SidecarFacts facts) {
        return decide(facts, ReleaseRule.duringDeletion(facts.terminationVisible())).verdict() == ReleaseRule.Verdict.RELEASE;
    }

    /** What the run will do, from the same rule: the call and the states it is made in, or why none. */
    PlannedPhase plan(SidecarFacts facts) {
        boolean job = settings.workload() == Workload.JOB;
        if (!job) {
            SidecarState s = ReleaseRule.duringDeletion(facts.terminationVisible());
            ReleaseRule.Decision d = decide(facts, s);
            if (d.verdict() == ReleaseRule.Verdict.RELEASE) {
                String call = d.call().orElseThrow();
                return new PlannedPhase(call + " if the sidecar is " + name(s) + ": the Pod ends when the app is done",
                        List.of(new ShutdownPlan.SidecarCall(ShutdownPhase.SIDECAR_RELEASE, call, Set.of(s))));
            }
            return new PlannedPhase("none (" + d.reason() + ")", List.of());
        }
        Map<String, Set<SidecarState>> byCall = new LinkedHashMap<>();
        String declined = null;
        for (SidecarState s : List.of(SidecarState.STARTING, SidecarState.LIVE, SidecarState.TERMINATING)) {
            ReleaseRule.Decision d = decide(facts, s);
            if (d.verdict() == ReleaseRule.Verdict.RELEASE) {
                byCall.computeIfAbsent(d.call().orElseThrow(), c -> EnumSet.noneOf(SidecarState.class)).add(s);
            } else if (declined == null) {
                declined = d.reason();
            }
        }
        if (byCall.isEmpty()) {
            String why = declined != null ? declined : "no release call";
            // With the release off there may well be a sidecar to release: the plan's job-release-disabled says so.
            boolean nothingToRelease = settings.releaseSidecar() && !why.contains("Job");
            return new PlannedPhase("none (" + why + (nothingToRelease ? "; nothing to release for a Job" : "") + ")", List.of());
        }
        List<ShutdownPlan.SidecarCall> calls = new ArrayList<>();
        StringBuilder what = new StringBuilder();
        for (Map.Entry<String, Set<SidecarState>> e : byCall.entrySet()) {
            calls.add(new ShutdownPlan.SidecarCall(ShutdownPhase.SIDECAR_RELEASE, e.getKey(), e.getValue()));
            what.append(e.getKey()).append(e.getValue().size() == 3 ? " when the app is done, whether the sidecar is starting, live or terminating"
                    : " if the sidecar is " + String.join(" or ", e.getValue().stream().map(SidecarRelease::name).toList()));
        }
        what.append(" (workload job: the app's exit is the Pod's end, so the Job completes; asked again until the deadline while "
                + "it does not answer yet)");
        if (declined != null) {
            what.append("; otherwise none (").append(declined).append(")");
        }
        return new PlannedPhase(what.toString(), calls);
    }

    private static String name(SidecarState s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    PhaseOutcome run(SidecarGuard guard, Deadline deadline, boolean fromJvmHook, ReportRecorder report)
            throws InterruptedException {
        SidecarFacts facts = guard.facts();
        if (!mayCall(facts)) {
            String why = decide(facts, SidecarState.TERMINATING).reason();
            if (settings.workload() == Workload.JOB && settings.releaseSidecar() && !why.contains("nothing to release")) {
                // A native sidecar, plain Envoy or none: the Job completes without the app's help.
                why = why + "; nothing to release for a Job";
            }
            return PhaseOutcome.skipped(LogSafe.of(why));
        }
        // The last moment a release call can start and still end by the deadline.
        Deadline calls = Deadline.after(time, Durations.nonNegative(deadline.remaining().minus(settings.adminTimeout())));
        // TERMINATING never goes back to LIVE: seen by the guard a moment ago (the cleanup's own checks),
        // it still holds, and the probe's calls would only delay the Pod's end. Anything else is asked now.
        boolean reused = guard.sawTerminatingWithin(EVIDENCE_MAX_AGE);
        SidecarState s = reused ? SidecarState.TERMINATING : guard.observe();
        ReleaseRule.Decision d = decide(facts, s);
        boolean job = settings.workload() == Workload.JOB;
        // A service's sidecar whose answer cannot be told yet (a 503 that has not lasted) is asked again, briefly.
        Deadline settle = calls.earliest(SETTLE);
        while (!job && s == SidecarState.UNKNOWN && !settle.isExpired()) {
            time.sleep(settle.cap(RETRY_INTERVAL));
            s = guard.observe();
            d = decide(facts, s);
        }
        String lastFailure = null;
        ReleaseWatch.Result quiet = null;
        while (true) {
            while (d.verdict() == ReleaseRule.Verdict.RETRY && !calls.isExpired()) {
                time.sleep(calls.cap(RETRY_INTERVAL));
                s = guard.observe();
                d = decide(facts, s);
            }
            if (d.verdict() == ReleaseRule.Verdict.RETRY) {
                return PhaseOutcome.failed("the sidecar could not be released before the deadline (" + d.reason()
                        + (lastFailure == null ? "" : "; last call: " + lastFailure) + ")");
            }
            if (d.verdict() == ReleaseRule.Verdict.SKIP) {
                return PhaseOutcome.skipped(LogSafe.of(d.reason()) + (lastFailure == null ? "" : " (after: " + lastFailure + ")"));
            }
            String call = d.call().orElseThrow();
            ProcessRelease latch = owner.processes();
            if (quiet == null) {
                // Nothing else in the JVM may still send through the sidecar: other coordinators, other JVM
                // hooks, requests in flight (docs/whole-jvm.md). Bounded by the deadline; cut off, it releases anyway.
                // Waited for once: a Job's retries below only wait for the sidecar to answer.
                quiet = latch.awaitQuiet(owner, fromJvmHook, calls, time, settings.adminTimeout());
                report.releaseWaits(quiet.waits());
                if (!quiet.coordinators().isEmpty()) {
                    return PhaseOutcome.skipped(quiet.coordinators().size() + " other coordinator(s) in this JVM still have "
                            + "outbound work; the last one to finish releases the sidecar");
                }
            }
            if (quiet.covered() || !latch.claim(owner)) {
                return PhaseOutcome.skipped("already released by another coordinator in this JVM");
            }
            SidecarCallResult r = sidecar.release(deadline.cap(settings.adminTimeout()));
            String waited = quiet.describe().isEmpty() ? "" : "; " + quiet.describe();
            switch (r.outcome()) {
                case DONE:
                    // Only an acknowledged release counts: a sidecar that declines or a failed call was not released.
                    report.released();
                    String done = call + ": the sidecar exits now" + (job && s != SidecarState.TERMINATING
                            ? " (workload job: the app's exit is the Pod's end, so the " + name(s) + " sidecar is released for the Job to complete)"
                            : "") + waited;
                    return quiet.cutOff() ? PhaseOutcome.timedOut(done) : PhaseOutcome.succeeded(done);
                case SKIPPED:
                    return PhaseOutcome.skipped(LogSafe.of(r.detail()) + waited);
                default:
                    latch.unclaim(owner);
                    lastFailure = call + " failed: " + LogSafe.of(r.detail()) + waited;
                    if (job && !calls.isExpired()) {
                        // A Job's sidecar that refused (not listening yet, restarting) is asked again until the deadline.
                        time.sleep(calls.cap(RETRY_INTERVAL));
                        s = guard.observe();
                        d = decide(facts, s);
                        continue;
                    }
                    // What the call was decided on may be stale: reused evidence, or a probe before the release
                    // waited for the rest of the JVM. One probe now; gone is what a fresh probe would have said.
                    if ((reused || !quiet.waits().isEmpty()) && guard.observe() == SidecarState.GONE) {
                        if (reused) {
                            return PhaseOutcome.skipped("sidecar gone: it already exited (after it was seen terminating)");
                        }
                        // its window ran out while the release waited: not released
                        String gone = "sidecar gone: it exited while the release waited (it was " + name(s) + " before)" + waited;
                        return quiet.cutOff() ? PhaseOutcome.timedOut(gone) : PhaseOutcome.skipped(gone);
                    }
                    return PhaseOutcome.failed(lastFailure);
            }
        }
    }
}
