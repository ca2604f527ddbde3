package io.github.sidecarshutdown.sidecar;

import java.time.Duration;

/**
 * What the {@link io.github.sidecarshutdown.ShutdownCoordinator} needs of a sidecar. Implementations
 * talk to it on loopback and must honour every timeout they are given; {@link #probe(Duration)} and
 * {@link #facts(Duration)} never throw.
 *
 * <p>{@link io.github.sidecarshutdown.envoy.EnvoySidecar} covers Istio and plain Envoy,
 * {@link io.github.sidecarshutdown.linkerd.LinkerdSidecar} Linkerd's proxy,
 * {@link io.github.sidecarshutdown.dapr.DaprSidecar} Dapr's daprd; {@link #none()} stands for a Pod
 * without sidecar.
 */
public interface Sidecar {

    /** The current state; never throws (a failed probe is a state). */
    SidecarState probe(Duration timeout);

    /** Facts about termination; discovered once, then cached. Never throws. */
    SidecarFacts facts(Duration timeout);

    /** Whether the sidecar is ready to carry traffic (startup wait). Never throws. */
    boolean isReady(Duration timeout);

    /**
     * Asks the sidecar to drain inbound connections only, keeping outbound working.
     *
     * @throws RuntimeException if the sidecar refused; the coordinator records it and goes on
     */
    void drainInbound(Duration timeout);

    /**
     * Tells the sidecar that the app is done, so the Pod can end now.
     *
     * @throws RuntimeException if the sidecar refused; the coordinator records it
     */
    void release(Duration timeout);

    /** A short description for logs, e.g. {@code envoy admin http://127.0.0.1:15000}. */
    String describe();

    /** No sidecar: every call returns at once. */
    static Sidecar none() {
        return NoSidecar.INSTANCE;
    }
}
