package io.github.sidecarshutdown.sidecar;

/** Which sidecar the app runs beside; setting {@code sidecar-mode}. */
public enum SidecarMode {
    /**
     * Find out: Envoy admin answering with {@code ISTIO_VERSION} means classic Istio, answering
     * without it plain Envoy, nothing listening means no sidecar. A native sidecar shows itself at
     * shutdown (pilot-agent keeps answering), so no window is imposed and no release is sent.
     */
    AUTO,
    /** Classic Istio sidecar: killed {@code terminationDrainDuration} after the Pod's SIGTERM. */
    ISTIO,
    /** Plain Envoy with an admin port, no pilot-agent. */
    ENVOY,
    /** Istio native sidecar (Kubernetes sidecar container): outbound works until the app exits. */
    NATIVE,
    /** No sidecar: no admin calls, no window, no added delay. */
    NONE
}
