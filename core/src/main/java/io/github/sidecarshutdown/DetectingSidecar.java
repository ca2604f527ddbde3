package io.github.sidecarshutdown;

import io.github.sidecarshutdown.envoy.EnvoySidecar;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * {@code sidecar-mode=auto}: Envoy admin first (Istio, native or plain Envoy, with the Pod's
 * annotations), then linkerd-proxy's admin, then daprd. The first that answers is kept for good;
 * until one answers, Envoy's view (annotations or no sidecar) stands.
 */
final class DetectingSidecar implements Sidecar {

    private final EnvoySidecar envoy;
    private final Sidecar linkerd;
    private final Sidecar dapr;
    private volatile @Nullable Sidecar resolved;

    DetectingSidecar(EnvoySidecar envoy, Sidecar linkerd, Sidecar dapr) {
        this.envoy = envoy;
        this.linkerd = linkerd;
        this.dapr = dapr;
    }

    private Sidecar resolve(Duration timeout) {
        Sidecar r = resolved;
        if (r != null) {
            return r;
        }
        envoy.facts(timeout);
        if (envoy.hasAnswered()) {
            resolved = envoy;
            return envoy;
        }
        for (Sidecar other : new Sidecar[] {linkerd, dapr}) {
            SidecarState s = other.probe(timeout);
            if (s != SidecarState.ABSENT && s != SidecarState.UNKNOWN) {
                resolved = other;
                return other;
            }
        }
        return envoy;
    }

    @Override
    public SidecarState probe(Duration timeout) {
        return resolve(timeout).probe(timeout);
    }

    @Override
    public SidecarFacts facts(Duration timeout) {
        return resolve(timeout).facts(timeout);
    }

    @Override
    public boolean isReady(Duration timeout) {
        return resolve(timeout).isReady(timeout);
    }

    @Override
    public void drainInbound(Duration timeout) {
        resolve(timeout).drainInbound(timeout);
    }

    @Override
    public void release(Duration timeout) {
        resolve(timeout).release(timeout);
    }

    @Override
    public String describe() {
        Sidecar r = resolved;
        return r != null ? r.describe() : "auto: " + envoy.describe() + "; " + linkerd.describe() + "; " + dapr.describe();
    }
}
