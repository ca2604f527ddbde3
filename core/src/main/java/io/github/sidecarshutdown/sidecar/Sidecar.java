package io.github.sidecarshutdown.sidecar;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the {@link io.github.sidecarshutdown.ShutdownCoordinator} needs of a sidecar. A {@link Mesh}
 * makes one for its mode; implementations talk to the sidecar on loopback and must honour every
 * timeout they are given; nothing here throws.
 *
 * <p>Two kinds of methods. <em>Calls</em> ({@link #probe}, {@link #facts}, {@link #isReady},
 * {@link #drainInbound}, {@link #release}, {@link #inboundArrivals}, {@link #identify}) go to the
 * sidecar. <em>Decisions</em> ({@link #drainCall()}, {@link #releaseDecision}) ask nothing: they say
 * what this sidecar takes, from what it was built with and what its facts resolved, so that the
 * startup plan and the run read the same answers (docs/sidecar-states.md).
 *
 * <p>The coordinator drains and releases a sidecar only on evidence (docs/sidecar-states.md, the
 * decision table): an implementation's {@link #probe} returns {@link SidecarState#TERMINATING} only on
 * positive evidence that the sidecar itself got its SIGTERM, and {@link SidecarState#UNKNOWN} whenever
 * it cannot tell; UNKNOWN never drains or releases anything.
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
     * {@code timeout}. Called only when {@link #drainCall()} names a call and the sidecar is seen
     * terminating. Never throws: a refusal is a result.
     */
    SidecarCallResult drainInbound(Duration timeout);

    /**
     * Tells the sidecar that the app is done, so the Pod can end now, within {@code timeout}. Called
     * only when {@link #releaseDecision} names a call for the state the sidecar was seen in and the
     * coordinator's rule allows it. Never throws: a refusal is a result.
     */
    SidecarCallResult release(Duration timeout);

    /**
     * Decision: the call that drains this sidecar's inbound traffic while outbound keeps working, as
     * the plan and the report name it (e.g. {@code POST /drain_listeners?inboundonly&graceful&skip_exit});
     * empty when this sidecar has none. Asks nothing.
     */
    default Optional<String> drainCall() {
        return Optional.empty();
    }

    /**
     * Decision: whether this sidecar takes a release in {@code state} and with which call, or why
     * not (a native sidecar never: the kubelet stops it after the app, and a release would get it
     * restarted). Asks nothing. The coordinator's rule has already allowed the state for the
     * workload. Default: never.
     */
    default ReleaseDecision releaseDecision(SidecarState state) {
        return ReleaseDecision.never(describe() + " is not released by the app");
    }

    /**
     * A count of the inbound requests (and, where the sidecar counts them, new inbound connections)
     * the sidecar has accepted since it started, read within {@code timeout}; empty when it cannot
     * tell. Only its changes mean anything: the propagation delay ends early only while it stays the
     * same (docs/timeline.md, "When the delay ends early"). A value lower than an earlier one means
     * the sidecar restarted. Never waits past {@code timeout}. Default: empty.
     */
    default OptionalLong inboundArrivals(Duration timeout) {
        return OptionalLong.empty();
    }

    /**
     * Whether what answers on this sidecar's endpoints proves it is this mesh's sidecar, by an answer
     * only that mesh gives (docs/sidecar-states.md, "Detection"), within {@code timeout}. Used by
     * {@code sidecar-mode=auto}. Default: false (never chosen by detection).
     */
    default boolean identify(Duration timeout) {
        return false;
    }

    /** A short description for logs, e.g. {@code envoy admin http://127.0.0.1:15000}. */
    String describe();

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
