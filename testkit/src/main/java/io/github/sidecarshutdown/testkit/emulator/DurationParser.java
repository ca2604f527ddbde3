package io.github.sidecarshutdown.testkit.emulator;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses {@code 500ms}, {@code 5s}, {@code 1m}, {@code 2h} and ISO-8601 {@code PT5S}. */
final class DurationParser {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)");

    private DurationParser() {
    }

    static Duration parse(String name, String value) {
        String v = value.trim();
        Matcher m = SIMPLE.matcher(v.toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "ms": return Duration.ofMillis(n);
                    case "s": return Duration.ofSeconds(n);
                    case "m": return Duration.ofMinutes(n);
                    default: return Duration.ofHours(n);
                }
            }
            if (v.equals("0")) {
                return Duration.ZERO;
            }
            Duration d = Duration.parse(v);
            if (!d.isNegative()) {
                return d;
            }
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException(name + ": \"" + value
                + "\" (expected: a non-negative duration like 500ms, 5s, 1m or PT5S)");
    }
}
