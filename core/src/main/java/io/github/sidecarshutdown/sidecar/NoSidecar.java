package io.github.sidecarshutdown.sidecar;

import java.time.Duration;

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
    public String noReleaseReason() {
        return "no sidecar";
    }

    @Override
    public String describe() {
        return "no sidecar";
    }
}
