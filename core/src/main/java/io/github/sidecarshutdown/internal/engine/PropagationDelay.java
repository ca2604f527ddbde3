package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.InFlightTracker;
import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Phase {@code propagation_delay}: keep serving while endpoints forget the Pod (docs/timeline.md).
 * With a {@code quiet-period}, ends early once no new inbound request has been seen for that long,
 * by the sidecar's inbound counter where it answers and by the app's in-flight tracker, and none is
 * in flight; {@code propagation-delay} stays the maximum. Skipped when the sidecar is already gone
 * (every inbound request reaches the app through it, so none can arrive).
 */
final class PropagationDelay {

    private static final Duration MIN_POLL = Duration.ofMillis(10);

    private final ShutdownSettings settings;
    private final InFlightTracker inFlight;
    private final Sidecar sidecar;
    private final TimeSource time;

    PropagationDelay(ShutdownSettings settings, InFlightTracker inFlight, Sidecar sidecar, TimeSource time) {
        this.settings = settings;
        this.inFlight = inFlight;
        this.sidecar = sidecar;
        this.time = time;
    }

    /** What the phase will do, for the plan. */
    String plan() {
        return "keep serving " + Durations.format(settings.propagationDelay())
                + (settings.quietPeriod().isZero() ? "" : ", ends after " + Durations.format(settings.quietPeriod()) + " quiet");
    }

    PhaseOutcome run(Deadline work, SidecarMode mode, SidecarState atStart) throws InterruptedException {
        Duration delay = work.cap(settings.propagationDelay());
        if (atStart == SidecarState.GONE && !mode.equals(SidecarMode.NONE)) {
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
        return untilQuiet(end, quiet);
    }

    /**
     * The quiet rule of docs/timeline.md ("When the delay ends early"). A sidecar that answered once
     * and then cannot tell (late, refused, garbage) counts as activity, as does its counter moving
     * either way (backwards: it restarted): only evidence of silence ends the delay early.
     */
    private PhaseOutcome untilQuiet(Deadline end, Duration quiet) throws InterruptedException {
        Duration poll = Durations.max(MIN_POLL, quiet.dividedBy(4));
        // One stats call per poll; an answer later than the quiet time could not prove it anyway.
        Duration callCap = Durations.min(settings.adminTimeout(), quiet);
        long arrivals = inFlight.arrivals();
        OptionalLong counter = sidecar.inboundArrivals(end.cap(callCap));
        boolean sidecarAnswered = counter.isPresent();
        long lastChange = time.nanoTime();
        while (!end.isExpired()) {
            time.sleep(end.cap(poll));
            if (end.isExpired()) {
                break;
            }
            // Both samples are at least as recent as this instant, so silence is proven up to it only.
            long sampled = time.nanoTime();
            long a = inFlight.arrivals();
            OptionalLong c = sidecar.inboundArrivals(end.cap(callCap));
            long now = time.nanoTime();
            boolean changed = a != arrivals;
            if (c.isPresent()) {
                changed |= counter.isEmpty() || c.getAsLong() != counter.getAsLong();
                sidecarAnswered = true;
            } else if (sidecarAnswered) {
                changed = true;
            }
            arrivals = a;
            counter = c;
            if (changed) {
                // The request came before the sample, but "now" is the safe side: it holds longer.
                lastChange = now;
            } else if (sampled - lastChange >= quiet.toNanos() && inFlight.active() == 0) {
                return PhaseOutcome.succeeded("ended early: no inbound request for " + Durations.format(quiet)
                        + (sidecarAnswered ? " (sidecar counters and in-flight tracker)"
                                : " (in-flight tracker; the sidecar's counters unavailable)"));
            }
        }
        return PhaseOutcome.succeeded(null);
    }
}
