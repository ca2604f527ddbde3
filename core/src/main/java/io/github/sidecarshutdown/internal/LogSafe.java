package io.github.sidecarshutdown.internal;

/**
 * Makes text that came from outside the JVM (a sidecar's version string, an error body, a header)
 * safe to put in one log line: control characters (CR and LF above all, which would let a sidecar
 * forge log lines) become visible escapes, and the text is capped. Not API.
 */
public final class LogSafe {

    /** Longest text kept; past it the rest is replaced by a count. */
    public static final int MAX_CHARS = 200;

    private LogSafe() {
    }

    /** {@code text} with control characters escaped ({@code \n}, {@code \r}, {@code \t}, {@code \u001b}) and capped. */
    public static String of(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 16);
        int n = Math.min(text.length(), MAX_CHARS);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        if (text.length() > MAX_CHARS) {
            b.append("...(").append(text.length() - MAX_CHARS).append(" more chars)");
        }
        return b.toString();
    }
}
