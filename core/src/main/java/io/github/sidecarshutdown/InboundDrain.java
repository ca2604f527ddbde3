package io.github.sidecarshutdown;

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
        if (!inFlight.awaitDrained(time, drain)) {
            details.add(inFlight.activeBeforeDrain() + " request(s) still in flight after "
                    + Durations.format(settings.drainTimeout()));
            return PhaseOutcome.timedOut(String.join("; ", details));
        }
        return PhaseOutcome.ofTasks(ran, details.isEmpty() ? null : String.join("; ", details));
    }
}
