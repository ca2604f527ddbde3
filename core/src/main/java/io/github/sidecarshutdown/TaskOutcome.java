package io.github.sidecarshutdown;

import java.util.Locale;

/** How a task or phase ended. Every task ends with exactly one. */
public enum TaskOutcome {
    /** It ran and returned. */
    SUCCEEDED,
    /** It threw, or the sidecar was gone before it could run; the reason says which. */
    FAILED,
    /** It did not finish within its timeout and was abandoned (interrupted). */
    TIMED_OUT,
    /** It did not run; the reason says why (no time left, window too short, disabled, ...). */
    SKIPPED;

    /** Lowercase name for logs, JSON and metric tags. */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
