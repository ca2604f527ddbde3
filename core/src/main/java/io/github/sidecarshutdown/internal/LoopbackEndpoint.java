package io.github.sidecarshutdown.internal;

import io.github.sidecarshutdown.config.SettingParser;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/** One sidecar HTTP endpoint on loopback, called with {@link LoopbackHttp}'s rules. Thread-safe. Not API. */
public final class LoopbackEndpoint {

    private static final long MAX_BODY = 64 * 1024;

    private final URI url;
    private final HttpUrl base;
    private final Duration connectTimeout;
    private final boolean tls;
    /** Built at the first call: in auto mode most endpoints are never called (Envoy answers first). */
    private @Nullable OkHttpClient http; // guarded by this
    private boolean closed; // guarded by this

    /**
     * @throws IllegalArgumentException if {@code url} is not http(s), has credentials, or is not
     *     loopback while that is not allowed
     */
    public LoopbackEndpoint(String name, URI url, Duration connectTimeout, boolean allowNonLoopback) {
        this.url = Objects.requireNonNull(url, name);
        String scheme = url.getScheme();
        if (url.getRawUserInfo() != null || scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || url.getHost() == null) {
            throw new IllegalArgumentException(name + ": " + SettingParser.redact(url.toString())
                    + " (expected: an http URL without credentials)");
        }
        if (!allowNonLoopback && !SettingParser.isLoopback(url.getHost())) {
            throw new IllegalArgumentException(name + ": " + url + " (expected: a loopback address, since this API can stop "
                    + "the sidecar; allow another host explicitly)");
        }
        this.base = Objects.requireNonNull(HttpUrl.get(url.toString()));
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        LoopbackHttp.okHttpTimeout(connectTimeout); // a bad timeout fails here, as when the client was built here
        this.tls = scheme.equalsIgnoreCase("https");
    }

    private synchronized OkHttpClient http() throws IOException {
        if (closed) {
            throw new IOException("closed: " + url);
        }
        OkHttpClient h = http;
        if (h == null) {
            h = LoopbackHttp.client(connectTimeout, Duration.ofSeconds(1), tls);
            http = h;
        }
        return h;
    }

    public URI url() {
        return url;
    }

    /**
     * {@code GET} or {@code POST} {@code path} with a whole-call timeout never longer than
     * {@code timeout}.
     *
     * @throws java.net.SocketTimeoutException without any I/O when {@code timeout} is under 1 ms:
     *     no call can honour such a budget, so none is made
     */
    public LoopbackHttp.Answer call(String method, String path, Duration timeout) throws IOException {
        if (!LoopbackHttp.fits(timeout)) {
            throw new SocketTimeoutException("call not made: budget " + Durations.format(Durations.nonNegative(timeout))
                    + " is under 1 ms");
        }
        Duration t = timeout;
        String basePath = base.encodedPath().endsWith("/") ? base.encodedPath().substring(0, base.encodedPath().length() - 1)
                : base.encodedPath();
        HttpUrl target = base.newBuilder().encodedPath(basePath + path).build();
        return LoopbackHttp.call(LoopbackHttp.withCallTimeout(http(), t), method, target, MAX_BODY);
    }

    public synchronized void close() {
        closed = true;
        if (http != null) {
            LoopbackHttp.close(http);
        }
    }
}
