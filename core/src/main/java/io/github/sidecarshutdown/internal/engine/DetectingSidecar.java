package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.sidecar.ReleaseDecision;
import io.github.sidecarshutdown.sidecar.OutboundTraffic;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * {@code sidecar-mode=auto} when the Pod's annotations show no injected sidecar. A mesh is chosen only
 * on proof, by an answer only that mesh gives ({@link Sidecar#identify}, docs/sidecar-states.md,
 * "Detection"), asking the meshes in the order of {@link io.github.sidecarshutdown.sidecar.Meshes}.
 * Once proven, the choice is kept; until then every lookup asks again (a sidecar may start after the
 * app), and the first mesh's adapter stands for the view (Istio's, which reads the Pod's proxy
 * config, or says there is no sidecar): its facts and decisions are the plan's, but nothing is
 * drained or released until a sidecar is proven.
 *
 * <p>One lookup, whatever it asks, takes at most the timeout it is given.
 */
final class DetectingSidecar implements Sidecar {

    private final List<Sidecar> candidates;
    private volatile @Nullable Sidecar resolved;

    /** @param candidates every mesh's adapter, in detection order; the first stands for the view */
    DetectingSidecar(List<Sidecar> candidates) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("candidates: empty (expected: at least one mesh)");
        }
        this.candidates = List.copyOf(candidates);
    }

    private Sidecar view() {
        return candidates.get(0);
    }

    /** The proven sidecar, or null; asks at most until {@code endNanos}. */
    private @Nullable Sidecar lookup(long endNanos) {
        Sidecar r = resolved;
        if (r != null) {
            return r;
        }
        for (Sidecar c : candidates) {
            Duration t = left(endNanos);
            if (t.compareTo(Duration.ofMillis(1)) < 0) {
                break;
            }
            if (c.identify(t)) {
                resolved = c;
                return c;
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

    /** The sidecar to ask: the proven one, else the view. */
    private Sidecar current(long endNanos) {
        Sidecar s = lookup(endNanos);
        return s != null ? s : view();
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
        if (s != null) {
            return s.facts(left(end));
        }
        return view().facts(left(end));
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
    public boolean identify(Duration timeout) {
        return lookup(end(timeout)) != null;
    }

    /** The proven sidecar's; while none is proven, the view's (what the Pod's annotations lead to expect). */
    @Override
    public Optional<String> drainCall() {
        Sidecar r = resolved;
        return r != null ? r.drainCall() : view().drainCall();
    }

    /** The proven sidecar's; while none is proven, the view's (its calls are made only once one is proven). */
    @Override
    public ReleaseDecision releaseDecision(SidecarState state) {
        Sidecar r = resolved;
        return r != null ? r.releaseDecision(state) : view().releaseDecision(state);
    }

    @Override
    public String describe() {
        Sidecar r = resolved;
        if (r != null) {
            return r.describe();
        }
        StringBuilder b = new StringBuilder("auto: ");
        for (int i = 0; i < candidates.size(); i++) {
            b.append(i == 0 ? "" : "; ").append(candidates.get(i).describe());
        }
        return b.toString();
    }
}
