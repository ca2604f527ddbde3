package io.github.sidecarshutdown.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Parses setting values as written in environment variables or properties. Durations accept
 * {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, compounds such as {@code 1m30s}, decimals such
 * as {@code 1.5s}, and ISO-8601 ({@code PT5S}); a bare number is refused because its unit would be a
 * guess.
 */
public final class SettingParser {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h))+");
    private static final Duration MAX = Duration.ofDays(1);

    private SettingParser() {
    }

    /** Parses a non-negative duration no longer than a day. */
    public static Duration duration(Setting setting, String source, String raw) {
        String text = raw.trim().toLowerCase(Locale.ROOT);
        if (text.isEmpty()) {
            throw new InvalidSettingException(setting, source, raw, "empty; expected " + Setting.Kind.DURATION.accepted());
        }
        Duration d;
        if (text.startsWith("p") || text.startsWith("-p")) {
            try {
                d = Duration.parse(text.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new InvalidSettingException(setting, source, raw,
                        "not an ISO-8601 duration; expected " + Setting.Kind.DURATION.accepted());
            }
        } else if (text.startsWith("-")) {
            throw new InvalidSettingException(setting, source, raw, "must not be negative; expected "
                    + Setting.Kind.DURATION.accepted());
        } else if (text.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
            throw new InvalidSettingException(setting, source, raw, "missing unit (did you mean " + text
                    + "s?); expected " + Setting.Kind.DURATION.accepted());
        } else if (!WHOLE.matcher(text).matches()) {
            throw new InvalidSettingException(setting, source, raw, "not a duration; expected "
                    + Setting.Kind.DURATION.accepted());
        } else {
            d = Duration.ZERO;
            Matcher m = PART.matcher(text);
            try {
                while (m.find()) {
                    double n = Double.parseDouble(m.group(1));
                    if (n > MAX.toMillis()) {
                        throw new InvalidSettingException(setting, source, raw, "longer than a day; expected "
                                + Setting.Kind.DURATION.accepted());
                    }
                    double unitMillis;
                    switch (m.group(2)) {
                        case "ms": unitMillis = 1; break;
                        case "s": unitMillis = 1_000; break;
                        case "m": unitMillis = 60_000; break;
                        default: unitMillis = 3_600_000; break;
                    }
                    d = d.plusNanos(Math.round(n * unitMillis * 1_000_000));
                }
            } catch (ArithmeticException e) {
                throw new InvalidSettingException(setting, source, raw, "longer than a day; expected "
                        + Setting.Kind.DURATION.accepted());
            }
        }
        return checkDuration(setting, source, raw, d);
    }

    /** Checks a duration given through a builder or a typed property. */
    public static Duration checkDuration(Setting setting, String source, Object shown, Duration d) {
        if (d.isNegative()) {
            throw new InvalidSettingException(setting, source, String.valueOf(shown), "must not be negative");
        }
        if (d.compareTo(MAX) > 0) {
            throw new InvalidSettingException(setting, source, String.valueOf(shown),
                    "longer than a day; no Pod waits that long to terminate. Expected " + Setting.Kind.DURATION.accepted());
        }
        return d;
    }

    /** Parses {@code true|false} (also {@code yes|no|on|off}). */
    public static boolean bool(Setting setting, String source, String raw) {
        switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on":
                return true;
            case "false": case "no": case "off":
                return false;
            default:
                throw new InvalidSettingException(setting, source, raw, "expected true or false");
        }
    }

    /** Parses one constant of {@code type}, case-insensitively, with {@code -} as {@code _}. */
    public static <E extends Enum<E>> E oneOf(Setting setting, String source, String raw, Class<E> type) {
        String text = raw.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(text)) {
                return e;
            }
        }
        throw new InvalidSettingException(setting, source, raw, "expected one of " + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining("|")));
    }

    /** Parses a non-blank file path (the file need not exist). */
    public static java.nio.file.Path path(Setting setting, String source, String raw) {
        String text = raw.trim();
        if (text.isEmpty()) {
            throw new InvalidSettingException(setting, source, raw, "empty; expected " + Setting.Kind.PATH.accepted());
        }
        try {
            return java.nio.file.Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidSettingException(setting, source, raw, "not a file path (" + e.getReason() + "); expected "
                    + Setting.Kind.PATH.accepted());
        }
    }

    private static final Pattern CREDENTIALS = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@");

    /** {@code url} with any {@code user:password@} replaced, for messages and logs. */
    public static String redact(String url) {
        return CREDENTIALS.matcher(url).replaceFirst("$1<redacted>@");
    }

    private static boolean hasCredentials(String url) {
        return CREDENTIALS.matcher(url).find();
    }

    /** Parses an absolute http(s) URL without credentials. */
    public static URI url(Setting setting, String source, String raw) {
        String text = raw.trim();
        if (hasCredentials(text)) {
            throw credentials(setting, source, text);
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(setting, source, redact(raw), "not a URL (" + e.getReason() + "); expected "
                    + Setting.Kind.URL.accepted());
        }
        return checkUrl(setting, source, uri);
    }

    private static InvalidSettingException credentials(Setting setting, String source, String url) {
        // Never keep credentials: the URL is logged and tagged in metrics.
        return new InvalidSettingException(setting, source, redact(url), "must not contain credentials "
                + "(user:password@); the Envoy admin port takes none");
    }

    /** Checks scheme, host and the absence of credentials. */
    public static URI checkUrl(Setting setting, String source, URI uri) {
        if (uri.getRawUserInfo() != null || hasCredentials(uri.toString())) {
            throw credentials(setting, source, uri.toString());
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new InvalidSettingException(setting, source, uri.toString(), "scheme must be http or https; expected "
                    + Setting.Kind.URL.accepted());
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidSettingException(setting, source, uri.toString(), "no host; expected "
                    + Setting.Kind.URL.accepted());
        }
        // java.net.URI takes any number as a port; the HTTP client would refuse it later with an
        // error that names no setting.
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
            throw new InvalidSettingException(setting, source, uri.toString(), "port " + uri.getPort()
                    + " out of range 1-65535; expected " + Setting.Kind.URL.accepted());
        }
        return uri;
    }

    /** Whether {@code host} is {@code localhost}, an address in 127.0.0.0/8 or {@code ::1}. */
    public static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            return true;
        }
        return h.equals("::1") || h.equalsIgnoreCase("0:0:0:0:0:0:0:1");
    }
}
