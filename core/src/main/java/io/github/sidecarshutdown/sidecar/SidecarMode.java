package io.github.sidecarshutdown.sidecar;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which sidecar the app runs beside; setting {@code sidecar-mode}
 * ({@code auto|istio|envoy|native|linkerd|dapr|consul|kuma|ambient|none}). Each kind names its calls,
 * whether it keeps forwarding outbound for a bounded window after the Pod's SIGTERM, the knob that
 * sets that window, and whether its own SIGTERM can be seen from the app (docs/sidecar-states.md).
 */
public enum SidecarMode {
    /**
     * Find out: Envoy admin answering with {@code ISTIO_VERSION} means classic Istio, answering
     * without it plain Envoy; else an Envoy on Consul's admin port whose node is Consul's, with the
     * dataplane's lifecycle server answering, means Consul; an Envoy on Kuma's admin port whose node
     * metadata names kuma-dp means Kuma; else linkerd-proxy's admin answering means Linkerd, else daprd's
     * metadata answering means Dapr; the Pod's injector annotations settle Consul and Kuma outright;
     * the ambient annotation with no Envoy means ambient;
     * nothing listening means no sidecar. A native sidecar shows itself at
     * shutdown (pilot-agent keeps answering), so no window is imposed and no release is sent.
     */
    AUTO(null, null, false),
    /** Classic Istio sidecar: killed {@code terminationDrainDuration} after the Pod's SIGTERM. */
    ISTIO("POST /drain_listeners?inboundonly&graceful&skip_exit", "POST /quitquitquit", true, true, "terminationDrainDuration",
            Text.ISTIO_WINDOW_ANNOTATION),
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
     * Consul's consul-dataplane with Envoy (admin {@code :19000}, lifecycle server {@code :20600}
     * under consul-k8s). On SIGTERM the dataplane drains Envoy's inbound listeners itself, keeps
     * Envoy forwarding for a fixed {@code shutdownGracePeriodSeconds} (annotation
     * {@code consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds}, consul-k8s
     * default 30 s), then quits Envoy. Nothing the app can see changes at that SIGTERM, so the window
     * is assumed to run from the app's own SIGTERM, no drain call is made, and the release
     * ({@code POST :19000/quitquitquit}; the dataplane exits with Envoy) happens only where the
     * app's exit is the Pod's end: the job workload.
     */
    CONSUL(null, "POST /quitquitquit", true, false,
            "consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds",
            "consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds: \"%d\""),
    /**
     * Kuma / Kong Mesh's kuma-dp with Envoy (admin {@code :9901}). On SIGTERM kuma-dp fails Envoy's
     * health checks ({@code /ready} turns 503 {@code DRAINING}, the evidence of termination), keeps
     * Envoy forwarding for its drain time ({@code kuma.io/sidecar-drain-time}, default 30 s), then
     * stops Envoy and exits. Released with {@code POST :9901/quitquitquit} (kuma-dp exits with
     * Envoy); while kuma-dp waits out its drain time a release cannot end the Pod sooner, so the
     * adapter skips it then.
     */
    KUMA("POST /drain_listeners?inboundonly&graceful&skip_exit", "POST /quitquitquit", true, true,
            "kuma.io/sidecar-drain-time", "kuma.io/sidecar-drain-time: \"%ds\""),
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

    /** Holds what the constants share: an enum's constants cannot name its own static fields. */
    private static final class Text {
        static final String ISTIO_WINDOW_ANNOTATION = "proxy.istio.io/config: '{\"terminationDrainDuration\": \"%ds\"}'";
    }

    private final @Nullable String drainCall;
    private final @Nullable String releaseCall;
    private final boolean outboundWindow;
    private final boolean terminationVisible;
    private final String windowKnob;
    private final String windowAnnotation;

    SidecarMode(@Nullable String drainCall, @Nullable String releaseCall, boolean outboundWindow) {
        this(drainCall, releaseCall, outboundWindow, true, "terminationDrainDuration", Text.ISTIO_WINDOW_ANNOTATION);
    }

    SidecarMode(@Nullable String drainCall, @Nullable String releaseCall, boolean outboundWindow, boolean terminationVisible,
            String windowKnob, String windowAnnotation) {
        this.drainCall = drainCall;
        this.releaseCall = releaseCall;
        this.outboundWindow = outboundWindow;
        this.terminationVisible = terminationVisible;
        this.windowKnob = windowKnob;
        this.windowAnnotation = windowAnnotation;
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

    /** Whether this kind of sidecar keeps forwarding outbound for a bounded window after the Pod's SIGTERM (classic Istio, Consul, Kuma). */
    public boolean hasOutboundWindow() {
        return outboundWindow;
    }

    /**
     * Whether the app can see this kind of sidecar get its SIGTERM (a probe then says TERMINATING).
     * False for Consul: its dataplane keeps every answer the same until it quits Envoy, so its window
     * is taken to run from the app's own SIGTERM (the kubelet signals both containers together) and
     * it is released only in the job workload, where the app's exit is the Pod's end.
     */
    public boolean terminationVisible() {
        return terminationVisible;
    }

    /**
     * The Pod annotation that sets this kind of sidecar's window to {@code seconds}, as a fix in the
     * plan's warnings (e.g. {@code kuma.io/sidecar-drain-time: "40s"}).
     */
    public String windowAnnotation(long seconds) {
        return String.format(java.util.Locale.ROOT, windowAnnotation, seconds);
    }

    /** What sets this kind of sidecar's outbound window, as the plan and the guard name it (e.g. {@code kuma.io/sidecar-drain-time}). */
    public String windowKnob() {
        return windowKnob;
    }
}
