package io.github.sidecarshutdown.pod;

import io.github.sidecarshutdown.internal.LogSafe;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the file the kubelet writes for a downward-API volume item with
 * {@code fieldPath: metadata.annotations}: one {@code key="value"} line per annotation, the value
 * quoted the way Go's {@code %q} does ({@code \n}, {@code \t}, {@code \"}, {@code \\},
 * {@code \xNN}, and the 4- and 8-digit Unicode escapes). Strict: anything else is a
 * {@link PodAnnotationException} naming the line.
 */
final class DownwardApiAnnotations {

    /** Largest file read; Kubernetes caps all annotations of an object at 256 KiB. */
    public static final int MAX_CHARS = 512 * 1024;

    private DownwardApiAnnotations() {
    }

    /**
     * Parses the file's content.
     *
     * @throws PodAnnotationException on a line that is not {@code key="value"}, a bad escape, a
     *     duplicate key or a file larger than {@link #MAX_CHARS}
     */
    public static Map<String, String> parse(String content) {
        if (content.length() > MAX_CHARS) {
            throw new PodAnnotationException(0, "annotations file larger than " + MAX_CHARS + " characters");
        }
        Map<String, String> out = new LinkedHashMap<>();
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isBlank()) {
                continue;
            }
            int lineNo = i + 1;
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new PodAnnotationException(lineNo, "expected key=\"value\"");
            }
            String key = line.substring(0, eq);
            if (!key.matches("[A-Za-z0-9][A-Za-z0-9._/-]*")) {
                throw new PodAnnotationException(lineNo, "not an annotation key: " + abbreviate(key));
            }
            String rest = line.substring(eq + 1);
            if (rest.length() < 2 || rest.charAt(0) != '"' || rest.charAt(rest.length() - 1) != '"') {
                throw new PodAnnotationException(lineNo, "value of " + key + " is not a double-quoted string");
            }
            String value = unquote(rest.substring(1, rest.length() - 1), lineNo, key);
            if (out.put(key, value) != null) {
                throw new PodAnnotationException(lineNo, "duplicate key " + key);
            }
        }
        return out;
    }

    private static String unquote(String s, int lineNo, String key) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                throw new PodAnnotationException(lineNo, "unescaped quote in the value of " + key);
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i + 1 >= s.length()) {
                throw new PodAnnotationException(lineNo, "dangling backslash in the value of " + key);
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n': sb.append('\n'); break;
                case 't': sb.append('\t'); break;
                case 'r': sb.append('\r'); break;
                case 'a': sb.append('\u0007'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'v': sb.append('\u000b'); break;
                case '\\': sb.append('\\'); break;
                case '"': sb.append('"'); break;
                case '\'': sb.append('\''); break;
                case 'x': i = hex(s, i, 2, sb, lineNo, key); break;
                case 'u': i = hex(s, i, 4, sb, lineNo, key); break;
                case 'U': i = hex(s, i, 8, sb, lineNo, key); break;
                default:
                    throw new PodAnnotationException(lineNo, "unknown escape \\" + abbreviate(String.valueOf(e))
                            + " in the value of " + key);
            }
        }
        return sb.toString();
    }

    private static int hex(String s, int at, int digits, StringBuilder sb, int lineNo, String key) {
        if (at + digits >= s.length()) {
            throw new PodAnnotationException(lineNo, "short \\" + s.charAt(at) + " escape in the value of " + key);
        }
        String h = s.substring(at + 1, at + 1 + digits);
        if (!h.matches("[0-9A-Fa-f]+")) {
            throw new PodAnnotationException(lineNo, "bad \\" + s.charAt(at) + " escape in the value of " + key);
        }
        long cp = Long.parseLong(h, 16);
        if (cp > Character.MAX_CODE_POINT || (cp >= 0xD800 && cp <= 0xDFFF)) {
            throw new PodAnnotationException(lineNo, "escape \\" + s.charAt(at) + h + " is not a Unicode code point");
        }
        // A hex byte escape in Go; a lone byte of a broken UTF-8 sequence is kept as its code point.
        sb.appendCodePoint((int) cp);
        return at + digits;
    }

    /**
     * {@code s} as quoted in an error message: shortened, and with control characters escaped,
     * since annotation text is written by whoever wrote the manifest and the message goes to a log.
     */
    static String abbreviate(String s) {
        return LogSafe.of(s.length() > 40 ? s.substring(0, 40) + "..." : s);
    }
}
