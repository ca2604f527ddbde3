package io.github.sidecarshutdown.istio;

import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.sidecar.ReleaseDecision;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * An ambient Pod as {@code sidecar-mode=auto} finds it (docs/sidecar-states.md, "Detection"): the
 * annotation {@code ambient.istio.io/redirection: enabled} makes it ambient, unless Envoy's
 * {@code /server_info} proves an Envoy on the admin port at the first lookup. The choice is kept;
 * until it is made, nothing is drained or released.
 */
final class AmbientUnlessEnvoy implements Sidecar {

    private final EnvoySidecar envoy;
    private volatile @Nullable Sidecar chosen;

    AmbientUnlessEnvoy(EnvoySidecar envoy) {
        this.envoy = envoy;
    }

    private Sidecar choose(Duration timeout) {
        Sidecar c = chosen;
        if (c == null) {
            c = envoy.identify(Durations.nonNegative(timeout)) ? envoy : AmbientSidecar.INSTANCE;
            chosen = c;
        }
        return c;
    }

    private Sidecar chosenOrAmbientView() {
        Sidecar c = chosen;
        return c != null ? c : AmbientSidecar.INSTANCE;
    }

    @Override
    public SidecarState probe(Duration timeout) {
        return choose(timeout).probe(timeout);
    }

    @Override
    public SidecarFacts facts(Duration timeout) {
        return choose(timeout).facts(timeout);
    }

    @Override
    public boolean isReady(Duration timeout) {
        return choose(timeout).isReady(timeout);
    }

    @Override
    public SidecarCallResult drainInbound(Duration timeout) {
        Sidecar c = chosen;
        return c != null ? c.drainInbound(timeout) : SidecarCallResult.skipped("no sidecar proven: nothing drained");
    }

    @Override
    public SidecarCallResult release(Duration timeout) {
        Sidecar c = chosen;
        return c != null ? c.release(timeout) : SidecarCallResult.skipped("no sidecar proven: nothing released");
    }

    @Override
    public Optional<String> drainCall() {
        Sidecar c = chosen;
        return c != null ? c.drainCall() : Optional.empty();
    }

    @Override
    public ReleaseDecision releaseDecision(SidecarState state) {
        return chosenOrAmbientView().releaseDecision(state);
    }

    @Override
    public OptionalLong inboundArrivals(Duration timeout) {
        Sidecar c = chosen;
        return c != null ? c.inboundArrivals(timeout) : OptionalLong.empty();
    }

    @Override
    public String describe() {
        Sidecar c = chosen;
        return c != null ? c.describe() : "ambient unless Envoy answers at " + envoy.client().adminUrl();
    }
}
