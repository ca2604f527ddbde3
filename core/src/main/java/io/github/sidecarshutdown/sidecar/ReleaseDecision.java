package io.github.sidecarshutdown.sidecar;

import java.util.Objects;
import java.util.Optional;

/**
 * What a sidecar says about being released in a given state, without asking it anything: the call
 * it would take, or why it must not be released then (a native sidecar never, kuma-dp once it is
 * terminating). The coordinator's own rule (docs/sidecar-states.md) decides first whether the state
 * and the workload allow a release at all; the plan and the run both ask this, so the plan names
 * exactly the calls the run makes.
 *
 * @param call   the call, e.g. {@code POST /quitquitquit}; empty when not released
 * @param reason why not, for the plan and the report; empty when {@code call} is present
 */
public record ReleaseDecision(Optional<String> call, String reason) {

    public ReleaseDecision {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(reason, "reason");
    }

    /** Released with {@code call}. */
    public static ReleaseDecision release(String call) {
        return new ReleaseDecision(Optional.of(call), "");
    }

    /** Not released, for {@code reason}. */
    public static ReleaseDecision never(String reason) {
        return new ReleaseDecision(Optional.empty(), reason);
    }

    /** Whether the sidecar takes a release call. */
    public boolean releases() {
        return call.isPresent();
    }
}
