package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.Workload;
import io.github.sidecarshutdown.sidecar.ReleaseDecision;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.util.Locale;
import java.util.Optional;

/**
 * The one rule for releasing the sidecar (docs/sidecar-states.md, "The decision table"), asked by the
 * plan for the states the sidecar will show and by the run for the state it shows: in a service,
 * only a sidecar seen terminating, since a live one means the Pod is not being deleted; in a Job,
 * where the app's exit is the Pod's end, a sidecar in every state in which it exists or may still
 * appear (starting, live, terminating; unknown is asked again until the deadline); never one that is
 * gone or absent; and always through the sidecar's own {@link Sidecar#releaseDecision}, which may
 * decline (native, plain Envoy, kuma-dp while terminating). UNKNOWN never releases.
 */
final class ReleaseRule {

    /** What to do now. */
    enum Verdict {
        /** Make the call. */
        RELEASE,
        /** Nothing can be told yet: ask the sidecar again (a Job's sidecar that may still appear or answer). */
        RETRY,
        /** Do not release, for the reason given. */
        SKIP
    }

    /**
     * @param verdict what to do
     * @param call    the call, for {@link Verdict#RELEASE}
     * @param reason  why not, for {@link Verdict#SKIP} and {@link Verdict#RETRY}
     */
    record Decision(Verdict verdict, Optional<String> call, String reason) {

        static Decision release(String call) {
            return new Decision(Verdict.RELEASE, Optional.of(call), "");
        }

        static Decision skip(String reason) {
            return new Decision(Verdict.SKIP, Optional.empty(), reason);
        }

        static Decision retry(String reason) {
            return new Decision(Verdict.RETRY, Optional.empty(), reason);
        }
    }

    private ReleaseRule() {
    }

    /**
     * @param enabled            setting {@code release-sidecar}
     * @param workload           the resolved workload
     * @param terminationVisible whether the sidecar's SIGTERM can be seen (its facts)
     * @param sidecar            the sidecar, for its own decision
     * @param state              the state it is seen in
     */
    static Decision decide(boolean enabled, Workload workload, boolean terminationVisible, Sidecar sidecar, SidecarState state) {
        if (!enabled) {
            return Decision.skip("release-sidecar=false");
        }
        boolean job = workload == Workload.JOB;
        switch (state) {
            case GONE:
                return Decision.skip("sidecar gone: it already exited");
            case ABSENT:
                return Decision.skip("sidecar absent: nothing answers");
            case UNKNOWN:
                if (job && sidecar.releaseDecision(state).releases()) {
                    return Decision.retry("sidecar unknown: it does not answer clearly yet");
                }
                return Decision.skip("sidecar unknown: not known to be terminating, so it is left alone");
            case TERMINATING:
                return own(sidecar, state);
            case LIVE:
                if (job) {
                    return own(sidecar, state);
                }
                if (!terminationVisible) {
                    // Consul: its SIGTERM changes nothing the app can see, so "live" proves nothing either way.
                    return Decision.skip("the sidecar shows no sign of its own SIGTERM, so the app cannot know the Pod "
                            + "is ending (workload service): it is left to quit at the end of its window");
                }
                return Decision.skip("sidecar live (still ready) and workload service: the Pod is not being deleted, so the "
                        + "sidecar is left running");
            case STARTING:
                if (job) {
                    return own(sidecar, state);
                }
                return Decision.skip("sidecar starting: not known to be terminating, so it is left alone");
            default:
                return Decision.skip("sidecar " + state.name().toLowerCase(Locale.ROOT) + ": left alone");
        }
    }

    private static Decision own(Sidecar sidecar, SidecarState state) {
        ReleaseDecision d = sidecar.releaseDecision(state);
        return d.releases() ? Decision.release(d.call().orElseThrow()) : Decision.skip(d.reason());
    }

    /**
     * The state a sidecar shows at the end of the app during a Pod's deletion: terminating when its
     * SIGTERM can be seen, live otherwise (the plan's view of a service).
     */
    static SidecarState duringDeletion(boolean terminationVisible) {
        return terminationVisible ? SidecarState.TERMINATING : SidecarState.LIVE;
    }
}
