package io.github.sidecarshutdown.testkit.pod;

/**
 * The role of a container in the simulated Pod.
 */
public enum ContainerRole {
    /** The sidecar container (Istio's {@code istio-proxy}, or its emulator). */
    SIDECAR,
    /** The application container. */
    APP
}
