package io.github.sidecarshutdown.sidecar;

import java.time.Duration;

/** A Pod without sidecar: no call is made, nothing is drained or released. */
final class NoSidecar implements Sidecar {

    static final NoSidecar INSTANCE = new NoSidecar();

    private NoSidecar() {
    }

    @Override
    public SidecarState probe(Duration timeout) {
        return SidecarState.ABSENT;
    }

    @Override
    public SidecarFacts facts(Duration timeout) {
        return SidecarFacts.none("sidecar-mode none");
    }

    @Override
    public boolean isReady(Duration timeout) {
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
        return ReleaseDecision.never("no sidecar");
    }

    @Override
    public String describe() {
        return "no sidecar";
    }
}
