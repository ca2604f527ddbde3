package io.github.sidecarshutdown.istio;

import io.github.sidecarshutdown.sidecar.ReleaseDecision;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;

import java.time.Duration;
import java.util.Optional;

/**
 * Istio ambient mode (docs/sidecar-protocol.md §7): the Pod has no sidecar; ztunnel on the node
 * carries its traffic and drops the Pod only once every container exited, so outbound works for
 * the whole shutdown. Nothing in the Pod can be asked or told anything: every call returns at once
 * and none touches the network. {@link #probe(Duration)} says {@link SidecarState#LIVE} (ztunnel
 * keeps forwarding), so the guard lets every task run with its own timeout; there is no drain call
 * and no release call.
 */
final class AmbientSidecar implements Sidecar {

    static final AmbientSidecar INSTANCE = new AmbientSidecar();

    /** Why nothing is released, as the report says it. */
    static final String NO_RELEASE = "ambient mode: ztunnel on the node carries the Pod's traffic until every container "
            + "exited; nothing to release";

    private AmbientSidecar() {
    }

    @Override
    public SidecarState probe(Duration timeout) {
        return SidecarState.LIVE;
    }

    @Override
    public SidecarFacts facts(Duration timeout) {
        return new SidecarFacts(SidecarMode.AMBIENT, Optional.empty(), Optional.empty(), false,
                Optional.empty(), "ambient.istio.io/redirection: enabled, no sidecar");
    }

    @Override
    public boolean isReady(Duration timeout) {
        // ztunnel is a node agent: it is up before the Pod's network is, so there is nothing to wait for.
        return true;
    }

    @Override
    public SidecarCallResult drainInbound(Duration timeout) {
        return SidecarCallResult.skipped("no drain call");
    }

    @Override
    public SidecarCallResult release(Duration timeout) {
        return SidecarCallResult.skipped("nothing to release");
    }

    @Override
    public ReleaseDecision releaseDecision(SidecarState state) {
        return ReleaseDecision.never(NO_RELEASE);
    }

    @Override
    public String describe() {
        return "ambient (ztunnel on the node)";
    }
}
