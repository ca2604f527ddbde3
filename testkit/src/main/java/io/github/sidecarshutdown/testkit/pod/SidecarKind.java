package io.github.sidecarshutdown.testkit.pod;

/**
 * How the kubelet treats the sidecar container when the Pod is deleted.
 */
public enum SidecarKind {
    /**
     * A classic sidecar (a regular container): the application and the sidecar receive SIGTERM
     * at the same instant. Consul's and Kuma's injected sidecars are of this kind: neither mesh
     * injects a preStop hook (docs/emulator-meshes.md).
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
     * A classic sidecar with the preStop loop that meshes recommend as a workaround (the
     * sidecar's preStop hook {@code while [ $(netstat -plunt | grep tcp | grep -v envoy | wc -l) -ne 0 ];
     * do sleep 1; done}): the application gets SIGTERM at deletion, the sidecar's preStop polls
     * (every second by default) until the application's port refuses connections, and the
     * kubelet sends the sidecar SIGTERM only once the hook returns; both bounded by the grace
     * period. Needs {@link PodSimulatorBuilder#preStopLoopPort(java.util.function.ToIntFunction)}.
     */
    PRESTOP_LOOP,
    /**
     * Istio ambient mode: no proxy container in the Pod; the "sidecar" process stands for the node's
     * ztunnel serving this Pod (the emulator in {@code EmulatorMode.AMBIENT}). It is not a container:
     * at deletion only the application gets SIGTERM, and the stand-in gets SIGTERM ("ztunnel removes
     * the Pod") once every container has exited, so outbound works for the whole shutdown. Its exit
     * does not count towards the Pod's end nor its phase.
     */
    AMBIENT,
    /**
     * No sidecar: only the application container runs and receives SIGTERM.
     */
    NONE
}
