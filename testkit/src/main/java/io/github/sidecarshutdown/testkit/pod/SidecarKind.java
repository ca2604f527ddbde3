package io.github.sidecarshutdown.testkit.pod;

/**
 * How the kubelet treats the sidecar container when the Pod is deleted.
 */
public enum SidecarKind {
    /**
     * A classic sidecar (a regular container): the application and the sidecar receive SIGTERM
     * at the same instant.
     */
    CLASSIC,
    /**
     * A native sidecar (Kubernetes sidecar container, init container with
     * {@code restartPolicy: Always}): the sidecar's preStop hook runs at deletion (emulated by
     * creating a file), the application gets SIGTERM, and the sidecar gets SIGTERM only after
     * the application container has exited.
     */
    NATIVE,
    /**
     * No sidecar: only the application container runs and receives SIGTERM.
     */
    NONE
}
