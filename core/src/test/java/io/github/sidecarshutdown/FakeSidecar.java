package io.github.sidecarshutdown;

import io.github.sidecarshutdown.istio.IstioMesh;
import io.github.sidecarshutdown.sidecar.ReleaseDecision;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongFunction;

/** A scriptable sidecar that records every call with the virtual time it came at. */
final class FakeSidecar implements Sidecar {

    final List<String> calls = new CopyOnWriteArrayList<>();
    private final VirtualTime time;
    volatile SidecarFacts facts;
    /** State as a function of virtual nanoTime. */
    volatile LongFunction<SidecarState> state = t -> SidecarState.TERMINATING;
    volatile LongFunction<Boolean> ready = t -> true;
    volatile RuntimeException releaseFailure;

    FakeSidecar(VirtualTime time, SidecarFacts facts) {
        this.time = time;
        this.facts = facts;
    }

    static SidecarFacts istio(Duration window) {
        return new SidecarFacts(SidecarMode.ISTIO, Optional.of("istio 1.26.2"), Optional.of(window), false, Optional.empty(),
                "test").withKnob(IstioMesh.WINDOW);
    }

    static SidecarFacts exitOnZero() {
        return new SidecarFacts(SidecarMode.ISTIO, Optional.of("istio 1.26.2"), Optional.of(Duration.ofSeconds(5)), true,
                Optional.of(Duration.ofSeconds(5)), "test").withKnob(IstioMesh.WINDOW);
    }

    static SidecarFacts nativeSidecar() {
        return new SidecarFacts(SidecarMode.NATIVE, Optional.empty(), Optional.empty(), false, Optional.empty(), "test");
    }

    long count(String call) {
        return calls.stream().filter(c -> c.equals(call)).count();
    }

    @Override
    public SidecarState probe(Duration timeout) {
        calls.add("probe");
        return state.apply(time.nanoTime());
    }

    @Override
    public SidecarFacts facts(Duration timeout) {
        return facts;
    }

    @Override
    public boolean isReady(Duration timeout) {
        calls.add("isReady");
        return ready.apply(time.nanoTime());
    }

    @Override
    public SidecarCallResult drainInbound(Duration timeout) {
        calls.add("drainInbound");
        return SidecarCallResult.done("sent");
    }

    @Override
    public SidecarCallResult release(Duration timeout) {
        calls.add("release");
        RuntimeException failure = releaseFailure;
        return failure != null ? SidecarCallResult.failed(String.valueOf(failure.getMessage())) : SidecarCallResult.done("exits");
    }

    /** Like Istio: drained when it drains, released only when classic (Linkerd and Dapr too). */
    @Override
    public Optional<String> drainCall() {
        SidecarMode m = facts.mode();
        return m.equals(SidecarMode.ISTIO) || m.equals(SidecarMode.NATIVE) || m.equals(SidecarMode.ENVOY)
                ? Optional.of("POST /drain_listeners?inboundonly&graceful&skip_exit") : Optional.empty();
    }

    @Override
    public ReleaseDecision releaseDecision(SidecarState state) {
        SidecarMode m = facts.mode();
        if (m.equals(SidecarMode.ISTIO) || m.equals(SidecarMode.LINKERD) || m.equals(SidecarMode.DAPR)) {
            return ReleaseDecision.release("POST /quitquitquit");
        }
        if (m.equals(SidecarMode.NONE)) {
            return ReleaseDecision.never("no sidecar");
        }
        if (m.equals(SidecarMode.NATIVE)) {
            return ReleaseDecision.never("native sidecar: the kubelet stops it after the app exits");
        }
        if (m.equals(SidecarMode.ENVOY)) {
            return ReleaseDecision.never("plain Envoy without pilot-agent: left to its own shutdown");
        }
        return ReleaseDecision.never(m + " is not released");
    }

    @Override
    public String describe() {
        return "fake sidecar " + System.identityHashCode(this);
    }
}
