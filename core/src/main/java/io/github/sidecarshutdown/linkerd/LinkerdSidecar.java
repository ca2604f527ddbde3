package io.github.sidecarshutdown.linkerd;

import io.github.sidecarshutdown.internal.HttpHealthSidecar;
import io.github.sidecarshutdown.internal.LoopbackEndpoint;
import io.github.sidecarshutdown.internal.LoopbackHttp;
import io.github.sidecarshutdown.sidecar.ReleaseDecision;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Linkerd's proxy, through its admin server ({@code 127.0.0.1:4191}, docs/sidecar-protocol.md §8):
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

    private final HttpHealthSidecar http;

    /**
     * @param adminUrl         linkerd-proxy admin base URL
     * @param connectTimeout   connect timeout of every call
     * @param allowNonLoopback whether {@code adminUrl} may name another host than loopback
     * @throws IllegalArgumentException for a non-http, credential-carrying or (unless allowed) non-loopback URL
     */
    public LinkerdSidecar(URI adminUrl, Duration connectTimeout, boolean allowNonLoopback) {
        this.http = new HttpHealthSidecar(new LoopbackEndpoint("linkerdAdminUrl", adminUrl, connectTimeout, allowNonLoopback),
                "/ready", "/shutdown", SidecarMode.LINKERD, "linkerd-proxy admin", "no outbound window after SIGTERM",
                LinkerdSidecar::onRefusedRelease);
    }

    /**
     * Whether the server behind the admin URL is linkerd-proxy, within {@code timeout} in all;
     * never throws. Auto-detection sends Linkerd's calls only to a proven proxy.
     *
     * <p>linkerd-proxy's admin answers {@code GET /ready} with exactly {@code ready\n} (200) or
     * {@code not ready\n} (503) and {@code GET /live} with {@code live\n}
     * (linkerd2-proxy {@code linkerd/app/admin/src/server.rs}); an unrelated server on the port
     * does not give both.
     */
    @Override
    public boolean identify(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        LoopbackHttp.Answer ready = http.tryGet("/ready", timeout);
        if (ready == null || !(ready.status() == 200 && ready.body().equals("ready\n")
                || ready.status() == 503 && ready.body().equals("not ready\n"))) {
            return false;
        }
        LoopbackHttp.Answer live = http.tryGet("/live", Duration.ofNanos(end - System.nanoTime()));
        return live != null && live.status() == 200 && live.body().equals("live\n");
    }

    /**
     * A disabled shutdown endpoint (404, the default since Linkerd 2.16) is not a failure: the
     * release is reported as skipped with the proxy's reason and the fix.
     */
    private static @Nullable SidecarCallResult onRefusedRelease(LoopbackHttp.Answer a) {
        if (a.status() == 404 && a.body().contains("shutdown endpoint is not enabled")) {
            return SidecarCallResult.skipped("linkerd-proxy: shutdown endpoint is not enabled (enable it with the Helm value "
                    + "proxy.enableShutdownEndpoint or LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED=true); the proxy exits on "
                    + "its own SIGTERM");
        }
        return null;
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
