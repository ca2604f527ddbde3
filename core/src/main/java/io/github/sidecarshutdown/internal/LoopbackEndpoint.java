package io.github.sidecarshutdown.internal;

import io.github.sidecarshutdown.config.SettingParser;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * One sidecar HTTP endpoint on loopback, called with {@link LoopbackHttp}'s rules through a
 * {@link LoopbackClient} (no OkHttp class is loaded before a call needs it). Thread-safe. Not API.
 */
public final class LoopbackEndpoint {

    private static final long MAX_BODY = 64 * 1024;

    private final URI url;
    private final LoopbackClient client;
    private volatile boolean closed;

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
        this.client = new LoopbackClient(connectTimeout, scheme.equalsIgnoreCase("https"));
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
        if (closed) {
            throw new IOException("closed: " + url);
        }
        return client.call(method, LoopbackClient.resolve(url, path), timeout, MAX_BODY);
    }

    public void close() {
        closed = true;
        client.close();
    }
}
