package io.github.sidecarshutdown.envoy;

import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.Json;
import io.github.sidecarshutdown.internal.LoopbackClient;
import io.github.sidecarshutdown.internal.LoopbackHttp;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Client of the Envoy admin API ({@code 127.0.0.1:15000}) and the pilot-agent status server
 * ({@code :15020}), with the exact methods, paths and query flags of docs/sidecar-protocol.md
 * §3 and §4.2. Every call has explicit connect and call timeouts, reads at most a capped body, follows
 * no redirect and never goes through a proxy; mutations are POST only.
 *
 * <p>Thread-safe. Share one instance; derive per-call budgets with {@link #withCallTimeout(Duration)},
 * which shares the underlying connection resources. OkHttp is an implementation detail: no OkHttp
 * type appears in this API.
 *
 * <p>Long because it is the whole admin API the library may call (each endpoint with its method, flags
 * and the answers it accepts) plus the one transport they share; the parsing of /server_info lives
 * in ServerInfo.
 */
public final class EnvoyAdminClient implements AutoCloseable {

    /**
     * The most of {@code GET /clusters} read: every host of every cluster takes some 17 lines, so a
     * mesh that pushes every service to every Pod answers with megabytes (2,000 hosts: 3.4 MB).
     */
    static final long MAX_CLUSTERS_BYTES = 32L * 1024 * 1024;

    private final URI adminUrl;
    private final URI agentUrl;
    private final Duration callTimeout;
    private final long maxResponseBytes;
    private final AdminCallListener listener;
    private final boolean owner;
    /**
     * Shared with every client derived by {@link #withCallTimeout}. No OkHttp class is loaded here:
     * calls before the shutdown go through the JDK's sockets, and OkHttp's client is built at its
     * first call (docs/timeline.md, "Off the startup path").
     */
    private final LoopbackClient http;

    EnvoyAdminClient(EnvoyAdminClientBuilder b) {
        this.adminUrl = b.adminUrl;
        this.agentUrl = b.agentUrl;
        this.callTimeout = b.callTimeout;
        this.maxResponseBytes = b.maxResponseBytes;
        this.listener = b.listener;
        this.http = new LoopbackClient(b.connectTimeout,
                "https".equalsIgnoreCase(b.adminUrl.getScheme()) || "https".equalsIgnoreCase(b.agentUrl.getScheme()));
        this.owner = true;
    }

    private EnvoyAdminClient(EnvoyAdminClient parent, Duration callTimeout) {
        this.adminUrl = parent.adminUrl;
        this.agentUrl = parent.agentUrl;
        this.maxResponseBytes = parent.maxResponseBytes;
        this.listener = parent.listener;
        this.callTimeout = callTimeout;
        this.http = parent.http;
        this.owner = false;
    }

    /** A new builder with Istio's defaults. */
    public static EnvoyAdminClientBuilder builder() {
        return new EnvoyAdminClientBuilder();
    }

    /** The Envoy admin base URL. */
    public URI adminUrl() {
        return adminUrl;
    }

    /** The pilot-agent base URL. */
    public URI agentUrl() {
        return agentUrl;
    }

    /** The whole-call timeout of this client. */
    public Duration callTimeout() {
        return callTimeout;
    }

    /**
     * A client with a different call timeout (e.g. capped at what is left of a shutdown budget);
     * shares this one's resources. Closing it does nothing. The timeout each call really gets is
     * {@code timeout} rounded down to whole milliseconds, so never longer than it; with less than
     * 1 ms (or a zero or negative budget) no call is made: each fails at once with
     * {@link EnvoyAdminException.Kind#TIMEOUT}, without touching the network.
     */
    public EnvoyAdminClient withCallTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return new EnvoyAdminClient(this, timeout);
    }

    /** {@code GET /ready}: 200 {@code LIVE} or 503 with another state. */
    public ReadyResponse ready() {
        Answer a = call(AdminEndpoint.READY, null);
        if (a.status == 200 || a.status == 503) {
            return new ReadyResponse(a.status, EnvoyState.parse(a.body));
        }
        throw unexpected(AdminEndpoint.READY, a);
    }

    /** {@code GET /server_info}, parsed. */
    public ServerInfo serverInfo() {
        Answer a = call(AdminEndpoint.SERVER_INFO, null);
        if (a.status != 200) {
            throw unexpected(AdminEndpoint.SERVER_INFO, a);
        }
        try {
            return ServerInfo.parse(a.body);
        } catch (IllegalArgumentException e) {
            throw failed(AdminEndpoint.SERVER_INFO, EnvoyAdminException.Kind.MALFORMED_RESPONSE, a.status,
                    "unreadable body: " + e.getMessage(), e);
        }
    }

    /**
     * {@code GET /server_info} as Envoy wrote it (JSON, within the body cap), for what
     * {@link ServerInfo} does not model: the node a mesh's bootstrap wrote (Consul's node metadata,
     * kuma-dp's version), which is how those meshes are told apart.
     */
    public String serverInfoText() {
        Answer a = call(AdminEndpoint.SERVER_INFO, null);
        if (a.status != 200) {
            throw unexpected(AdminEndpoint.SERVER_INFO, a);
        }
        return a.body;
    }

    /**
     * {@code POST /drain_listeners} with the given presence flags, e.g.
     * {@code drainListeners(INBOUND_ONLY, GRACEFUL)} sends {@code ?inboundonly&graceful}. Idempotent
     * on Envoy's side: a repeated graceful drain is a no-op answering {@code OK}.
     *
     * @throws IllegalArgumentException for {@code SKIP_EXIT} without {@code GRACEFUL}, which Envoy
     *     refuses with 400
     */
    public void drainListeners(DrainFlag... flags) {
        EnumSet<DrainFlag> set = EnumSet.noneOf(DrainFlag.class);
        Collections.addAll(set, flags);
        if (set.contains(DrainFlag.SKIP_EXIT) && !set.contains(DrainFlag.GRACEFUL)) {
            throw new IllegalArgumentException("flags: " + set + " (expected: SKIP_EXIT only with GRACEFUL)");
        }
        String url = url(AdminEndpoint.DRAIN_LISTENERS);
        for (DrainFlag f : set) {
            url = LoopbackClient.addQuery(url, f.queryName(), null);
        }
        expectOk(AdminEndpoint.DRAIN_LISTENERS, call(AdminEndpoint.DRAIN_LISTENERS, url));
    }

    /** {@code POST /quitquitquit}: Envoy exits cleanly and pilot-agent follows. */
    public void quitQuitQuit() {
        expectOk(AdminEndpoint.QUITQUITQUIT, call(AdminEndpoint.QUITQUITQUIT, null));
    }

    /** {@code GET /stats} in text form, unparsed. */
    public String statsText(StatsQuery query) {
        Answer a = call(AdminEndpoint.STATS, statsUrl(query, false));
        if (a.status != 200) {
            throw unexpected(AdminEndpoint.STATS, a);
        }
        return a.body;
    }

    /** {@code GET /stats} in text form ({@code name: value} lines), parsed. */
    public List<EnvoyStat> stats(StatsQuery query) {
        return parseStatsText(statsText(query));
    }

    /** {@code GET /stats?format=json}, the {@code stats} array parsed (histograms are left out). */
    public List<EnvoyStat> statsJson(StatsQuery query) {
        Answer a = call(AdminEndpoint.STATS, statsUrl(query, true));
        if (a.status != 200) {
            throw unexpected(AdminEndpoint.STATS, a);
        }
        try {
            return parseStatsJson(a.body);
        } catch (IllegalArgumentException e) {
            throw failed(AdminEndpoint.STATS, EnvoyAdminException.Kind.MALFORMED_RESPONSE, a.status,
                    "unreadable body: " + e.getMessage(), e);
        }
    }

    /**
     * {@code GET /clusters} (text form): the traffic counters ({@code rq_active}, {@code rq_total},
     * {@code cx_active}, {@code cx_total}) of every host of the clusters whose name {@code clusters}
     * accepts, in the order Envoy lists them. The answer is read whole (at most 32 MiB), then only
     * those hosts are kept.
     *
     * @throws EnvoyAdminException with {@code MALFORMED_RESPONSE} when a kept counter is not a count,
     *     {@code RESPONSE_TOO_LARGE} past the cap, or as any call fails
     */
    public List<ClusterHostStats> clusters(Predicate<String> clusters) {
        Objects.requireNonNull(clusters, "clusters");
        // One bulk read, then a pass over the text: in a JVM that has run this code once or twice
        // (it runs at SIGTERM and at the release), reading line by line through the HTTP stack costs
        // ten times more.
        Answer a = call(AdminEndpoint.CLUSTERS, null, MAX_CLUSTERS_BYTES);
        if (a.status != 200) {
            throw unexpected(AdminEndpoint.CLUSTERS, a);
        }
        try {
            return ClustersText.parse(a.body, clusters);
        } catch (IllegalArgumentException e) {
            throw failed(AdminEndpoint.CLUSTERS, EnvoyAdminException.Kind.MALFORMED_RESPONSE, a.status,
                    "unreadable body: " + e.getMessage(), e);
        }
    }

    /**
     * pilot-agent {@code GET /healthz/ready}: true for 200, false for 503.
     *
     * @throws EnvoyAdminException with {@code CONNECTION_REFUSED} once pilot-agent got SIGTERM (it
     *     closes its listener at once) or when there is no agent
     */
    public boolean agentReady() {
        Answer a = call(AdminEndpoint.AGENT_READY, null);
        if (a.status == 200) {
            return true;
        }
        if (a.status == 503) {
            return false;
        }
        throw unexpected(AdminEndpoint.AGENT_READY, a);
    }

    /** pilot-agent {@code POST /quitquitquit}. */
    public void agentQuitQuitQuit() {
        expectOk(AdminEndpoint.AGENT_QUITQUITQUIT, call(AdminEndpoint.AGENT_QUITQUITQUIT, null));
    }

    /** pilot-agent {@code POST /drain} (Istio 1.21+): makes any later SIGTERM kill Envoy at once. */
    public void agentDrain() {
        expectOk(AdminEndpoint.AGENT_DRAIN, call(AdminEndpoint.AGENT_DRAIN, null));
    }

    /** Releases the client's resources if this instance built them. Idempotent. */
    @Override
    public void close() {
        if (owner) {
            http.close();
        }
    }

    @Override
    public String toString() {
        return "EnvoyAdminClient{admin=" + adminUrl + ", agent=" + agentUrl + ", callTimeout=" + callTimeout + "}";
    }

    // ---- parsing, package-private for tests ----

    static List<EnvoyStat> parseStatsText(String body) {
        List<EnvoyStat> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon <= 0) {
                continue;
            }
            String value = line.substring(colon + 2).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            out.add(new EnvoyStat(line.substring(0, colon).trim(), value));
        }
        return List.copyOf(out);
    }

    static List<EnvoyStat> parseStatsJson(String body) {
        Object root;
        try {
            root = Json.parse(body);
        } catch (Json.JsonException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (!(root instanceof Map) || !(((Map<?, ?>) root).get("stats") instanceof List)) {
            throw new IllegalArgumentException("expected {\"stats\":[...]}");
        }
        List<EnvoyStat> out = new ArrayList<>();
        for (Object o : (List<?>) ((Map<?, ?>) root).get("stats")) {
            if (o instanceof Map && ((Map<?, ?>) o).get("name") instanceof String) {
                Object v = ((Map<?, ?>) o).get("value");
                if (v != null) {
                    out.add(new EnvoyStat((String) ((Map<?, ?>) o).get("name"),
                            v instanceof BigDecimal ? numberText((BigDecimal) v) : v.toString()));
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * A number as Envoy prints it (plain digits), unless that would be absurdly long: the plain
     * form of {@code 1e999999999} is a billion characters, so such a value keeps its exponent.
     */
    static String numberText(BigDecimal d) {
        long scale = d.scale();
        return Math.abs(scale) <= 64 && d.precision() - scale <= 64 ? d.toPlainString() : d.toString();
    }

    // ---- transport ----

    private static final class Answer {
        final int status;
        final String body;

        Answer(int status, String body) {
            this.status = status;
            this.body = body;
        }
    }

    private String url(AdminEndpoint endpoint) {
        return LoopbackClient.resolve(endpoint.target() == AdminEndpoint.Target.ADMIN ? adminUrl : agentUrl, endpoint.path());
    }

    private String statsUrl(StatsQuery q, boolean json) {
        String u = url(AdminEndpoint.STATS);
        if (json) {
            u = LoopbackClient.addQuery(u, "format", "json");
        }
        if (q.usedOnly()) {
            u = LoopbackClient.addQuery(u, "usedonly", null);
        }
        if (q.filter() != null) {
            u = LoopbackClient.addQuery(u, "filter", q.filter());
        }
        return u;
    }

    private Answer call(AdminEndpoint endpoint, @Nullable String url) {
        return call(endpoint, url, maxResponseBytes);
    }

    /** One call whose body may have at most {@code maxBytes} bytes (more is {@code RESPONSE_TOO_LARGE}). */
    private Answer call(AdminEndpoint endpoint, @Nullable String url, long maxBytes) {
        if (!LoopbackHttp.fits(callTimeout)) {
            listener.onAdminCall(endpoint, "timeout", -1, Duration.ZERO);
            throw failed(endpoint, EnvoyAdminException.Kind.TIMEOUT, -1, "call not made: budget "
                    + Durations.format(
                            Durations.nonNegative(callTimeout))
                    + " is under 1 ms", null);
        }
        long start = System.nanoTime();
        try {
            LoopbackHttp.Answer a = http.call(endpoint.method(), url != null ? url : url(endpoint), callTimeout, maxBytes);
            listener.onAdminCall(endpoint, outcomeTag(a.status()), a.status(), Duration.ofNanos(System.nanoTime() - start));
            return new Answer(a.status(), a.body());
        } catch (LoopbackHttp.BodyTooLargeException e) {
            EnvoyAdminException tooLarge = failed(endpoint, EnvoyAdminException.Kind.RESPONSE_TOO_LARGE, e.status(),
                    "body larger than " + maxBytes + " bytes", null);
            listener.onAdminCall(endpoint, tooLarge.kind().name().toLowerCase(Locale.ROOT), tooLarge.statusCode(),
                    Duration.ofNanos(System.nanoTime() - start));
            throw tooLarge;
        } catch (IOException e) {
            EnvoyAdminException.Kind kind = classify(e);
            listener.onAdminCall(endpoint, kind.name().toLowerCase(Locale.ROOT), -1,
                    Duration.ofNanos(System.nanoTime() - start));
            throw failed(endpoint, kind, -1, describe(kind, e), e);
        }
    }

    private static String outcomeTag(int status) {
        return status >= 200 && status < 300 ? "success" : "status_" + (status / 100) + "xx";
    }

    private static EnvoyAdminException.Kind classify(IOException e) {
        switch (LoopbackHttp.classify(e)) {
            case REFUSED: return EnvoyAdminException.Kind.CONNECTION_REFUSED;
            case TIMEOUT: return EnvoyAdminException.Kind.TIMEOUT;
            default: return EnvoyAdminException.Kind.IO;
        }
    }

    private String describe(EnvoyAdminException.Kind kind, IOException e) {
        switch (kind) {
            case CONNECTION_REFUSED:
                return "connection refused (nothing listens: no sidecar, or it is gone)";
            case TIMEOUT:
                return "no answer within " + callTimeout.toMillis() + " ms";
            default:
                return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }

    private void expectOk(AdminEndpoint endpoint, Answer a) {
        if (a.status != 200) {
            throw unexpected(endpoint, a);
        }
    }

    private EnvoyAdminException unexpected(AdminEndpoint endpoint, Answer a) {
        EnvoyAdminException.Kind kind = a.status == 400 || a.status == 405
                ? EnvoyAdminException.Kind.REJECTED : EnvoyAdminException.Kind.HTTP_STATUS;
        String snippet = a.body.length() > 200 ? a.body.substring(0, 200) + "..." : a.body;
        return failed(endpoint, kind, a.status, "HTTP " + a.status + (snippet.isBlank() ? "" : " " + snippet.strip()), null);
    }

    private static EnvoyAdminException failed(AdminEndpoint endpoint, EnvoyAdminException.Kind kind, int status,
            String message, @Nullable Throwable cause) {
        return new EnvoyAdminException(endpoint, kind, status, message, cause);
    }
}
