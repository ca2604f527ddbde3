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
 * outbound window after SIGTERM (Linkerd, Dapr). A readiness answer other than success after one
 * that succeeded means the sidecar got SIGTERM; a refused connection after an answer means it is
 * gone. Subclasses name the paths and may refine how a refused release is reported.
 */
public abstract class HttpHealthSidecar implements Sidecar, AutoCloseable {

    private final LoopbackEndpoint api;
    private final String readyPath;
    private final String releasePath;
    private final SidecarMode mode;
    private final String name;
    private final String factsNote;
    private volatile boolean answered;

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
            boolean wasAnswered = answered;
            answered = true;
            if (isSuccess(a.status())) {
                return SidecarState.LIVE;
            }
            return wasAnswered ? SidecarState.TERMINATING : SidecarState.STARTING;
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
            return isSuccess(a.status());
        } catch (IOException e) {
            return false;
        }
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
            throw new IllegalStateException("POST " + releasePath + ": " + e, e);
        }
        if (isSuccess(a.status())) {
            return;
        }
        onRefusedRelease(a);
        throw new IllegalStateException("POST " + releasePath + ": HTTP " + a.status()
                + (a.body().isBlank() ? "" : " " + a.body().strip()));
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
