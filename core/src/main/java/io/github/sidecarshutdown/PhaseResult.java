package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Durations;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How one phase ended.
 *
 * @param phase       the phase
 * @param outcome     {@code SUCCEEDED}, or what went wrong as a whole (a failed task does not fail
 *                    its phase; see {@link ShutdownReport#tasks()})
 * @param startOffset when it started, from the start of the shutdown
 * @param elapsed     how long it took
 * @param detail      what happened, e.g. {@code ended early after 1s quiet}; may be null
 */
public record PhaseResult(
        ShutdownPhase phase,
        TaskOutcome outcome,
        Duration startOffset,
        Duration elapsed,
        @Nullable String detail) {

    public PhaseResult {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(startOffset, "startOffset");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** {@code phase=outcome 5s (detail)}. */
    public String summary() {
        return phase.tagValue() + "=" + outcome.tagValue() + " " + Durations.format(elapsed)
                + (detail == null ? "" : " (" + detail + ")");
    }
}
