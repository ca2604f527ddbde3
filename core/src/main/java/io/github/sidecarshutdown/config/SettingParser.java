package io.github.sidecarshutdown.config;

import io.github.sidecarshutdown.internal.Durations;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Parses setting values as written in environment variables or properties. Durations accept
 * {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, compounds such as {@code 1m30s}, decimals such
 * as {@code 1.5s}, and ISO-8601 ({@code PT5S}); a bare number is refused because its unit would be a
 * guess. Durations count whole milliseconds: a value with a part finer than that ({@code 0.5ms},
 * {@code 1500us}, {@code PT0.0005S}) is refused rather than rounded, because the HTTP client rounds
 * a timeout to milliseconds and reads 0 as "no timeout". Error messages echo the value as the user
 * wrote it, and a "did you mean" suggestion is only ever a value this parser accepts.
 */
public final class SettingParser {

    // \d is ASCII-only in Java regexes: other digits (fullwidth, Arabic-Indic) are refused, with a
    // suggestion in ASCII when that parses.
    private static final String UNITS = "ms|us|\u00b5s|\u03bcs|ns|s|m|h";
    private static final Duration MAX = Duration.ofDays(1);
    private static final long NANOS_PER_MILLI = 1_000_000;

    /**
     * The general grammar, compiled at its first use: the values an app sets most ({@code 500ms},
     * {@code 5s}) take {@link #simple} instead, so that a build on the app's path to Ready loads
     * no regex and no BigDecimal (docs/timeline.md, "Off the startup path").
     */
    private static final class Compound {
        static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(" + UNITS + ")");
        static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:" + UNITS + "))+");
        static final BigDecimal MAX_NANOS = BigDecimal.valueOf(MAX.toNanos());
    }

    private SettingParser() {
    }

    /**
     * Parses a non-negative duration no longer than a day, in whole milliseconds. 0 is accepted
     * whatever the setting (callers may borrow this parser for their own variables); use
     * {@link #durationFor} for a value of {@code setting} itself.
     */
    public static Duration duration(SettingKey setting, String source, String raw) {
        return parse(setting, source, raw, false, true);
    }

    /**
     * Parses a value for {@code setting}: {@link #duration} plus the setting's own lower bound, so
     * that 0 is refused, echoing the text as written, where it would not mean "off"
     * ({@link Setting#zeroAllowed()}).
     */
    public static Duration durationFor(SettingKey setting, String source, String raw) {
        return parse(setting, source, raw, true, true);
    }

    private static Duration parse(SettingKey setting, String source, String raw, boolean settingBound, boolean suggest) {
        String text = raw.trim().toLowerCase(Locale.ROOT);
        if (text.isEmpty()) {
            throw new InvalidSettingException(setting, source, raw, "empty; expected " + Setting.Kind.DURATION.accepted());
        }
        Duration d;
        if (text.startsWith("p") || text.startsWith("-p")) {
            try {
                d = Duration.parse(text.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new InvalidSettingException(setting, source, raw, "not an ISO-8601 duration"
                        + didYouMean(setting, source, raw, settingBound, suggest) + "; expected "
                        + Setting.Kind.DURATION.accepted());
            }
        } else if (text.startsWith("-")) {
            throw new InvalidSettingException(setting, source, raw, "must not be negative; expected "
                    + Setting.Kind.DURATION.accepted());
        } else if (digitsAndDots(text)) {
            String fix = suggest ? accepted(setting, source, ascii(text) + "s", settingBound) : null;
            throw new InvalidSettingException(setting, source, raw, "missing unit"
                    + (fix == null ? "" : " (did you mean " + fix + "?)") + "; expected " + Setting.Kind.DURATION.accepted());
        } else if ((d = simple(text)) != null) {
            // ASCII digits and one unit of ms, s, m or h: the same value the grammar below gives
        } else if (!Compound.WHOLE.matcher(text).matches()) {
            throw new InvalidSettingException(setting, source, raw, "not a duration"
                    + didYouMean(setting, source, raw, settingBound, suggest) + "; expected "
                    + Setting.Kind.DURATION.accepted());
        } else {
            // Exact decimal arithmetic: a double would turn 1.0005s into 1000.4999...ms and hide the
            // sub-millisecond part, or invent one.
            BigDecimal nanos = BigDecimal.ZERO;
            Matcher m = Compound.PART.matcher(text);
            while (m.find()) {
                nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
                if (nanos.compareTo(Compound.MAX_NANOS) > 0) {
                    throw tooLong(setting, source, raw);
                }
            }
            // Rounded up, so that a positive fraction of a nanosecond stays positive and is refused
            // below as finer than a millisecond instead of becoming 0.
            d = Duration.ofNanos(nanos.setScale(0, RoundingMode.CEILING).longValueExact());
        }
        checkRange(setting, source, raw, d);
        if (settingBound) {
            checkZero(setting, source, raw, d);
        }
        return d;
    }

    /**
     * {@code text} read as ASCII digits followed by one unit of {@code ms}, {@code s}, {@code m} or
     * {@code h}; null for anything else (decimals, compounds, micro- and nanoseconds, more than 9
     * digits), which the general grammar reads.
     */
    private static @Nullable Duration simple(String text) {
        int unitAt = 0;
        while (unitAt < text.length() && text.charAt(unitAt) >= '0' && text.charAt(unitAt) <= '9') {
            unitAt++;
        }
        if (unitAt == 0 || unitAt > 9) {
            return null;
        }
        long n = Long.parseLong(text, 0, unitAt, 10);
        switch (text.substring(unitAt)) {
            case "ms": return Duration.ofMillis(n);
            case "s": return Duration.ofSeconds(n);
            case "m": return Duration.ofMinutes(n);
            case "h": return Duration.ofHours(n);
            default: return null;
        }
    }

    private static long unitNanos(String unit) {
        switch (unit) {
            case "ns": return 1;
            case "ms": return NANOS_PER_MILLI;
            case "s": return 1_000_000_000L;
            case "m": return 60_000_000_000L;
            case "h": return 3_600_000_000_000L;
            default: return 1_000; // us, \u00b5s, \u03bcs
        }
    }

    /**
     * Checks a duration given through a builder or a typed property: non-negative, at most a day,
     * whole milliseconds, and not 0 where the setting does not allow it.
     *
     * @param shown the value as the user gave it, for the message
     */
    public static Duration checkDuration(SettingKey setting, String source, Object shown, Duration d) {
        String value = String.valueOf(shown);
        checkRange(setting, source, value, d);
        checkZero(setting, source, value, d);
        return d;
    }

    private static void checkRange(SettingKey setting, String source, String shown, Duration d) {
        if (d.isNegative()) {
            throw new InvalidSettingException(setting, source, shown, "must not be negative");
        }
        if (d.compareTo(MAX) > 0) {
            throw tooLong(setting, source, shown);
        }
        if (d.getNano() % NANOS_PER_MILLI != 0) {
            // Rounded up: the smallest accepted value that still waits at least as long as asked.
            String example = accepted(setting, source, Durations.ceilMillis(d).toMillis() + "ms", false);
            throw new InvalidSettingException(setting, source, shown, "finer than a millisecond, which the library "
                    + "does not count (an HTTP timeout rounds 0.5ms to 0, which means no timeout at all); use whole "
                    + "milliseconds" + (example == null ? "" : ", e.g. " + example));
        }
    }

    private static void checkZero(SettingKey setting, String source, String shown, Duration d) {
        if (d.isZero() && !setting.zeroAllowed()) {
            throw new InvalidSettingException(setting, source, shown, "must be greater than 0");
        }
    }

    private static InvalidSettingException tooLong(SettingKey setting, String source, String shown) {
        return new InvalidSettingException(setting, source, shown,
                "longer than a day; no Pod waits that long to terminate. Expected " + Setting.Kind.DURATION.accepted());
    }

    /** " (did you mean X?)" when {@code raw} in ASCII is different and accepted, else "". */
    private static String didYouMean(SettingKey setting, String source, String raw, boolean settingBound, boolean suggest) {
        if (!suggest) {
            return "";
        }
        String candidate = ascii(raw.trim());
        if (candidate.equals(raw.trim())) {
            return "";
        }
        String fix = accepted(setting, source, candidate, settingBound);
        return fix == null ? "" : " (did you mean " + fix + "?)";
    }

    /**
     * {@code candidate} if the parser accepts it for {@code setting}, else null: a suggestion the
     * user copies must not be refused in turn.
     */
    private static @Nullable String accepted(SettingKey setting, String source, String candidate, boolean settingBound) {
        try {
            parse(setting, source, candidate, settingBound, false);
            return candidate;
        } catch (InvalidSettingException e) {
            return null;
        }
    }

    /**
     * {@code text} with compatibility forms folded (fullwidth digits and letters to ASCII) and every
     * decimal digit, of any script, as its ASCII digit.
     */
    private static String ascii(String text) {
        String folded = Normalizer.normalize(text, Normalizer.Form.NFKC);
        StringBuilder b = new StringBuilder(folded.length());
        for (int i = 0; i < folded.length(); i++) {
            char c = folded.charAt(i);
            int digit = Character.digit(c, 10);
            b.append(Character.isDigit(c) && digit >= 0 ? (char) ('0' + digit) : c);
        }
        return b.toString();
    }

    /** Parses {@code true|false} (also {@code yes|no|on|off}). */
    public static boolean bool(SettingKey setting, String source, String raw) {
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
    public static <E extends Enum<E>> E oneOf(SettingKey setting, String source, String raw, Class<E> type) {
        String text = raw.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(text)) {
                return e;
            }
        }
        throw new InvalidSettingException(setting, source, raw, "expected one of " + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining("|")));
    }

    /**
     * Parses one of {@code accepted} (lowercase words), ignoring case and reading {@code _} as
     * {@code -}; returns the word as accepted lists it.
     */
    public static String oneOf(SettingKey setting, String source, String raw, java.util.List<String> accepted) {
        String text = raw.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (String a : accepted) {
            if (a.equals(text)) {
                return a;
            }
        }
        throw new InvalidSettingException(setting, source, raw, "expected one of " + String.join("|", accepted));
    }

    /** Parses a non-blank file path (the file need not exist). */
    public static Path path(SettingKey setting, String source, String raw) {
        String text = raw.trim();
        if (text.isEmpty()) {
            throw new InvalidSettingException(setting, source, raw, "empty; expected " + Setting.Kind.PATH.accepted());
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new InvalidSettingException(setting, source, raw, "not a file path (" + e.getReason() + "); expected "
                    + Setting.Kind.PATH.accepted());
        }
    }

    // Leading blanks allowed: error messages echo the value as written, untrimmed, and must still
    // hide its password.
    /** Whether {@code text} is only digits and dots (a number without its unit); a loop, not a stream: it runs in every build(). */
    private static boolean digitsAndDots(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isDigit(c) && c != '.') {
                return false;
            }
        }
        return true;
    }

    /** {@code url} with any {@code user:password@} replaced, for messages and logs. */
    public static String redact(String url) {
        int at = credentialsEnd(url);
        if (at < 0) {
            return url;
        }
        return url.substring(0, url.indexOf("://") + 3) + "<redacted>@" + url.substring(at + 1);
    }

    private static boolean hasCredentials(String url) {
        return credentialsEnd(url) >= 0;
    }

    /**
     * Where the user info of {@code url} ends: the index of the last {@code @} between the scheme's
     * {@code ://} and the first {@code /}, {@code ?} or {@code #} after it; -1 when there is none.
     * The scheme is optional blanks, a letter, then letters, digits, {@code +}, {@code .}, {@code -}.
     * Written out rather than as a regex: it runs on the app's path to Ready for every URL setting.
     */
    private static int credentialsEnd(String url) {
        int i = 0;
        while (i < url.length() && isRegexSpace(url.charAt(i))) {
            i++;
        }
        if (i == url.length() || !isAsciiLetter(url.charAt(i))) {
            return -1;
        }
        i++;
        while (i < url.length() && isSchemeChar(url.charAt(i))) {
            i++;
        }
        if (!url.startsWith("://", i)) {
            return -1;
        }
        int last = -1;
        for (i += 3; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                break;
            }
            if (c == '@') {
                last = i;
            }
        }
        return last;
    }

    /** What {@code \\s} matches in a Java regex. */
    private static boolean isRegexSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isSchemeChar(char c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '-';
    }

    /** Parses an absolute http(s) URL without credentials. */
    public static URI url(SettingKey setting, String source, String raw) {
        String text = raw.trim();
        if (hasCredentials(text)) {
            throw credentials(setting, source, raw);
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(setting, source, redact(raw), "not a URL (" + e.getReason() + "); expected "
                    + Setting.Kind.URL.accepted());
        }
        return checkUrl(setting, source, uri, redact(raw));
    }

    private static InvalidSettingException credentials(SettingKey setting, String source, String url) {
        // Never keep credentials: the URL is logged and tagged in metrics.
        return new InvalidSettingException(setting, source, redact(url), "must not contain credentials "
                + "(user:password@); the Envoy admin port takes none");
    }

    /** Checks scheme, host and the absence of credentials. */
    public static URI checkUrl(SettingKey setting, String source, URI uri) {
        return checkUrl(setting, source, uri, redact(uri.toString()));
    }

    /** @param shown the value as the user wrote it, credentials already redacted */
    private static URI checkUrl(SettingKey setting, String source, URI uri, String shown) {
        if (uri.getRawUserInfo() != null || hasCredentials(uri.toString())) {
            throw credentials(setting, source, uri.toString());
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new InvalidSettingException(setting, source, shown, "scheme must be http or https; expected "
                    + Setting.Kind.URL.accepted());
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidSettingException(setting, source, shown, "no host; expected "
                    + Setting.Kind.URL.accepted());
        }
        // java.net.URI takes any number as a port; the HTTP client would refuse it later with an
        // error that names no setting.
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
            throw new InvalidSettingException(setting, source, shown, "port " + uri.getPort()
                    + " out of range 1-65535; expected " + Setting.Kind.URL.accepted());
        }
        return uri;
    }

    /**
     * {@code 127.} and three dot-separated groups of one to three ASCII digits (what the regex
     * {@code 127\.\d{1,3}\.\d{1,3}\.\d{1,3}} matches), written out: it runs for every URL setting
     * on the app's path to Ready.
     */
    private static boolean isIpv4InLoopbackNet(String h) {
        if (!h.startsWith("127.")) {
            return false;
        }
        int groups = 0;
        int digits = 0;
        for (int i = 4; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c >= '0' && c <= '9') {
                if (++digits > 3) {
                    return false;
                }
            } else if (c == '.' && digits > 0 && groups < 2) {
                groups++;
                digits = 0;
            } else {
                return false;
            }
        }
        return groups == 2 && digits > 0;
    }

    /** Whether {@code host} is {@code localhost}, an address in 127.0.0.0/8 or {@code ::1}. */
    public static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (isIpv4InLoopbackNet(h)) {
            return true;
        }
        return h.equals("::1") || h.equalsIgnoreCase("0:0:0:0:0:0:0:1");
    }
}
