package io.github.sidecarshutdown.sidecar;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Which sidecar the app runs beside; setting {@code sidecar-mode} ({@code auto|istio|envoy|native|linkerd|dapr|ambient|none}). */
public enum SidecarMode {
    /**
     * Find out: Envoy admin answering with {@code ISTIO_VERSION} means classic Istio, answering
     * without it plain Envoy; else linkerd-proxy's admin answering means Linkerd, else daprd's
     * health endpoint answering means Dapr; the ambient annotation with no Envoy means ambient;
     * nothing listening means no sidecar. A native sidecar shows itself at
     * shutdown (pilot-agent keeps answering), so no window is imposed and no release is sent.
     */
    AUTO(null, null, false),
    /** Classic Istio sidecar: killed {@code terminationDrainDuration} after the Pod's SIGTERM. */
    ISTIO("POST /drain_listeners?inboundonly&graceful&skip_exit", "POST /quitquitquit", true),
    /** Plain Envoy with an admin port, no pilot-agent. */
    ENVOY(null, null, false),
    /** Istio native sidecar (Kubernetes sidecar container): outbound works until the app exits. */
    NATIVE("POST /drain_listeners?inboundonly&graceful&skip_exit", null, false),
    /**
     * Linkerd's proxy (admin {@code :4191}). On SIGTERM linkerd-proxy stops accepting new
     * connections, inbound and outbound, finishes the open ones and exits: there is no outbound
     * window after SIGTERM (unless the Pod sets {@code config.alpha.linkerd.io/proxy-wait-before-exit-seconds},
     * a preStop sleep on the proxy). The app's last calls should go over connections opened before,
     * or the proxy's wait must cover them. Released with {@code POST /shutdown} when the app is done.
     */
    LINKERD(null, "POST /shutdown", false),
    /**
     * Dapr's daprd (HTTP API {@code :3500}). On SIGTERM daprd shuts down gracefully: it stops its
     * inbound listeners and the app channel and exits within {@code --dapr-graceful-shutdown-seconds}
     * (default 5 s); calls the app makes through the Dapr API in that time are not guaranteed, so
     * there is no outbound window to plan with. Released with {@code POST /v1.0/shutdown}.
     */
    DAPR(null, "POST /v1.0/shutdown", false),
    /**
     * Istio ambient mode: no sidecar in the Pod; ztunnel on the node carries its traffic and forgets
     * the Pod only after every container exited, so outbound works for the whole shutdown. No admin
     * call is made, nothing is drained or released; readiness off and the propagation delay still
     * run (peers must stop choosing the Pod before it goes). In {@code auto}, chosen when the Pod's
     * annotations carry {@code ambient.istio.io/redirection: enabled} and Envoy's admin port proves
     * nothing.
     */
    AMBIENT(null, null, false),
    /** No sidecar: no admin calls, no window, no added delay. */
    NONE(null, null, false);

    private final @Nullable String drainCall;
    private final @Nullable String releaseCall;
    private final boolean outboundWindow;

    SidecarMode(@Nullable String drainCall, @Nullable String releaseCall, boolean outboundWindow) {
        this.drainCall = drainCall;
        this.releaseCall = releaseCall;
        this.outboundWindow = outboundWindow;
    }

    /**
     * The call that drains this kind of sidecar's inbound traffic while outbound keeps working
     * (made only while it is seen terminating); empty when it has none. {@code skip_exit} keeps
     * Envoy's inbound listeners open after its drain time, where without it they stop accepting
     * while the Pod may still be Ready (Envoy before 1.28 ignores the unknown flag).
     */
    public Optional<String> drainCall() {
        return Optional.ofNullable(drainCall);
    }

    /**
     * The call that lets this kind of sidecar exit once the app is done (made only while it is seen
     * terminating); empty when the app never releases it (native: the kubelet stops it after the
     * app, and a release would get it restarted; plain Envoy; none).
     */
    public Optional<String> releaseCall() {
        return Optional.ofNullable(releaseCall);
    }

    /** Whether this kind of sidecar keeps forwarding outbound for a bounded window after the Pod's SIGTERM (classic Istio). */
    public boolean hasOutboundWindow() {
        return outboundWindow;
    }
}
