package io.github.sidecarshutdown.sidecar;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the {@link io.github.sidecarshutdown.ShutdownCoordinator} needs of a sidecar. Implementations
 * talk to it on loopback and must honour every timeout they are given; {@link #probe(Duration)} and
 * {@link #facts(Duration)} never throw.
 *
 * <p>{@link io.github.sidecarshutdown.envoy.EnvoySidecar} covers Istio and plain Envoy,
 * {@link io.github.sidecarshutdown.linkerd.LinkerdSidecar} Linkerd's proxy,
 * {@link io.github.sidecarshutdown.dapr.DaprSidecar} Dapr's daprd,
 * {@link io.github.sidecarshutdown.consul.ConsulSidecar} Consul's dataplane,
 * {@link io.github.sidecarshutdown.kuma.KumaSidecar} Kuma's kuma-dp; {@link #none()} stands for a Pod
 * without sidecar.
 *
 * <p>The coordinator drains and releases a sidecar only when {@link #probe(Duration)} says
 * {@link SidecarState#TERMINATING} (or, for the release only, {@link SidecarState#LIVE} in the job
 * workload, where the app's exit is the Pod's end), and only with the calls this sidecar names in
 * {@link #drainCall()} and {@link #releaseCall()}: an implementation returns TERMINATING only on
 * positive evidence that the sidecar itself got its SIGTERM (see {@code docs/sidecar-states.md}),
 * and {@code UNKNOWN} whenever it cannot tell; UNKNOWN never drains or releases anything.
 */
public interface Sidecar {

    /** The current state; never throws (a failed probe is a state). */
    SidecarState probe(Duration timeout);

    /** Facts about termination; discovered once, then cached. Never throws. */
    SidecarFacts facts(Duration timeout);

    /** Whether the sidecar is ready to carry traffic (startup wait). Never throws. */
    boolean isReady(Duration timeout);

    /**
     * Asks the sidecar to drain inbound connections only, keeping outbound working, within
     * {@code timeout}. The coordinator calls it only when {@link #drainCall()} names a call and the
     * sidecar is seen terminating. Never throws: a refusal is a result.
     */
    SidecarCallResult drainInbound(Duration timeout);

    /**
     * Tells the sidecar that the app is done, so the Pod can end now, within {@code timeout}. The
     * coordinator calls it only when {@link #releaseCall()} names a call and the rules of
     * {@code docs/sidecar-states.md} allow it. Never throws: a refusal is a result.
     */
    SidecarCallResult release(Duration timeout);

    /**
     * The call that drains this sidecar's inbound traffic while outbound keeps working, as it
     * appears in the plan and the report (e.g.
     * {@code POST /drain_listeners?inboundonly&graceful&skip_exit}); empty when this sidecar has none.
     */
    default Optional<String> drainCall() {
        return Optional.empty();
    }

    /**
     * The call that lets this sidecar exit once the app is done (e.g. {@code POST /quitquitquit});
     * empty when the app must never release it (a native sidecar, which the kubelet stops after the
     * app; plain Envoy; no sidecar).
     */
    default Optional<String> releaseCall() {
        return Optional.empty();
    }

    /** Why {@link #releaseCall()} is empty, for the report (e.g. {@code native sidecar: the kubelet stops it}). */
    default String noReleaseReason() {
        return describe() + " is not released by the app";
    }

    /**
     * A count of the inbound requests (and, where the sidecar counts them, new inbound connections)
     * the sidecar has accepted since it started, read within {@code timeout}; empty when it cannot
     * tell (no such counter exposed, no answer in time, an unreadable answer). Only its changes mean
     * anything: the propagation delay ends early only while it stays the same (docs/timeline.md,
     * "When the delay ends early"). A value lower than an earlier one means the sidecar restarted.
     * Never throws and never waits past {@code timeout}. Default: empty.
     */
    default OptionalLong inboundArrivals(Duration timeout) {
        return OptionalLong.empty();
    }

    /** A short description for logs, e.g. {@code envoy admin http://127.0.0.1:15000}. */
    String describe();

    /**
     * Istio ambient mode: no sidecar in the Pod, ztunnel on the node. Probes say LIVE, no call is
     * made, nothing is drained or released.
     */
    static Sidecar ambient() {
        return AmbientSidecar.INSTANCE;
    }

    /** No sidecar: every call returns at once. */
    static Sidecar none() {
        return NoSidecar.INSTANCE;
    }

    /**
     * The sidecar's own count of the app's outbound requests and connections, per upstream host of
     * its outbound clusters (never the inbound or the sidecar's own clusters), read within
     * {@code timeout}; empty when it cannot tell (no such count, no answer in time, an unreadable
     * answer). The sidecar release reads it to wait, bounded by the deadline, for requests that
     * started since the shutdown began and are still in flight ({@code docs/whole-jvm.md}). Never
     * throws and never waits past {@code timeout}. Default: empty.
     */
    default Optional<OutboundTraffic> outboundTraffic(Duration timeout) {
        return Optional.empty();
    }
}
