package io.github.sidecarshutdown.testkit.emulator;

import java.time.Duration;
import java.util.function.Consumer;

/** The validated, immutable configuration built by {@link SidecarEmulatorBuilder}. */
record EmulatorSettings(
        EmulatorMode mode,
        String istioVersion,
        String envoyVersion,
        boolean legacyEnvoyDrain,
        boolean exitOnZeroActiveConnections,
        boolean downstreamConnectionStats,
        boolean trafficStats,
        Duration terminationDrainDuration,
        Duration drainDuration,
        Duration minimumDrainDuration,
        Duration activeConnectionCheckInterval,
        Duration statsRequestTimeout,
        Duration statsFlushInterval,
        Duration healthConnectTimeout,
        Duration timeToInitializing,
        Duration timeToLive,
        int appPort,
        int adminPort,
        int agentPort,
        boolean statusServerEnabled,
        int healthPort,
        int outboundPort,
        int inboundPort,
        boolean shutdownEndpointEnabled,
        Duration shutdownGracePeriod,
        boolean shutdownDrainListeners,
        Duration startupGracePeriod,
        Consumer<SidecarEvent> listener) {

    IstioVersion version() {
        return IstioVersion.parse(istioVersion);
    }

    /** The emulated Envoy's version; modes without Envoy report none and get the newest behaviour. */
    EnvoyVersion envoy() {
        return envoyVersion.isEmpty() ? new EnvoyVersion(Integer.MAX_VALUE, 0) : EnvoyVersion.parse(envoyVersion);
    }
}
