package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Durations;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How one task ended.
 *
 * @param name        the task's name
 * @param phase       its phase
 * @param outcome     exactly one outcome
 * @param startOffset when it started, measured from the start of the shutdown
 * @param elapsed     how long it took (0 when skipped)
 * @param attempts    how many times it ran (0 when skipped)
 * @param reason      why it failed, timed out or was skipped; null when it succeeded
 * @param failure     what it threw, if it threw
 */
public record TaskResult(
        String name,
        ShutdownPhase phase,
        TaskOutcome outcome,
        Duration startOffset,
        Duration elapsed,
        int attempts,
        @Nullable String reason,
        @Nullable Throwable failure) {

    public TaskResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(startOffset, "startOffset");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** {@code name=outcome 120ms (reason)}. */
    public String summary() {
        return name + "=" + outcome.tagValue() + " " + Durations.format(elapsed) + (reason == null ? "" : " (" + reason + ")");
    }
}
