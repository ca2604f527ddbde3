package io.github.sidecarshutdown.linkerd;

import io.github.sidecarshutdown.internal.LoopbackEndpoint;
import io.github.sidecarshutdown.internal.LoopbackHttp;
import io.github.sidecarshutdown.sidecar.ReleaseSkippedException;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Linkerd's proxy, through its admin server ({@code 127.0.0.1:4191}, sidecar-protocol.md section 7):
 * {@code GET /ready} answers 200 {@code ready} or 503; {@code POST /shutdown} makes the proxy exit
 * (200), or answers 404 {@code shutdown endpoint is not enabled} when the Pod did not enable it
 * (default since Linkerd 2.16), which is reported as a skipped release with that reason.
 *
 * <p>On SIGTERM linkerd-proxy refuses new connections, inbound and outbound, and exits once the open
 * ones are done: there is no outbound window to plan with (facts carry none), so outbound cleanup
 * should run over connections opened before, or the Pod should set
 * {@code config.alpha.linkerd.io/proxy-wait-before-exit-seconds}. Linkerd has no inbound-drain call:
 * {@link #drainInbound(Duration)} does nothing. Thread-safe.
 */
public final class LinkerdSidecar implements Sidecar, AutoCloseable {

    /** linkerd-proxy's admin address inside the Pod. */
    public static final URI DEFAULT_ADMIN_URL = URI.create("http://127.0.0.1:4191");

    private final LoopbackEndpoint admin;
    private volatile boolean answered;

    /**
     * @param adminUrl         linkerd-proxy admin base URL
     * @param connectTimeout   connect timeout of every call
     * @param allowNonLoopback whether {@code adminUrl} may name another host than loopback
     * @throws IllegalArgumentException for a non-http, credential-carrying or (unless allowed) non-loopback URL
     */
    public LinkerdSidecar(URI adminUrl, Duration connectTimeout, boolean allowNonLoopback) {
        this.admin = new LoopbackEndpoint("linkerdAdminUrl", adminUrl, connectTimeout, allowNonLoopback);
    }

    @Override
    public SidecarState probe(Duration timeout) {
        try {
            LoopbackHttp.Answer a = admin.call("GET", "/ready", timeout);
            boolean wasAnswered = answered;
            answered = true;
            if (a.status() == 200) {
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
        return new SidecarFacts(SidecarMode.LINKERD, Optional.of("linkerd-proxy"), Optional.empty(), false, Optional.empty(),
                "linkerd-proxy admin " + admin.url() + " (no outbound window after SIGTERM)");
    }

    @Override
    public boolean isReady(Duration timeout) {
        try {
            LoopbackHttp.Answer a = admin.call("GET", "/ready", timeout);
            answered = true;
            return a.status() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** Linkerd has no inbound-only drain call; the proxy drains on its own SIGTERM. */
    @Override
    public void drainInbound(Duration timeout) {
    }

    /**
     * {@code POST /shutdown}.
     *
     * @throws ReleaseSkippedException when the proxy's shutdown endpoint is not enabled (404)
     * @throws IllegalStateException for any other refusal (403 non-loopback, 405, 500) or I/O failure
     */
    @Override
    public void release(Duration timeout) {
        LoopbackHttp.Answer a;
        try {
            a = admin.call("POST", "/shutdown", timeout);
        } catch (IOException e) {
            throw new IllegalStateException("POST /shutdown: " + e, e);
        }
        if (a.status() == 200) {
            return;
        }
        if (a.status() == 404 && a.body().contains("shutdown endpoint is not enabled")) {
            throw new ReleaseSkippedException("linkerd-proxy: shutdown endpoint is not enabled (enable it with the Helm value "
                    + "proxy.enableShutdownEndpoint or LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED=true); the proxy exits on "
                    + "its own SIGTERM");
        }
        throw new IllegalStateException("POST /shutdown: HTTP " + a.status() + (a.body().isBlank() ? "" : " " + a.body().strip()));
    }

    @Override
    public String describe() {
        return "linkerd-proxy admin " + admin.url();
    }

    @Override
    public void close() {
        admin.close();
    }
}
