package io.github.sidecarshutdown.dapr;

import io.github.sidecarshutdown.internal.HttpHealthSidecar;
import io.github.sidecarshutdown.internal.Json;
import io.github.sidecarshutdown.internal.LoopbackEndpoint;
import io.github.sidecarshutdown.internal.LoopbackHttp;
import io.github.sidecarshutdown.sidecar.ReleaseDecision;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.util.Map;
import java.util.Optional;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.net.URI;
import java.time.Duration;

/**
 * Dapr's daprd, through its HTTP API ({@code 127.0.0.1:3500}, docs/sidecar-protocol.md §9):
 * {@code GET /v1.0/healthz/outbound} answers 204 once components and the HTTP port are up (what
 * the SDKs' {@code waitForSidecar} uses); {@code POST /v1.0/shutdown} answers 204 and starts the
 * same graceful shutdown as SIGTERM.
 *
 * <p>On SIGTERM daprd shuts down gracefully: it stops its listeners and exits within
 * {@code --dapr-graceful-shutdown-seconds} (default 5 s); the app's Dapr API calls in that time are
 * not guaranteed, so the facts carry no outbound window. Dapr has no inbound-drain call:
 * {@link #drainInbound(Duration)} does nothing. Thread-safe.
 */
public final class DaprSidecar implements Sidecar, AutoCloseable {

    /** daprd's HTTP API address inside the Pod. */
    public static final URI DEFAULT_URL = URI.create("http://127.0.0.1:3500");

    private final HttpHealthSidecar http;

    /**
     * @param url              daprd HTTP API base URL
     * @param connectTimeout   connect timeout of every call
     * @param allowNonLoopback whether {@code url} may name another host than loopback
     * @throws IllegalArgumentException for a non-http, credential-carrying or (unless allowed) non-loopback URL
     */
    public DaprSidecar(URI url, Duration connectTimeout, boolean allowNonLoopback) {
        this.http = new HttpHealthSidecar(new LoopbackEndpoint("daprUrl", url, connectTimeout, allowNonLoopback),
                "/v1.0/healthz/outbound", "/v1.0/shutdown", SidecarMode.DAPR, "daprd",
                "graceful shutdown on SIGTERM, no outbound window", answer -> null);
    }

    /**
     * Whether the server behind the URL is daprd, within {@code timeout}; never throws.
     * Auto-detection sends Dapr's calls only to a proven daprd.
     *
     * <p>daprd answers {@code GET /v1.0/metadata} with a JSON object carrying its app {@code id} and
     * its {@code runtimeVersion} (Dapr's metadata API); port 3500 is a common app port, so a bare
     * 2xx from the health path proves nothing.
     */
    @Override
    public boolean identify(Duration timeout) {
        LoopbackHttp.Answer a = http.tryGet("/v1.0/metadata", timeout);
        if (a == null || a.status() != 200) {
            return false;
        }
        try {
            Object root = Json.parse(a.body());
            return root instanceof Map<?, ?> m && m.get("id") instanceof String && m.get("runtimeVersion") instanceof String;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public SidecarState probe(Duration timeout) {
        return http.probe(timeout);
    }

    @Override
    public SidecarFacts facts(Duration timeout) {
        return http.facts(timeout);
    }

    @Override
    public boolean isReady(Duration timeout) {
        return http.isReady(timeout);
    }

    /** No inbound-drain call exists; the sidecar drains on its own SIGTERM. */
    @Override
    public SidecarCallResult drainInbound(Duration timeout) {
        return http.drainInbound(timeout);
    }

    @Override
    public SidecarCallResult release(Duration timeout) {
        return http.release(timeout);
    }

    @Override
    public ReleaseDecision releaseDecision(SidecarState state) {
        if (state == SidecarState.TERMINATING) {
            // POST /v1.0/shutdown takes the path SIGTERM took (docs/meshes.md, Linkerd and Dapr): a daprd that got its
            // SIGTERM is already on it, so the call would end nothing sooner.
            return ReleaseDecision.never("daprd got its SIGTERM and is already shutting down on it; its shutdown call "
                    + "takes the same path, so it would not end the Pod sooner");
        }
        return http.releaseDecision(state);
    }

    @Override
    public String describe() {
        return http.describe();
    }

    @Override
    public void close() {
        http.close();
    }
}
