package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.sidecar.ReleaseDecision;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A sidecar the Pod's annotations show injected (its injector's own mark): until it answers it is
 * STARTING, not ABSENT, because it exists and may start after the app (docs/sidecar-states.md,
 * "Injected but not answering"). So the startup wait waits for it, and a Job's release asks it again
 * until the deadline. Everything else is the sidecar's own.
 */
final class ExpectedSidecar implements Sidecar {

    private final Sidecar sidecar;
    private final String injectedPer;

    /**
     * @param sidecar     the mesh's adapter
     * @param injectedPer where the injection was seen, for logs (e.g. {@code sidecar.istio.io/status in /etc/podinfo/annotations})
     */
    ExpectedSidecar(Sidecar sidecar, String injectedPer) {
        this.sidecar = sidecar;
        this.injectedPer = injectedPer;
    }

    @Override
    public SidecarState probe(Duration timeout) {
        SidecarState s = sidecar.probe(timeout);
        return s == SidecarState.ABSENT ? SidecarState.STARTING : s;
    }

    @Override
    public SidecarFacts facts(Duration timeout) {
        return sidecar.facts(timeout);
    }

    @Override
    public boolean isReady(Duration timeout) {
        return sidecar.isReady(timeout);
    }

    @Override
    public SidecarCallResult drainInbound(Duration timeout) {
        return sidecar.drainInbound(timeout);
    }

    @Override
    public SidecarCallResult release(Duration timeout) {
        return sidecar.release(timeout);
    }

    @Override
    public Optional<String> drainCall() {
        return sidecar.drainCall();
    }

    @Override
    public ReleaseDecision releaseDecision(SidecarState state) {
        return sidecar.releaseDecision(state);
    }

    @Override
    public OptionalLong inboundArrivals(Duration timeout) {
        return sidecar.inboundArrivals(timeout);
    }

    @Override
    public boolean identify(Duration timeout) {
        return sidecar.identify(timeout);
    }

    @Override
    public String describe() {
        return sidecar.describe() + " (injected per " + injectedPer + ")";
    }
}
