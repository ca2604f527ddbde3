package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Builds an {@link InboundLoad}. Obtained from {@link InboundLoad#builder()}.
 *
 * <p>Mutable and not thread-safe.
 */
public final class InboundLoadBuilder {

    /** Default {@link #clients(int)}: 4. */
    public static final int DEFAULT_CLIENTS = 4;
    /** Upper bound of {@link #clients(int)}: 1000. */
    public static final int MAX_CLIENTS = 1000;
    /** Default {@link #requestTimeout(Duration)}: 2 seconds. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(2);
    /** Default {@link #pause(Duration)}: 20 milliseconds. */
    public static final Duration DEFAULT_PAUSE = Duration.ofMillis(20);
    /** Default {@link #leadTime(Duration)}: 500 milliseconds. */
    public static final Duration DEFAULT_LEAD_TIME = Duration.ofMillis(500);
    /** Default {@link #maxDuration(Duration)}: 2 minutes. */
    public static final Duration DEFAULT_MAX_DURATION = Duration.ofMinutes(2);
    /** Default {@link #maxRequests(long)}: 200,000. */
    public static final long DEFAULT_MAX_REQUESTS = 200_000;

    private @Nullable URI url;
    private int clients = DEFAULT_CLIENTS;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration pause = DEFAULT_PAUSE;
    private Duration leadTime = DEFAULT_LEAD_TIME;
    private Duration maxDuration = DEFAULT_MAX_DURATION;
    private long maxRequests = DEFAULT_MAX_REQUESTS;

    InboundLoadBuilder() {
    }

    /**
     * Sets the target URL. Required; {@code http} or {@code https} with a host.
     *
     * @param url the URL
     * @return this builder
     */
    public InboundLoadBuilder url(URI url) {
        this.url = checkUrl(url);
        return this;
    }

    /**
     * Sets the target URL.
     *
     * @param url the URL, e.g. {@code "http://127.0.0.1:15006/"}
     * @return this builder
     */
    public InboundLoadBuilder url(String url) {
        requireNonNull(url, "url");
        return url(URI.create(url));
    }

    /**
     * Sets the number of concurrent clients. Default: 4; at most 1000.
     *
     * @param clients the number of clients, in [1, 1000]
     * @return this builder
     */
    public InboundLoadBuilder clients(int clients) {
        this.clients = checkClients(clients);
        return this;
    }

    /**
     * Sets the connect and response timeout of each request. Default: 2 seconds.
     *
     * @param requestTimeout the timeout, &gt; 0
     * @return this builder
     */
    public InboundLoadBuilder requestTimeout(Duration requestTimeout) {
        this.requestTimeout = checkPositive(requestTimeout, "requestTimeout");
        return this;
    }

    /**
     * Sets each client's pause between two requests. Default: 20 milliseconds.
     *
     * @param pause the pause, &gt;= 0
     * @return this builder
     */
    public InboundLoadBuilder pause(Duration pause) {
        this.pause = checkNotNegative(pause, "pause");
        return this;
    }

    /**
     * Sets how long the load runs before the Pod is deleted (when {@link PodSimulator#deletePod()}
     * starts the load, or the rest of it when the load was started earlier). Default: 500
     * milliseconds.
     *
     * @param leadTime the lead time, &gt;= 0
     * @return this builder
     */
    public InboundLoadBuilder leadTime(Duration leadTime) {
        this.leadTime = checkNotNegative(leadTime, "leadTime");
        return this;
    }

    /**
     * Sets the upper bound of the whole load, from its start. Default: 2 minutes.
     *
     * @param maxDuration the bound, &gt; 0
     * @return this builder
     */
    public InboundLoadBuilder maxDuration(Duration maxDuration) {
        this.maxDuration = checkPositive(maxDuration, "maxDuration");
        return this;
    }

    /**
     * Sets the upper bound of the number of requests, all clients together. Default: 200,000.
     *
     * @param maxRequests the bound, &gt; 0
     * @return this builder
     */
    public InboundLoadBuilder maxRequests(long maxRequests) {
        this.maxRequests = checkMaxRequests(maxRequests);
        return this;
    }

    /**
     * Builds the immutable configuration.
     *
     * @return the configuration
     * @throws IllegalStateException if the URL is not set
     */
    public InboundLoad build() {
        if (url == null) {
            throw new IllegalStateException("url: not set (expected: an http URL)");
        }
        return new InboundLoad(url, clients, requestTimeout, pause, leadTime, maxDuration,
                maxRequests);
    }

    static URI checkUrl(URI url) {
        requireNonNull(url, "url");
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || url.getHost() == null) {
            throw new IllegalArgumentException(
                    "url: " + url + " (expected: an absolute http or https URL with a host)");
        }
        return url;
    }

    static int checkClients(int clients) {
        if (clients < 1 || clients > MAX_CLIENTS) {
            throw new IllegalArgumentException(
                    "clients: " + clients + " (expected: in [1, " + MAX_CLIENTS + "])");
        }
        return clients;
    }

    static long checkMaxRequests(long maxRequests) {
        if (maxRequests < 1) {
            throw new IllegalArgumentException("maxRequests: " + maxRequests + " (expected: > 0)");
        }
        return maxRequests;
    }

    static Duration checkPositive(Duration value, String name) {
        requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    static Duration checkNotNegative(Duration value, String name) {
        requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
        }
        return value;
    }
}
