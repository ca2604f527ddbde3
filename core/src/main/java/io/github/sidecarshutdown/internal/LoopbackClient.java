package io.github.sidecarshutdown.internal;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP client of one sidecar API (an Envoy admin client and every budget derived from it, or one
 * loopback endpoint), with {@link LoopbackHttp}'s rules. A plain-http call goes through the JDK's
 * sockets ({@link SocketHttp}): loaded in milliseconds, no thread, nothing of it left behind. Only an
 * https call goes through OkHttp, whose client is built at the first such call (docs/timeline.md,
 * "Off the startup path"): OkHttp's first call costs a fresh JVM some 200 ms of class loading, and
 * every call leaves its connection pool's and Okio's timeout threads alive for a minute.
 * Thread-safe. Not API.
 */
public final class LoopbackClient {

    private final Duration connectTimeout;
    private final boolean tls;
    private @Nullable OkHttpClient http; // guarded by this

    /**
     * @param connectTimeout longest connect (at least 1 ms)
     * @param tls            whether any URL it calls may be https (an OkHttp client without TLS
     *                       refuses https)
     * @throws IllegalArgumentException for a connect timeout under 1 ms
     */
    public LoopbackClient(Duration connectTimeout, boolean tls) {
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        LoopbackHttp.okHttpTimeout(connectTimeout); // a bad timeout fails here, as when the client was built here
        this.tls = tls;
    }

    /** The connect timeout of every call. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * {@code GET} or {@code POST} (empty body) on {@code url}, an absolute http(s) URL, with a
     * whole-call timeout never longer than {@code timeout}.
     *
     * @throws SocketTimeoutException without any I/O when {@code timeout} is under 1 ms
     * @throws LoopbackHttp.BodyTooLargeException when the body has more than {@code maxBody} bytes
     */
    public LoopbackHttp.Answer call(String method, String url, Duration timeout, long maxBody) throws IOException {
        if (!LoopbackHttp.fits(timeout)) {
            throw new SocketTimeoutException("call not made: budget " + Durations.format(Durations.nonNegative(timeout))
                    + " is under 1 ms");
        }
        if (url.regionMatches(true, 0, "http:", 0, 5)) {
            return SocketHttp.call(method, URI.create(url), connectTimeout, timeout, maxBody);
        }
        HttpUrl target = HttpUrl.get(url);
        return LoopbackHttp.call(LoopbackHttp.withCallTimeout(okHttp(), timeout), method, target, maxBody);
    }

    private synchronized OkHttpClient okHttp() {
        OkHttpClient h = http;
        if (h == null) {
            h = LoopbackHttp.client(connectTimeout, Duration.ofSeconds(1), tls);
            http = h;
        }
        return h;
    }

    /** Releases the OkHttp client if an https call built one; the client can still be called. */
    public synchronized void close() {
        if (http != null) {
            LoopbackHttp.close(http);
        }
    }

    /**
     * {@code base} (an http(s) URL, perhaps with a path) with {@code path} appended to its path, and
     * its query, if any, kept.
     */
    public static String resolve(URI base, String path) {
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        if (basePath.endsWith("/")) {
            basePath = basePath.substring(0, basePath.length() - 1);
        }
        StringBuilder sb = new StringBuilder(64).append(base.getScheme()).append("://").append(base.getRawAuthority())
                .append(basePath).append(path);
        if (base.getRawQuery() != null) {
            sb.append('?').append(base.getRawQuery());
        }
        return sb.toString();
    }

    /**
     * {@code url} with one query parameter added: {@code name} alone when {@code value} is null (a
     * valueless flag, as Envoy's {@code ?inboundonly&graceful}), else {@code name=value}; both
     * percent-encoded except for RFC 3986's unreserved characters.
     */
    public static String addQuery(String url, String name, @Nullable String value) {
        StringBuilder sb = new StringBuilder(url.length() + 32).append(url).append(url.indexOf('?') >= 0 ? '&' : '?');
        encode(name, sb);
        if (value != null) {
            encode(value, sb.append('='));
        }
        return sb.toString();
    }

    private static void encode(String s, StringBuilder sb) {
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
                    || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
    }
}
