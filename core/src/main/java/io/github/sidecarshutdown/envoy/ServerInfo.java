package io.github.sidecarshutdown.envoy;

import io.github.sidecarshutdown.internal.Json;
import io.github.sidecarshutdown.internal.LogSafe;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What {@code GET /server_info} says that matters for shutdown: Envoy's
 * state and version, and, in Istio, {@code node.metadata.ISTIO_VERSION},
 * {@code node.metadata.PROXY_CONFIG} and {@code EXIT_ON_ZERO_ACTIVE_CONNECTIONS}: the only local
 * way for the app to learn its outbound window.
 *
 * @param state                       Envoy's server state
 * @param envoyVersion                Envoy's build version string, or empty
 * @param istioVersion                {@code ISTIO_VERSION}; empty for plain Envoy
 * @param terminationDrainDuration    {@code PROXY_CONFIG.terminationDrainDuration}, when present
 * @param drainTime                   {@code command_line_options.drain_time} ({@code drainDuration})
 * @param exitOnZeroActiveConnections {@code EXIT_ON_ZERO_ACTIVE_CONNECTIONS} from metadata or proxyMetadata
 * @param minimumDrainDuration        {@code PROXY_CONFIG.proxyMetadata.MINIMUM_DRAIN_DURATION}, when present
 * @param holdApplicationUntilProxyStarts {@code PROXY_CONFIG.holdApplicationUntilProxyStarts}, when present
 *
 * <p>The version strings come from the sidecar and end up in log lines and reports, so they are
 * kept log-safe: control characters (CR, LF, ESC, the Unicode line separators) are escaped.
 */
