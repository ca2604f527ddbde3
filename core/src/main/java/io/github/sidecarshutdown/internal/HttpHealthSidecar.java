package io.github.sidecarshutdown.internal;

import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * A sidecar seen through one loopback HTTP API with a readiness path and a shutdown path, and no
 * outbound window after SIGTERM (Linkerd, Dapr). States (docs/sidecar-states.md): a readiness
 * answer other than success after one that succeeded means the sidecar got SIGTERM
 * (TERMINATING); a non-success answer without an earlier success is STARTING; a refused
 * connection after an answer means it is gone; a timeout is UNKNOWN. Subclasses name the paths,
 * say how to tell their sidecar from an unrelated server on the same port
 * ({@link #identify(Duration)}), and may refine how a refused release is reported.
 */
public abstract class HttpHealthSidecar implements Sidecar, AutoCloseable {

    private final LoopbackEndpoint api;
    private final String readyPath;
    private final String releasePath;
    private final SidecarMode mode;
    private final String name;
    private final String factsNote;
    private volatile boolean answered;
    private volatile boolean seenReady;

    /**
     * @param api         the sidecar's HTTP API
     * @param readyPath   GET path answering 200 or 204 when ready
     * @param releasePath POST path that makes the sidecar exit
     * @param mode        the mode reported in the facts
     * @param name        e.g. {@code linkerd-proxy admin}
     * @param factsNote   what the sidecar does on SIGTERM, for the plan log
     */
    protected HttpHealthSidecar(LoopbackEndpoint api, String readyPath, String releasePath, SidecarMode mode, String name,
            String factsNote) {
        this.api = api;
        this.readyPath = readyPath;
        this.releasePath = releasePath;
        this.mode = mode;
        this.name = name;
        this.factsNote = factsNote;
    }

    private static boolean isSuccess(int status) {
        return status == 200 || status == 204;
    }

    @Override
    public SidecarState probe(Duration timeout) {
        try {
            LoopbackHttp.Answer a = api.call("GET", readyPath, timeout);
            answered = true;
            if (isSuccess(a.status())) {
                seenReady = true;
                return SidecarState.LIVE;
            }
            // Termination needs evidence: ready before, not ready now.
            return seenReady ? SidecarState.TERMINATING : SidecarState.STARTING;
        } catch (IOException e) {
            if (LoopbackHttp.classify(e) == LoopbackHttp.Failure.REFUSED) {
                return answered ? SidecarState.GONE : SidecarState.ABSENT;
            }
            return SidecarState.UNKNOWN;
        }
    }

    @Override
    public SidecarFacts facts(Duration timeout) {
        return new SidecarFacts(mode, Optional.of(name.split(" ")[0]), Optional.empty(), false, Optional.empty(),
                name + " " + api.url() + " (" + factsNote + ")");
    }

    @Override
    public boolean isReady(Duration timeout) {
        try {
            LoopbackHttp.Answer a = api.call("GET", readyPath, timeout);
            answered = true;
            if (isSuccess(a.status())) {
                seenReady = true;
                return true;
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether the server behind the API is this kind of sidecar, by an answer no unrelated server
     * gives by chance (auto-detection must never send a mesh's shutdown call to something that was
     * not proven to be that mesh). At most {@code timeout} in all; never throws.
     */
    public abstract boolean identify(Duration timeout);

    /** One call for {@link #identify}: the answer, or null when there was none. */
    protected LoopbackHttp.@org.jspecify.annotations.Nullable Answer tryGet(String path, Duration timeout) {
        try {
            LoopbackHttp.Answer a = api.call("GET", path, timeout);
            answered = true;
            return a;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public java.util.Optional<String> releaseCall() {
        return java.util.Optional.of("POST " + releasePath);
    }

    /** No inbound-only drain call exists; the sidecar drains on its own SIGTERM. */
    @Override
    public void drainInbound(Duration timeout) {
    }

    /**
     * {@code POST} to the release path.
     *
     * @throws IllegalStateException for an I/O failure or a refusal that {@link #onRefusedRelease} lets through
     */
    @Override
    public void release(Duration timeout) {
        LoopbackHttp.Answer a;
        try {
            a = api.call("POST", releasePath, timeout);
        } catch (IOException e) {
            throw new IllegalStateException("POST " + releasePath + ": " + LogSafe.of(e.toString()), e);
        }
        if (isSuccess(a.status())) {
            return;
        }
        onRefusedRelease(a);
        throw new IllegalStateException("POST " + releasePath + ": HTTP " + a.status()
                + (a.body().isBlank() ? "" : " " + LogSafe.of(a.body().strip())));
    }

    /** Called with a refused release before it is reported as failed; may throw something more precise. */
    protected void onRefusedRelease(LoopbackHttp.Answer answer) {
    }

    @Override
    public String describe() {
        return name + " " + api.url();
    }

    @Override
    public void close() {
        api.close();
    }
}
