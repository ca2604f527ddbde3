package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.InFlightTracker;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.TaskResult;
import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.LogSafe;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Phase {@code inbound_drain}: the sidecar drains inbound connections, if it has such a call and is
 * seen terminating (docs/sidecar-states.md), then the phase's tasks run and the app's in-flight
 * requests finish, for at most {@code drain-timeout}.
 */
final class InboundDrain {

    private static final java.time.Duration POLL = java.time.Duration.ofMillis(10);

    private final ShutdownSettings settings;
    private final Sidecar sidecar;
    private final InFlightTracker inFlight;
    private final TimeSource time;

    InboundDrain(ShutdownSettings settings, Sidecar sidecar, InFlightTracker inFlight, TimeSource time) {
        this.settings = settings;
        this.sidecar = sidecar;
        this.inFlight = inFlight;
        this.time = time;
    }

    /**
     * What this phase will do, for the plan: the sidecar's drain call (made only while it is seen
     * terminating, as {@link #run} decides) and the wait for in-flight requests.
     *
     * @param taskNames the phase's tasks, or {@code -}
     */
    PlannedPhase plan(String taskNames) {
        Optional<String> call = sidecar.drainCall();
        String what = (call.isPresent() ? call.get() + " if the sidecar is terminating, " : "")
                + "wait up to " + Durations.format(settings.drainTimeout()) + " for in-flight requests"
                + (taskNames.equals("-") ? "" : "; " + taskNames);
        return new PlannedPhase(what, call.isEmpty() ? List.of()
                : List.of(new ShutdownPlan.SidecarCall(ShutdownPhase.INBOUND_DRAIN, call.get(), java.util.Set.of(SidecarState.TERMINATING))));
    }

    /**
     * Begins the tracker's drain, then waits for the requests that were in flight before it.
     *
     * @return whether they all finished by {@code deadline}
     */
    private boolean awaitDrained(Deadline deadline) throws InterruptedException {
        inFlight.beginDrain();
        while (inFlight.activeBeforeDrain() > 0) {
            if (deadline.isExpired()) {
                return false;
            }
            time.sleep(deadline.cap(POLL));
        }
        return true;
    }

    PhaseOutcome run(Deadline work, SidecarGuard guard, TaskPhase tasks) throws InterruptedException {
        List<String> details = new ArrayList<>();
        Optional<String> call = sidecar.drainCall();
        if (call.isPresent()) {
            // Only a sidecar known to be terminating is drained: one that stays (the app got
            // SIGTERM alone) would keep drain-closing its inbound connections, and without
            // skip_exit stop its listeners, while the Pod stays Ready.
            SidecarState s = guard.observe(work.cap(settings.adminTimeout()));
            if (s != SidecarState.TERMINATING) {
                details.add("no drain: sidecar " + s.name().toLowerCase(Locale.ROOT) + ", not known to be terminating");
            } else {
                SidecarCallResult r = sidecar.drainInbound(work.cap(settings.adminTimeout()));
                details.add(call.get() + (r.outcome() == SidecarCallResult.Outcome.DONE ? " sent"
                        : " " + r.outcome().name().toLowerCase(Locale.ROOT) + ": " + LogSafe.of(r.detail())));
            }
        }
        List<TaskResult> ran = tasks.run(ShutdownPhase.INBOUND_DRAIN, work, guard);
        Deadline drain = work.earliest(settings.drainTimeout());
        // Only what was in flight when the drain began: requests still arriving on open keep-alive
        // connections are served, but must not hold the cleanup behind this phase.
        if (!awaitDrained(drain)) {
            details.add(inFlight.activeBeforeDrain() + " request(s) still in flight after "
                    + Durations.format(settings.drainTimeout()));
            return PhaseOutcome.timedOut(String.join("; ", details));
        }
        return PhaseOutcome.ofTasks(ran, details.isEmpty() ? null : String.join("; ", details));
    }
}
