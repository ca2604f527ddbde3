package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;

/**
 * Phase {@code propagation_delay}: keep serving while endpoints forget the Pod (docs/timeline.md).
 * Ends early after {@code quiet-period} without a new request, and is skipped when the sidecar is
 * already gone (every inbound request reaches the app through it, so none can arrive).
 */
final class PropagationDelay {

    private final ShutdownSettings settings;
    private final InFlightTracker inFlight;
    private final TimeSource time;

    PropagationDelay(ShutdownSettings settings, InFlightTracker inFlight, TimeSource time) {
        this.settings = settings;
        this.inFlight = inFlight;
        this.time = time;
    }

    PhaseOutcome run(Deadline work, SidecarMode mode, SidecarState atStart) throws InterruptedException {
        Duration delay = work.cap(settings.propagationDelay());
        if (atStart == SidecarState.GONE && mode != SidecarMode.NONE) {
            return PhaseOutcome.succeeded("skipped: the sidecar is gone, so no inbound request can reach the app");
        }
        if (delay.isZero()) {
            return PhaseOutcome.succeeded(settings.propagationDelay().isZero() ? "none configured" : "no time left");
        }
        Deadline end = work.earliest(delay);
        Duration quiet = settings.quietPeriod();
        if (quiet.isZero()) {
            time.sleep(end.remaining());
            return PhaseOutcome.succeeded(null);
        }
        Duration poll = Durations.max(Duration.ofMillis(10), quiet.dividedBy(4));
        long arrivals = inFlight.arrivals();
        long lastChange = time.nanoTime();
        while (!end.isExpired()) {
            time.sleep(end.cap(poll));
            long now = time.nanoTime();
            long a = inFlight.arrivals();
            if (a != arrivals) {
                arrivals = a;
                lastChange = now;
            } else if (now - lastChange >= quiet.toNanos() && inFlight.active() == 0) {
                return PhaseOutcome.succeeded("ended early: no request for " + Durations.format(quiet));
            }
        }
        return PhaseOutcome.succeeded(null);
    }
}
