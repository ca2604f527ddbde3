package io.github.sidecarshutdown.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.List;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * The one way the library talks HTTP to a sidecar on loopback (Envoy admin, pilot-agent,
 * linkerd-proxy admin, daprd): explicit connect/read/write/call timeouts, no redirect, no proxy, no
 * retry, no pooled connection (a dead sidecar shows as refused, not as a stale socket), capped
 * bodies, POST with an empty body for mutations. Calls go through a {@link LoopbackClient}: the JDK's
 * sockets ({@link SocketHttp}) for http, OkHttp (built here) for https (docs/timeline.md, "Off the
 * startup path"). Not API.
 */
public final class LoopbackHttp {

    /** A status and a body read within the cap. */
    public record Answer(int status, String body) {
    }

    /** The body exceeded the cap. */
    public static final class BodyTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        private final int status;

        BodyTooLargeException(long max, int status) {
            super("body larger than " + max + " bytes");
            this.status = status;
        }

        /** The status of the answer whose body was too large; -1 when not known. */
        public int status() {
            return status;
        }
    }

    /** How an I/O failure is best described. */
    public enum Failure { REFUSED, TIMEOUT, OTHER }

    private LoopbackHttp() {
    }

    /** The shortest budget a call can be given: OkHttp counts whole milliseconds. */
    public static final Duration MIN_CALL_BUDGET = Duration.ofMillis(1);

    /**
     * The timeout OkHttp will really apply for {@code budget}: rounded down to whole milliseconds,
     * so never longer than the budget. OkHttp truncates a {@code Duration} to milliseconds and reads
     * 0 as "no timeout at all", so a budget under 1 ms must never reach it.
     *
     * @throws IllegalArgumentException when {@code budget} is under {@link #MIN_CALL_BUDGET}; callers
     *     check {@link #fits(Duration)} first and do not make the call
     */
    public static Duration okHttpTimeout(Duration budget) {
        if (!fits(budget)) {
            throw new IllegalArgumentException("timeout: " + budget + " (expected: at least 1 ms; OkHttp reads 0 as no timeout)");
        }
        return budget.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0
                ? Duration.ofMillis(Integer.MAX_VALUE) : Duration.ofMillis(budget.toMillis());
    }

    /** Whether a call can be made within {@code budget} (at least 1 ms). */
    public static boolean fits(Duration budget) {
        return budget.compareTo(MIN_CALL_BUDGET) >= 0;
    }

    /** A client with the library's rules for http and https; close it with {@link #close(OkHttpClient)}. */
    public static OkHttpClient client(Duration connectTimeout, Duration callTimeout) {
        return client(connectTimeout, callTimeout, true);
    }

    /**
     * A client with the library's rules; close it with {@link #close(OkHttpClient)}. Without
     * {@code tls} it speaks plain http only, and builds no TLS context: OkHttp would otherwise load
     * the JDK's trust store at construction, the largest part of the library's start-up
     * (docs/timeline.md), for a loopback admin port that is plain http.
     */
    public static OkHttpClient client(Duration connectTimeout, Duration callTimeout, boolean tls) {
        Duration call = okHttpTimeout(callTimeout);
        OkHttpClient.Builder b = new OkHttpClient.Builder();
        if (!tls) {
            b.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT));
        }
        return b
                .connectTimeout(okHttpTimeout(connectTimeout))
                .readTimeout(call)
                .writeTimeout(call)
                .callTimeout(call)
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
                .proxy(Proxy.NO_PROXY)
                .build();
    }

    /** A client sharing {@code base}'s resources with another call timeout (connect never longer than it). */
    public static OkHttpClient withCallTimeout(OkHttpClient base, Duration callTimeout) {
        Duration call = okHttpTimeout(callTimeout);
        Duration connect = Duration.ofMillis(base.connectTimeoutMillis());
        return base.newBuilder()
                .readTimeout(call)
                .writeTimeout(call)
                .callTimeout(call)
                .connectTimeout(call.compareTo(connect) < 0 ? call : connect)
                .build();
    }

    /** One call; {@code method} is {@code GET} or {@code POST} (empty body). */
    public static Answer call(OkHttpClient http, String method, HttpUrl url, long maxResponseBytes) throws IOException {
        Request.Builder req = new Request.Builder().url(url);
        if (method.equals("POST")) {
            req.post(EmptyBody.INSTANCE);
        } else {
            req.get();
        }
        try (Response response = http.newCall(req.build()).execute()) {
            return new Answer(response.code(), readCapped(response, maxResponseBytes));
        }
    }

    /** Reads at most {@code max} bytes of the body. */
    public static String readCapped(Response response, long max) throws IOException {
        ResponseBody body = response.body();
        if (body == null) {
            return "";
        }
        BufferedSource source = body.source();
        if (source.request(max + 1)) {
            throw new BodyTooLargeException(max, response.code());
        }
        return source.getBuffer().readString(StandardCharsets.UTF_8);
    }

    /** Built at the first OkHttp POST: nothing of OkHttp is loaded with this class. */
    private static final class EmptyBody {
        static final RequestBody INSTANCE = RequestBody.create(new byte[0], null);
    }

    /** Refused, timed out, or something else. */
    public static Failure classify(IOException e) {
        if (e instanceof ConnectException) {
            return Failure.REFUSED;
        }
        if (e instanceof SocketTimeoutException || (e instanceof InterruptedIOException && "timeout".equals(e.getMessage()))) {
            return Failure.TIMEOUT;
        }
        return Failure.OTHER;
    }

    /** Releases a client built by {@link #client}. */
    public static void close(OkHttpClient http) {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
