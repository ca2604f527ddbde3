package io.github.sidecarshutdown;

import java.util.Locale;

/** How a shutdown went as a whole ({@link ShutdownReport#outcome()}). */
public enum ReportOutcome {
    /** Every task succeeded and no phase failed or timed out. */
    CLEAN,
    /** Some task failed, timed out or was skipped, or a phase failed or timed out. */
    DEGRADED,
    /** A snapshot of a shutdown that is still running, or was abandoned at its deadline. */
    INCOMPLETE,
    /** The library is turned off ({@code enabled=false}): nothing was done, on purpose. */
    DISABLED;

    /** Lowercase name for logs, metrics tags and JSON, e.g. {@code clean}. */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
