package io.github.sidecarshutdown.internal;

import io.github.sidecarshutdown.sidecar.ReleaseDecision;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A sidecar seen through one loopback HTTP API with a readiness path and a shutdown path, and no
 * outbound window after SIGTERM (Linkerd, Dapr). States (docs/sidecar-states.md): a readiness
 * answer other than success after one that succeeded, lasting {@link #NOT_READY_PERSISTS}, means the
 * sidecar got SIGTERM (TERMINATING; a passing one is UNKNOWN); a non-success answer without an earlier success is STARTING; a refused
 * connection after an answer means it is gone; a timeout is UNKNOWN. The public adapters
 * ({@code LinkerdSidecar}, {@code DaprSidecar}) hold one, name the paths, tell their sidecar from an
 * unrelated server on the same port, and may refine how a refused release is reported. Not API.
 */
public final class HttpHealthSidecar implements Sidecar, AutoCloseable {

    private final LoopbackEndpoint api;
    private final String readyPath;
    private final String releasePath;
    private final SidecarMode mode;
    private final String name;
    private final String factsNote;
    private final Function<LoopbackHttp.Answer, @org.jspecify.annotations.Nullable SidecarCallResult> onRefusedRelease;
    private volatile boolean answered;
    private volatile boolean seenReady;
    /** When the sidecar, seen ready before, first answered not-ready since its last success; MIN_VALUE when not. */
    private volatile long notReadySince = Long.MIN_VALUE;

    /** How long a not-ready answer after a ready one must last to count as the sidecar's SIGTERM. */
    public static final Duration NOT_READY_PERSISTS = Duration.ofSeconds(1);

    /**
     * @param api         the sidecar's HTTP API
     * @param readyPath   GET path answering 200 or 204 when ready
     * @param releasePath POST path that makes the sidecar exit
     * @param mode        the mode reported in the facts
     * @param name        e.g. {@code linkerd-proxy admin}
     * @param factsNote   what the sidecar does on SIGTERM, for the plan log
     * @param onRefusedRelease what a refused release means for this sidecar (e.g. skipped, with the
     *                    sidecar's reason), or null to report it as failed
     */
    public HttpHealthSidecar(LoopbackEndpoint api, String readyPath, String releasePath, SidecarMode mode, String name,
            String factsNote, Function<LoopbackHttp.Answer, @org.jspecify.annotations.Nullable SidecarCallResult> onRefusedRelease) {
        this.onRefusedRelease = onRefusedRelease;
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
                notReadySince = Long.MIN_VALUE;
                return SidecarState.LIVE;
            }
            if (!seenReady) {
                return SidecarState.STARTING;
            }
            // Termination needs evidence: ready before, not ready now, and for long enough.
            long now = System.nanoTime();
            long since = notReadySince;
            if (since == Long.MIN_VALUE) {
                notReadySince = now;
                return SidecarState.UNKNOWN;
            }
            return now - since >= NOT_READY_PERSISTS.toNanos() ? SidecarState.TERMINATING : SidecarState.UNKNOWN;
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
                notReadySince = Long.MIN_VALUE;
                return true;
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** One {@code GET} (to identify the sidecar): the answer, or null when there was none. Never throws. */
    public LoopbackHttp.@Nullable Answer tryGet(String path, Duration timeout) {
        try {
            LoopbackHttp.Answer a = api.call("GET", path, timeout);
            answered = true;
            return a;
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code POST <release path>} in any state the coordinator's rule allows. */
    @Override
    public ReleaseDecision releaseDecision(SidecarState state) {
        return ReleaseDecision.release("POST " + releasePath);
    }

    /** No inbound-only drain call exists; the sidecar drains on its own SIGTERM. */
    @Override
    public SidecarCallResult drainInbound(Duration timeout) {
        return SidecarCallResult.skipped("no inbound-only drain call");
    }

    /**
     * {@code POST} to the release path: done for 200 or 204; otherwise what
     * {@code onRefusedRelease} makes of the answer, or failed.
     */
    @Override
    public SidecarCallResult release(Duration timeout) {
        LoopbackHttp.Answer a;
        try {
            a = api.call("POST", releasePath, timeout);
        } catch (IOException e) {
            return SidecarCallResult.failed(LogSafe.of(e.toString()));
        }
        if (isSuccess(a.status())) {
            return SidecarCallResult.done("the sidecar exits now");
        }
        SidecarCallResult refined = onRefusedRelease.apply(a);
        return refined != null ? refined
                : SidecarCallResult.failed("HTTP " + a.status() + (a.body().isBlank() ? "" : " " + LogSafe.of(a.body().strip())));
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
