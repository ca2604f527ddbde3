package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.LogSafe;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.internal.jvm.ReleaseWatch;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Phase {@code sidecar_release}: tells the sidecar the app is done, so the Pod ends now rather than
 * when the sidecar's own window runs out. The rules (docs/sidecar-states.md): only with the call
 * the sidecar names, only on evidence that the Pod is ending, once per process and only after every
 * coordinator of the process finished its outbound work ({@link ProcessRelease}).
 *
 * <p>Evidence that the Pod is ending: the sidecar seen TERMINATING (it got the Pod's SIGTERM); or,
 * in the {@link Workload#JOB} workload, the app's own exit, the explicit signal the evidence rule
 * allows: a Job's Pod ends when its app exits, so a LIVE sidecar is released too, or it would keep
 * the Pod running and the Job would never complete. UNKNOWN, ABSENT, GONE and STARTING never
 * release, whatever the workload. This is the one place the rule lives.
 */
final class SidecarRelease {

    /**
     * How old the guard's TERMINATING may be to stand for the probe before the release
     * (docs/sidecar-states.md, "Evidence gathered during cleanup").
     */
    static final Duration EVIDENCE_MAX_AGE = Duration.ofSeconds(1);

    private final ShutdownCoordinator owner;
    private final ShutdownSettings settings;
    private final Sidecar sidecar;
    private final TimeSource time;

    SidecarRelease(ShutdownCoordinator owner, ShutdownSettings settings, Sidecar sidecar, TimeSource time) {
        this.owner = owner;
        this.settings = settings;
        this.sidecar = sidecar;
        this.time = time;
    }

    PhaseOutcome run(SidecarGuard guard, Deadline deadline, boolean fromJvmHook, ReportRecorder report)
            throws InterruptedException {
        if (!settings.releaseSidecar()) {
            return PhaseOutcome.skipped("release-sidecar=false");
        }
        boolean job = settings.workload() == Workload.JOB;
        Optional<String> call = sidecar.releaseCall();
        if (call.isEmpty()) {
            String why = sidecar.noReleaseReason();
            if (job && !why.contains("nothing to release")) {
                // A native sidecar, plain Envoy or none: the Job completes without the app's help.
                why = why + "; nothing to release for a Job";
            }
            return PhaseOutcome.skipped(LogSafe.of(why));
        }
        // TERMINATING never goes back to LIVE: seen by the guard a moment ago (the cleanup's own checks),
        // it still holds, and the probe's two calls would only delay the Pod's end. Anything else is asked now.
        boolean reused = guard.sawTerminatingWithin(EVIDENCE_MAX_AGE);
        SidecarState s = reused ? SidecarState.TERMINATING : guard.observe();
        if (!mayRelease(s, job)) {
            // Release needs positive evidence that the Pod is ending; a live sidecar of a service,
            // or an unknown one, is left running (the Pod may not be going away).
            return PhaseOutcome.skipped(whyNotTerminating(s, guard.facts().mode()));
        }
        ProcessRelease latch = owner.processes;
        Deadline wait = Deadline.after(time, Durations.nonNegative(deadline.remaining().minus(settings.adminTimeout())));
        // Nothing else in the JVM may still send through the sidecar: other coordinators, other JVM
        // hooks, requests in flight (docs/whole-jvm.md). Bounded by the deadline; cut off, it releases anyway.
        ReleaseWatch.Result quiet = latch.awaitQuiet(owner, fromJvmHook, wait, time, settings.adminTimeout());
        report.releaseWaits(quiet.waits());
        if (!quiet.coordinators().isEmpty()) {
            return PhaseOutcome.skipped(quiet.coordinators().size() + " other coordinator(s) in this JVM still have outbound work; "
                    + "the last one to finish releases the sidecar");
        }
        if (quiet.covered() || !latch.claim(owner)) {
            return PhaseOutcome.skipped("already released by another coordinator in this JVM");
        }
        SidecarCallResult r = sidecar.release(deadline.cap(settings.adminTimeout()));
        String waited = quiet.describe().isEmpty() ? "" : "; " + quiet.describe();
        switch (r.outcome()) {
            case DONE:
                // Only an acknowledged release counts: a sidecar that declines (SKIPPED) or a failed call was not released.
                report.released();
                String done = call.get() + ": the sidecar exits now" + (job && s == SidecarState.LIVE
                        ? " (workload job: the app's exit is the Pod's end, so the live sidecar is released for the Job to complete)"
                        : "") + waited;
                return quiet.cutOff() ? PhaseOutcome.timedOut(done) : PhaseOutcome.succeeded(done);
            case SKIPPED:
                return PhaseOutcome.skipped(LogSafe.of(r.detail()) + waited);
            default:
                if (reused && guard.observe() == SidecarState.GONE) {
                    // It exited between the guard's probe and the call: what a fresh probe would have said.
                    return PhaseOutcome.skipped(whyNotTerminating(SidecarState.GONE, guard.facts().mode()) + " (after it was seen terminating)");
                }
                return PhaseOutcome.failed(call.get() + " failed: " + LogSafe.of(r.detail()) + waited);
        }
    }

    /**
     * The evidence rule: TERMINATING always; LIVE only in the job workload, where the app's exit is
     * the Pod's end. Nothing else, ever.
     */
    static boolean mayRelease(SidecarState s, boolean job) {
        return s == SidecarState.TERMINATING || (job && s == SidecarState.LIVE);
    }

    private static String whyNotTerminating(SidecarState s, SidecarMode mode) {
        switch (s) {
            case LIVE:
                if (!mode.terminationVisible()) {
                    // Consul: its SIGTERM changes nothing the app can see, so "live" proves nothing either way.
                    return "sidecar " + mode.name().toLowerCase(Locale.ROOT) + " shows no sign of its own SIGTERM, so the app "
                            + "cannot know the Pod is ending (workload service): it is left to quit at the end of its "
                            + mode.windowKnob();
                }
                return "sidecar live (still ready) and workload service: the Pod is not being deleted, so the sidecar is left running";
            case GONE:
                return "sidecar gone: it already exited";
            case ABSENT:
                return "sidecar absent: nothing answers";
            default:
                return "sidecar " + s.name().toLowerCase(Locale.ROOT) + ": not known to be terminating, so it is left alone";
        }
    }

}