public record ServerInfo(
        EnvoyState state,
        String envoyVersion,
        Optional<String> istioVersion,
        Optional<Duration> terminationDrainDuration,
        Optional<Duration> drainTime,
        boolean exitOnZeroActiveConnections,
        Optional<Duration> minimumDrainDuration,
        Optional<Boolean> holdApplicationUntilProxyStarts) {

    public ServerInfo {
        // Here rather than in parse(), so that no ServerInfo, however built, carries raw sidecar text.
        envoyVersion = escaped(envoyVersion);
        istioVersion = istioVersion.isPresent() ? Optional.of(escaped(istioVersion.get())) : istioVersion;
    }

    /**
     * {@code text} with control characters escaped as {@link LogSafe#of} does, but kept whole: the
     * body is already bounded by the admin client's response cap, and callers see the version as
     * Envoy reported it.
     */
    private static String escaped(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i += LogSafe.MAX_CHARS) {
            b.append(LogSafe.of(text.substring(i, Math.min(text.length(), i + LogSafe.MAX_CHARS))));
        }
        return b.toString();
    }

    /** Whether this Envoy runs as an Istio sidecar (it carries {@code ISTIO_VERSION}). */
    public boolean isIstio() {
        return istioVersion.isPresent();
    }

    /**
     * Parses a {@code /server_info} body.
     *
     * @throws IllegalArgumentException if the body is not JSON or not an object; fields that are
     *     missing or of the wrong type are treated as absent, since plain Envoy and old Istio leave
     *     many out
     */
    public static ServerInfo parse(String body) {
        Object root;
        try {
            root = Json.parse(body);
        } catch (Json.JsonException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (!(root instanceof Map)) {
            throw new IllegalArgumentException("server_info is not a JSON object");
        }
        Map<?, ?> info = (Map<?, ?>) root;
        // Optional chains written out: this runs on a sequence that may start cold (docs/timeline.md).
        Optional<String> stateText = text(info.get("state"));
        EnvoyState state = stateText.isPresent() ? EnvoyState.parse(stateText.get()) : EnvoyState.UNKNOWN;
        String version = text(info.get("version")).orElse("");
        Map<?, ?> options = map(info.get("command_line_options"));
        Optional<Duration> drainTime = durationIn(options.get("drain_time"));
        Map<?, ?> metadata = map(map(info.get("node")).get("metadata"));
        Object istioValue = metadata.get("ISTIO_VERSION");
        Optional<String> istio = istioValue instanceof String && !((String) istioValue).isBlank()
                ? Optional.of((String) istioValue) : Optional.empty();
        Map<?, ?> proxyConfig = map(metadata.get("PROXY_CONFIG"));
        Map<?, ?> proxyMetadata = map(proxyConfig.get("proxyMetadata"));
        Optional<Duration> terminationDrain = durationIn(proxyConfig.get("terminationDrainDuration"));
        boolean exitOnZero = truthy(metadata.get("EXIT_ON_ZERO_ACTIVE_CONNECTIONS"))
                || truthy(proxyMetadata.get("EXIT_ON_ZERO_ACTIVE_CONNECTIONS"));
        Optional<Duration> minimumDrain = durationIn(proxyMetadata.get("MINIMUM_DRAIN_DURATION"));
        Object hold = proxyConfig.get("holdApplicationUntilProxyStarts");
        Optional<String> holdText = text(hold);
        Optional<Boolean> holdApp = hold instanceof Boolean ? Optional.of((Boolean) hold)
                : holdText.isPresent() ? Optional.of(holdText.get().equalsIgnoreCase("true")) : Optional.empty();
        return new ServerInfo(state, version, istio, terminationDrain, drainTime, exitOnZero, minimumDrain, holdApp);
    }

    /** The duration in a JSON value that is a string, if it reads as one. */
    private static Optional<Duration> durationIn(@Nullable Object value) {
        Optional<String> t = text(value);
        return t.isPresent() ? duration(t.get()) : Optional.empty();
    }

    /**
     * Parses a duration as Envoy and Istio print them: protobuf JSON ({@code "5s"}, {@code "1.5s"})
     * or Go ({@code "1m30s"}, {@code "500ms"}).
     */
    static Optional<Duration> duration(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return Optional.empty();
        }
        Optional<Duration> proto = protoDuration(t);
        if (proto.isPresent()) {
            return proto;
        }
        Matcher g = GoDuration.PATTERN.matcher(t);
        if (g.matches() && t.length() > 0) {
            Duration d = Duration.ZERO;
            if (g.group(1) != null) {
                d = d.plusHours(Long.parseLong(g.group(1)));
            }
            if (g.group(2) != null) {
                d = d.plusMinutes(Long.parseLong(g.group(2)));
            }
            if (g.group(3) != null) {
                d = d.plusSeconds(Long.parseLong(g.group(3)));
                if (g.group(4) != null) {
                    d = d.plusNanos(Long.parseLong((g.group(4) + "00000000").substring(0, 9)));
                }
            }
            if (g.group(5) != null) {
                d = d.plusMillis(Long.parseLong(g.group(5)));
            }
            return Optional.of(d);
        }
        return Optional.empty();
    }

    /**
     * Protobuf JSON's duration, {@code (\d{1,12})(?:\.(\d{1,9}))?s}, read by hand: what Envoy and
     * Istio print (a plan or a sequence parses it in a fresh JVM, where a regex's first compile costs
     * more; docs/timeline.md, "Off the startup path"). {@code HandWrittenDurationTest} holds it to that
     * regex.
     */
    static Optional<Duration> protoDuration(String t) {
        int n = t.length();
        if (n < 2 || t.charAt(n - 1) != 's') {
            return Optional.empty();
        }
        int i = 0;
        while (i < n - 1 && isAsciiDigit(t.charAt(i))) {
            i++;
        }
        if (i < 1 || i > 12) {
            return Optional.empty();
        }
        long seconds = Long.parseLong(t.substring(0, i));
        if (i == n - 1) {
            return Optional.of(Duration.ofSeconds(seconds));
        }
        if (t.charAt(i) != '.') {
            return Optional.empty();
        }
        int j = i + 1;
        while (j < n - 1 && isAsciiDigit(t.charAt(j))) {
            j++;
        }
        int fraction = j - i - 1;
        if (j != n - 1 || fraction < 1 || fraction > 9) {
            return Optional.empty();
        }
        long nanos = Long.parseLong((t.substring(i + 1, j) + "00000000").substring(0, 9));
        return Optional.of(Duration.ofSeconds(seconds, nanos));
    }

    /** {@code \d} without {@code UNICODE_CHARACTER_CLASS}: ASCII digits only, unlike {@link Character#isDigit}. */
    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Go's duration ({@code 1m30s}, {@code 500ms}), compiled at its first use: rare in what Envoy prints. */
    private static final class GoDuration {
        static final Pattern PATTERN = Pattern.compile(
                "(?:(\\d{1,6})h)?(?:(\\d{1,6})m(?!s))?(?:(\\d{1,9})(?:\\.(\\d{1,9}))?s)?(?:(\\d{1,9})ms)?");
    }

    private static Optional<String> text(@Nullable Object o) {
        if (o instanceof String) {
            return Optional.of((String) o);
        }
        if (o instanceof BigDecimal || o instanceof Boolean) {
            return Optional.of(o.toString());
        }
        return Optional.empty();
    }

    private static Map<?, ?> map(@Nullable Object o) {
        return o instanceof Map ? (Map<?, ?>) o : Map.of();
    }

    private static boolean truthy(@Nullable Object o) {
        return Boolean.TRUE.equals(o) || (o instanceof String && ((String) o).trim().equalsIgnoreCase("true"));
    }
}
