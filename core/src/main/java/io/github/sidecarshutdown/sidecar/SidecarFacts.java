package io.github.sidecarshutdown.sidecar;

import java.time.Duration;
import java.util.Optional;

/**
 * What is known about the sidecar's termination: which kind it is and how long it keeps forwarding
 * outbound traffic after the Pod's SIGTERM.
 *
 * @param mode                     the resolved mode (never {@link SidecarMode#AUTO})
 * @param version                  e.g. {@code istio 1.26.2}, or empty
 * @param terminationDrainDuration the outbound window after SIGTERM (classic Istio); empty when
 *                                 there is none (native, none) or it is unknown (plain Envoy)
 * @param exitOnZeroActiveConnections whether pilot-agent waits for connections to close instead
 * @param minimumDrainDuration     with exit-on-zero, the guaranteed part of the window
 * @param source                   where the facts came from, for the plan log (e.g. {@code /server_info})
 */
public record SidecarFacts(
        SidecarMode mode,
        Optional<String> version,
        Optional<Duration> terminationDrainDuration,
        boolean exitOnZeroActiveConnections,
        Optional<Duration> minimumDrainDuration,
        String source) {

    /** Facts for a Pod without sidecar. */
    public static SidecarFacts none(String source) {
        return new SidecarFacts(SidecarMode.NONE, Optional.empty(), Optional.empty(), false, Optional.empty(), source);
    }

    /** Whether the sidecar stops forwarding on its own some time after the Pod's SIGTERM. */
    public boolean hasOutboundWindow() {
        return mode.hasOutboundWindow() && terminationDrainDuration.isPresent();
    }

    /** The window that is guaranteed after termination began, if there is one. */
    public Optional<Duration> guaranteedWindow() {
        if (!mode.hasOutboundWindow()) {
            return Optional.empty();
        }
        if (exitOnZeroActiveConnections) {
            return Optional.of(minimumDrainDuration.orElse(Duration.ofSeconds(5)));
        }
        return terminationDrainDuration;
    }
}
