package io.github.sidecarshutdown.sidecar;

import java.util.Objects;

/**
 * What a drain or release call to a sidecar did: done, skipped with the sidecar's reason (a Linkerd
 * proxy whose shutdown endpoint is disabled), or failed with why. A result, not an exception: a
 * refused call is an outcome the report records, not a fault.
 *
 * @param outcome what happened
 * @param detail  for the report, e.g. {@code HTTP 404 shutdown endpoint is not enabled}; log-safe
 */
public record SidecarCallResult(Outcome outcome, String detail) {

    /** How the call ended. */
    public enum Outcome {
        /** The sidecar accepted the call. */
        DONE,
        /** The sidecar declined for a reason that is not a fault (reported as skipped). */
        SKIPPED,
        /** The call failed: refused, timed out, or an unexpected answer. */
        FAILED
    }

    public SidecarCallResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
    }

    /** The sidecar accepted the call. */
    public static SidecarCallResult done(String detail) {
        return new SidecarCallResult(Outcome.DONE, detail);
    }

    /** The sidecar declined, not as a fault. */
    public static SidecarCallResult skipped(String reason) {
        return new SidecarCallResult(Outcome.SKIPPED, reason);
    }

    /** The call failed. */
    public static SidecarCallResult failed(String why) {
        return new SidecarCallResult(Outcome.FAILED, why);
    }
}
