package io.github.sidecarshutdown.testkit.emulator;

import java.time.Duration;

/**
 * The other Envoy-based meshes' defaults the emulator starts from (docs/emulator-meshes.md has each one's
 * source): consul-k8s's proxy lifecycle defaults and kuma-dp's drain time.
 */
final class MeshDefaults {

    /** consul-k8s Helm {@code connectInject.sidecarProxy.lifecycle.defaultShutdownGracePeriodSeconds}. */
    static final Duration CONSUL_SHUTDOWN_GRACE_PERIOD = Duration.ofSeconds(30);
    /** consul-dataplane {@code -envoy-drain-time-seconds}, passed to Envoy as {@code --drain-time-s}. */
    static final Duration CONSUL_ENVOY_DRAIN_TIME = Duration.ofSeconds(30);
    /** kuma-dp {@code --drain-time} (injector {@code kuma.io/sidecar-drain-time}), also Envoy's drain time. */
    static final Duration KUMA_DRAIN_TIME = Duration.ofSeconds(30);

    private MeshDefaults() {
    }

    /** Envoy's drain time by default in {@code mode}. */
    static Duration drainDuration(EmulatorMode mode) {
        switch (mode) {
            case CONSUL:
                return CONSUL_ENVOY_DRAIN_TIME;
            case KUMA:
                return KUMA_DRAIN_TIME;
            default:
                return IstioDefaults.DRAIN_DURATION;
        }
    }
}
