package io.github.sidecarshutdown.dapr;

import io.github.sidecarshutdown.internal.LoopbackEndpoint;
import io.github.sidecarshutdown.internal.LoopbackHttp;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Dapr's daprd, through its HTTP API ({@code 127.0.0.1:3500}, sidecar-protocol.md section 7):
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

    private final LoopbackEndpoint api;
    private volatile boolean answered;

    /**
     * @param url              daprd HTTP API base URL
     * @param connectTimeout   connect timeout of every call
     * @param allowNonLoopback whether {@code url} may name another host than loopback
     * @throws IllegalArgumentException for a non-http, credential-carrying or (unless allowed) non-loopback URL
     */
    public DaprSidecar(URI url, Duration connectTimeout, boolean allowNonLoopback) {
        this.api = new LoopbackEndpoint("daprUrl", url, connectTimeout, allowNonLoopback);
    }

    @Override
    public SidecarState probe(Duration timeout) {
        try {
            LoopbackHttp.Answer a = api.call("GET", "/v1.0/healthz/outbound", timeout);
            boolean wasAnswered = answered;
            answered = true;
            if (a.status() == 204 || a.status() == 200) {
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
        return new SidecarFacts(SidecarMode.DAPR, Optional.of("daprd"), Optional.empty(), false, Optional.empty(),
                "daprd " + api.url() + " (graceful shutdown on SIGTERM, no outbound window)");
    }

    @Override
    public boolean isReady(Duration timeout) {
        try {
            LoopbackHttp.Answer a = api.call("GET", "/v1.0/healthz/outbound", timeout);
            answered = true;
            return a.status() == 204 || a.status() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** Dapr has no inbound-only drain call; daprd drains on its own SIGTERM. */
    @Override
    public void drainInbound(Duration timeout) {
    }

    /**
     * {@code POST /v1.0/shutdown}: daprd shuts down gracefully now.
     *
     * @throws IllegalStateException for any answer but 204/200, or an I/O failure
     */
    @Override
    public void release(Duration timeout) {
        LoopbackHttp.Answer a;
        try {
            a = api.call("POST", "/v1.0/shutdown", timeout);
        } catch (IOException e) {
            throw new IllegalStateException("POST /v1.0/shutdown: " + e, e);
        }
        if (a.status() != 204 && a.status() != 200) {
            throw new IllegalStateException("POST /v1.0/shutdown: HTTP " + a.status() + (a.body().isBlank() ? "" : " " + a.body().strip()));
        }
    }

    @Override
    public String describe() {
        return "daprd " + api.url();
    }

    @Override
    public void close() {
        api.close();
    }
}
