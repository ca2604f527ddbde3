package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The coordinator's configuration, validated and immutable. Built by
 * {@link ShutdownCoordinatorBuilder}; each component is one {@link io.github.sidecarshutdown.config.Setting}.
 *
 * @param enabled                  whether the library does anything
 * @param gracePeriod              the Pod's {@code terminationGracePeriodSeconds}
 * @param safetyMargin             left free before the kubelet's SIGKILL
 * @param propagationDelay         time to keep serving after readiness went off
 * @param quietPeriod              ends the delay after this long without a request; zero = off
 * @param drainTimeout             longest wait for in-flight requests
 * @param cleanupBudget            cap on the cleanup phase; empty = what is left
 * @param taskTimeout              timeout of a task that sets none
 * @param minimumTaskWindow        a network task with less window left is skipped
 * @param sidecarMode              which sidecar
 * @param adminUrl                 Envoy admin URL
 * @param agentUrl                 pilot-agent URL
 * @param allowNonLoopback         whether admin and agent may be off loopback
 * @param adminTimeout             timeout of one admin or agent call
 * @param releaseSidecar           whether to release the sidecar when done
 * @param terminationDrainDuration window assumed when {@code /server_info} does not say
 * @param startupWait              longest wait for the sidecar at startup
 * @param startupPolicy            what happens when no sidecar answers at startup
 * @param annotationsFile          the downward-API annotations file
 * @param linkerdAdminUrl          linkerd-proxy admin URL
 * @param daprUrl                  daprd HTTP API URL
 */
public record ShutdownSettings(
        boolean enabled,
        Duration gracePeriod,
        Duration safetyMargin,
        Duration propagationDelay,
        Duration quietPeriod,
        Duration drainTimeout,
        Optional<Duration> cleanupBudget,
        Duration taskTimeout,
        Duration minimumTaskWindow,
        SidecarMode sidecarMode,
        URI adminUrl,
        URI agentUrl,
        boolean allowNonLoopback,
        Duration adminTimeout,
        boolean releaseSidecar,
        Duration terminationDrainDuration,
        Duration startupWait,
        StartupPolicy startupPolicy,
        java.nio.file.Path annotationsFile,
        URI linkerdAdminUrl,
        URI daprUrl) {

    /** The whole shutdown's budget: grace period minus safety margin. */
    public Duration budget() {
        return Durations.nonNegative(gracePeriod.minus(safetyMargin));
    }
}
