package io.github.sidecarshutdown;

import io.github.sidecarshutdown.envoy.EnvoySidecar;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.sidecar.OutboundTraffic;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * {@code sidecar-mode=auto}. A mesh is chosen only on proof, by an answer only that mesh gives
 * (docs/sidecar-states.md, "Detection"): Envoy's {@code /server_info}, then the candidates in order:
 * Consul (an Envoy on its admin port whose node is Consul's, with the dataplane's lifecycle server
 * beside it), Kuma (an Envoy whose node metadata names kuma-dp), linkerd-proxy's exact
 * {@code /ready} and {@code /live} bodies, daprd's {@code /v1.0/metadata}. The Pod's annotations,
 * when mounted and showing an Istio sidecar, settle it for Envoy without asking the others. Once
 * proven, the choice is kept; until then every lookup asks again (a sidecar may start after the
 * app), Envoy's view (its annotations, or no sidecar) stands, and nothing is drained or released,
 * since only a proven sidecar names a drain or release call.
 *
 * <p>A Pod annotated {@code ambient.istio.io/redirection: enabled} (and not showing an injected
 * sidecar) is in Istio's ambient mode once Envoy's {@code /server_info} proves nothing at the first
 * lookup: the choice is then {@link Sidecar#ambient()}, kept, and nothing is asked again (there is
 * no sidecar to start later, and ambient mode makes no admin calls).
 *
 * <p>One lookup, whatever it asks, takes at most the timeout it is given.
 */
final class DetectingSidecar implements Sidecar {

    /**
     * A mesh to try after Envoy, with its proof: an answer only that mesh gives, asked within the
     * time it is given.
     */
    record Candidate(Sidecar sidecar, Predicate<Duration> proof) {
    }

    private final EnvoySidecar envoy;
    private final List<Candidate> others;
    private final boolean annotatedIstio;
    private final boolean annotatedAmbient;
    private volatile @Nullable Sidecar resolved;
    /** What Envoy's side said at the last lookup (its annotations, or no sidecar), to avoid asking twice. */
    private volatile @Nullable SidecarFacts lastEnvoyFacts;

    /**
     * @param annotatedIstio whether the Pod's mounted annotations show an Istio sidecar
     *                       ({@code sidecar.istio.io/status}): then only Envoy is asked
     */
    DetectingSidecar(EnvoySidecar envoy, List<Candidate> others, boolean annotatedIstio) {
        this(envoy, others, annotatedIstio, false);
    }

    /**
     * @param annotatedAmbient whether the Pod's annotations carry {@code ambient.istio.io/redirection: enabled}
     */
    DetectingSidecar(EnvoySidecar envoy, List<Candidate> others, boolean annotatedIstio, boolean annotatedAmbient) {
        this.envoy = envoy;
        this.others = List.copyOf(others);
        this.annotatedIstio = annotatedIstio;
        this.annotatedAmbient = annotatedAmbient;
    }

    /** The proven sidecar, or null; asks at most {@code timeout} in all. */
    private @Nullable Sidecar lookup(long endNanos) {
        Sidecar r = resolved;
        if (r != null) {
            return r;
        }
        lastEnvoyFacts = envoy.facts(left(endNanos));
        if (!envoy.isIdentified() && annotatedAmbient && !annotatedIstio) {
            // Ambient: the annotation says ztunnel redirects the Pod, and no Envoy answers as one.
            Sidecar ambient = Sidecar.ambient();
            resolved = ambient;
            return ambient;
        }
        if (envoy.isIdentified() || annotatedIstio) {
            resolved = envoy.isIdentified() ? envoy : null;
            return envoy;
        }
        for (Candidate other : others) {
            Duration t = left(endNanos);
            if (t.compareTo(Duration.ofMillis(1)) < 0) {
                break;
            }
            if (other.proof().test(t)) {
                resolved = other.sidecar();
                return other.sidecar();
            }
        }
        return null;
    }

    private static Duration left(long endNanos) {
        return Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
    }

    private static long end(Duration timeout) {
        return Durations.saturatedAdd(System.nanoTime(), Durations.toNanosSaturated(Durations.nonNegative(timeout)));
    }

    /** The sidecar to ask: the proven one, else Envoy's view (annotations or none). */
    private Sidecar current(long endNanos) {
        Sidecar s = lookup(endNanos);
        return s != null ? s : envoy;
    }

    @Override
    public SidecarState probe(Duration timeout) {
        long end = end(timeout);
        return current(end).probe(left(end));
    }

    @Override
    public SidecarFacts facts(Duration timeout) {
        Sidecar r = resolved;
        if (r != null) {
            return r.facts(timeout);
        }
        long end = end(timeout);
        Sidecar s = lookup(end);
        if (s != null && s != envoy) {
            return s.facts(left(end));
        }
        // The lookup asked Envoy once; its answer (or fallback) is used rather than asking twice.
        SidecarFacts f = lastEnvoyFacts;
        return f != null ? f : envoy.facts(left(end));
    }

    @Override
    public boolean isReady(Duration timeout) {
        long end = end(timeout);
        return current(end).isReady(left(end));
    }

    @Override
    public SidecarCallResult drainInbound(Duration timeout) {
        Sidecar r = resolved;
        return r != null ? r.drainInbound(timeout) : SidecarCallResult.skipped("no sidecar proven: nothing drained");
    }

    @Override
    public SidecarCallResult release(Duration timeout) {
        Sidecar r = resolved;
        return r != null ? r.release(timeout) : SidecarCallResult.skipped("no sidecar proven: nothing released");
    }

    /** The proven sidecar's counter; none proven, no evidence (empty). */
    @Override
    public OptionalLong inboundArrivals(Duration timeout) {
        Sidecar r = resolved;
        return r != null ? r.inboundArrivals(timeout) : OptionalLong.empty();
    }

    @Override
    public Optional<OutboundTraffic> outboundTraffic(Duration timeout) {
        Sidecar r = resolved;
        return r != null ? r.outboundTraffic(timeout) : Optional.empty();
    }

    @Override
    public Optional<String> drainCall() {
        Sidecar r = resolved;
        return r != null ? r.drainCall() : Optional.empty();
    }

    @Override
    public Optional<String> releaseCall() {
        Sidecar r = resolved;
        return r != null ? r.releaseCall() : Optional.empty();
    }

    @Override
    public String noReleaseReason() {
        Sidecar r = resolved;
        if (r != null) {
            return r.noReleaseReason();
        }
        SidecarFacts f = lastEnvoyFacts;
        return f != null && f.mode() == SidecarMode.NONE ? "no sidecar"
                : "no sidecar proven (" + describe() + "): nothing is released";
    }

    @Override
    public String describe() {
        Sidecar r = resolved;
        if (r != null) {
            return r.describe();
        }
        StringBuilder b = new StringBuilder("auto: ").append(envoy.describe());
        others.forEach(o -> b.append("; ").append(o.sidecar().describe()));
        return b.toString();
    }
}
