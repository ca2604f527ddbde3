package io.github.sidecarshutdown.envoy;

import static java.util.Objects.requireNonNull;

import io.github.sidecarshutdown.config.SettingParser;
import java.net.URI;
import java.time.Duration;

/**
 * Builds an {@link EnvoyAdminClient}. Not thread-safe; {@link #build()} copies what it needs, so a
 * builder can be reused.
 */
public final class EnvoyAdminClientBuilder {

    /** Istio's Envoy admin address inside the Pod. */
    public static final URI DEFAULT_ADMIN_URL = URI.create("http://127.0.0.1:15000");
    /** Istio's pilot-agent status server inside the Pod. */
    public static final URI DEFAULT_AGENT_URL = URI.create("http://127.0.0.1:15020");

    URI adminUrl = DEFAULT_ADMIN_URL;
    URI agentUrl = DEFAULT_AGENT_URL;
    Duration connectTimeout = Duration.ofMillis(250);
    Duration callTimeout = Duration.ofSeconds(1);
    long maxResponseBytes = 2L * 1024 * 1024;
    boolean allowNonLoopback;
    AdminCallListener listener = AdminCallListener.none();

    EnvoyAdminClientBuilder() {
    }

    /** Envoy admin base URL. Default {@code http://127.0.0.1:15000}; must be loopback unless {@link #allowNonLoopback(boolean)}. */
    public EnvoyAdminClientBuilder adminUrl(URI adminUrl) {
        this.adminUrl = requireNonNull(adminUrl, "adminUrl");
        return this;
    }

    /** pilot-agent base URL. Default {@code http://127.0.0.1:15020}; must be loopback unless {@link #allowNonLoopback(boolean)}. */
    public EnvoyAdminClientBuilder agentUrl(URI agentUrl) {
        this.agentUrl = requireNonNull(agentUrl, "agentUrl");
        return this;
    }

    /** Connect timeout of every call. Default 250 ms (loopback connects in microseconds or is refused). */
    public EnvoyAdminClientBuilder connectTimeout(Duration connectTimeout) {
        this.connectTimeout = positive(connectTimeout, "connectTimeout");
        return this;
    }

    /** Whole-call timeout, from connect to the end of the body. Default 1 s. */
    public EnvoyAdminClientBuilder callTimeout(Duration callTimeout) {
        this.callTimeout = positive(callTimeout, "callTimeout");
        return this;
    }

    /** Largest body read; a larger one fails with {@code RESPONSE_TOO_LARGE}. Default 2 MiB. */
    public EnvoyAdminClientBuilder maxResponseBytes(long maxResponseBytes) {
        if (maxResponseBytes < 1024) {
            throw new IllegalArgumentException("maxResponseBytes: " + maxResponseBytes + " (expected: >= 1024)");
        }
        this.maxResponseBytes = maxResponseBytes;
        return this;
    }

    /**
     * Whether admin and agent URLs may name a host other than loopback. Default false: the admin
     * API can stop the sidecar, so the library only talks to the one in its own Pod.
     */
    public EnvoyAdminClientBuilder allowNonLoopback(boolean allowNonLoopback) {
        this.allowNonLoopback = allowNonLoopback;
        return this;
    }

    /** Told about every call (metrics). Default: none. */
    public EnvoyAdminClientBuilder listener(AdminCallListener listener) {
        this.listener = requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Builds the client.
     *
     * @throws IllegalArgumentException if a URL is not http(s), carries credentials, or is not
     *     loopback while that is not allowed
     */
    public EnvoyAdminClient build() {
        checkUrl(adminUrl, "adminUrl", DEFAULT_ADMIN_URL);
        checkUrl(agentUrl, "agentUrl", DEFAULT_AGENT_URL);
        return new EnvoyAdminClient(this);
    }

    private void checkUrl(URI url, String name, URI example) {
        if (url.getRawUserInfo() != null || !SettingParser.redact(url.toString()).equals(url.toString())) {
            throw new IllegalArgumentException(name + ": " + SettingParser.redact(url.toString())
                    + " (expected: no credentials in the URL)");
        }
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || url.getHost() == null) {
            throw new IllegalArgumentException(name + ": " + url + " (expected: an http URL such as " + example + ")");
        }
        if (url.getPort() != -1 && (url.getPort() < 1 || url.getPort() > 65535)) {
            throw new IllegalArgumentException(name + ": " + url + " (expected: a port in 1-65535, as in " + example + ")");
        }
        if (!allowNonLoopback && !SettingParser.isLoopback(url.getHost())) {
            throw new IllegalArgumentException(name + ": " + url + " (expected: a loopback address such as " + example
                    + ", since the admin API can stop the sidecar; call allowNonLoopback(true) to allow another host)");
        }
    }

    private static Duration positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.compareTo(Duration.ofMillis(1)) < 0) {
            // OkHttp counts whole milliseconds and reads 0 as "no timeout": a sub-millisecond
            // timeout would silently become none.
            throw new IllegalArgumentException(name + ": " + d + " (expected: at least 1 ms)");
        }
        return d;
    }
}
