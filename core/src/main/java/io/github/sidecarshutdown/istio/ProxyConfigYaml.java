package io.github.sidecarshutdown.istio;

import io.github.sidecarshutdown.pod.PodAnnotationException;
import io.github.sidecarshutdown.pod.PodAnnotations;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small reader for the part of YAML that {@code proxy.istio.io/config} annotations use: block
 * maps nested by space indentation, plain, single- and double-quoted scalars, comments, and flow
 * maps ({@code {"terminationDrainDuration": "30s"}}, which also covers the JSON form). Every scalar
 * reads as a {@link String}; maps as {@link LinkedHashMap}.
 *
 * <p>A valid ProxyConfig also holds what the library never reads: lists such as
 * {@code proxyStatsMatcher.inclusionRegexps}, certificates as block scalars, anchors and tags.
 * Those values are skipped, whatever their content, and kept as an {@link Unread} that says what
 * and where they were, so that a reader of a field can refuse one there (a list where a duration is
 * expected is still an error) while the rest of the document stays usable. What is not YAML at all
 * (a line that is neither {@code key: value} nor part of a skipped value, bad quoting, unclosed
 * brackets, several documents, tabs in indentation, duplicate keys) is refused with a
 * {@link PodAnnotationException} naming the line, rather than guessed at.
 *
 * <p>Long because it is a small YAML reader of its own (no YAML library in the core): every construct
 * it must skip or refuse is spelled out here, next to the line numbers it reports.
 */
final class ProxyConfigYaml {

    /**
     * A value the reader skipped because the library never reads that kind of value.
     *
     * @param line 1-based line the value starts on
     * @param what what it was, e.g. {@code a sequence}, {@code a block scalar}
     */
    public record Unread(int line, String what) {
    }

    /** Largest text read. */
    public static final int MAX_CHARS = 64 * 1024;
    /** Deepest nesting of maps. */
    public static final int MAX_DEPTH = 16;

    /**
     * One non-blank line with its comment removed.
     *
     * @param tabIndented whether a tab sits in its indentation: an error if the line is read as a
     *                    map entry, content if it is skipped (a block scalar may hold tabs)
     */
    private record Line(String text, int number, boolean tabIndented) {
    }

    private final List<Line> lines = new ArrayList<>();
    private int next;

    private ProxyConfigYaml() {
    }

    /**
     * Parses a ProxyConfig document into nested maps of strings.
     *
     * @throws PodAnnotationException on anything outside the subset, naming the line
     */
    public static Map<String, Object> parse(String text) {
        if (text.length() > MAX_CHARS) {
            throw new PodAnnotationException(0, "proxy config larger than " + MAX_CHARS + " characters");
        }
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return Collections.emptyMap();
        }
        if (trimmed.startsWith("{")) {
            Flow f = new Flow(text, 1);
            f.skipWs();
            Map<String, Object> m = f.map(0);
            f.skipWs();
            if (f.pos != text.length()) {
                throw f.error("unexpected text after the closing brace");
            }
            return m;
        }
        ProxyConfigYaml p = new ProxyConfigYaml();
        String[] raw = text.split("\n", -1);
        for (int i = 0; i < raw.length; i++) {
            String l = raw[i].endsWith("\r") ? raw[i].substring(0, raw[i].length() - 1) : raw[i];
            int n = i + 1;
            int tab = l.indexOf('\t');
            boolean tabIndented = tab >= 0 && l.substring(0, tab).isBlank() && !l.strip().startsWith("#");
            String content = stripComment(l, n);
            if (content.isBlank()) {
                continue;
            }
            // Document markers only count at column 0; indented, "---" is block scalar content.
            String marker = content.stripTrailing();
            if (marker.equals("---") || marker.equals("...")) {
                if (!p.lines.isEmpty()) {
                    throw new PodAnnotationException(n, "several YAML documents are not supported");
                }
                continue;
            }
            p.lines.add(new Line(content.stripTrailing(), n, tabIndented));
        }
        if (p.lines.isEmpty()) {
            return Collections.emptyMap();
        }
        int indent = indentOf(p.lines.get(0).text());
        Map<String, Object> m = p.block(indent, 0);
        if (p.next < p.lines.size()) {
            throw new PodAnnotationException(p.lines.get(p.next).number(), "indentation does not match any open map");
        }
        return m;
    }

    private Map<String, Object> block(int indent, int depth) {
        if (depth >= MAX_DEPTH) {
            throw new PodAnnotationException(lines.get(next).number(), "maps nested deeper than " + MAX_DEPTH);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        while (next < lines.size()) {
            Line line = lines.get(next);
            String text = line.text();
            int n = line.number();
            int ind = indentOf(text);
            if (ind < indent) {
                break;
            }
            if (line.tabIndented()) {
                throw new PodAnnotationException(n, "tab in indentation; YAML indents with spaces");
            }
            if (ind > indent) {
                throw new PodAnnotationException(n, "unexpected indentation");
            }
            String body = text.substring(ind);
            if (isSequenceItem(body)) {
                // Sequences under a key are skipped with the key; one here stands where a key should.
                throw new PodAnnotationException(n, "a sequence item where a key was expected; proxy config is a map "
                        + "of key: value");
            }
            Flow f = new Flow(body, n);
            String key = f.key();
            f.skipSpaces();
            if (f.pos >= body.length() || body.charAt(f.pos) != ':') {
                throw new PodAnnotationException(n, "expected 'key: value'");
            }
            f.pos++;
            if (f.pos < body.length() && body.charAt(f.pos) != ' ') {
                throw new PodAnnotationException(n, "expected a space after ':'");
            }
            f.skipSpaces();
            next++;
            Object value;
            if (f.pos >= body.length()) {
                value = nodeBelow(indent, depth);
            } else {
                value = inlineValue(f, key, indent, depth);
            }
            if (map.containsKey(key)) {
                throw new PodAnnotationException(n, "duplicate key " + abbreviate(key));
            }
            map.put(key, value);
        }
        return map;
    }

    /** The value of a key with nothing after its colon: a nested map, a sequence, or empty. */
    private Object nodeBelow(int indent, int depth) {
        if (next >= lines.size()) {
            return "";
        }
        Line first = lines.get(next);
        int ind = indentOf(first.text());
        // A sequence may sit at the key's own indentation ("key:\n- a"), a map only deeper.
        if (ind >= indent && isSequenceItem(first.text().substring(ind))) {
            skipNode(indent, true);
            return new Unread(first.number(), "a sequence");
        }
        if (ind > indent) {
            return block(ind, depth + 1);
        }
        return "";
    }

    /** The value that starts after {@code key: } on the key's own line. */
    private Object inlineValue(Flow f, String key, int indent, int depth) {
        String body = f.s;
        int n = f.firstLine;
        char c = body.charAt(f.pos);
        switch (c) {
            case '|': case '>':
                if (!body.substring(f.pos).matches("[|>](?:[1-9][+-]?|[+-][1-9]?)?")) {
                    throw new PodAnnotationException(n, "bad block scalar header '"
                            + abbreviate(body.substring(f.pos)) + "'; expected | or > with an optional indent and chomping");
                }
                skipNode(indent, false);
                return new Unread(n, "a block scalar");
            case '&': case '!':
                // An anchor or a tag, then the node on this line or on the lines below: all of it skipped.
                skipNode(indent, true);
                return new Unread(n, c == '&' ? "an anchored value (&)" : "a tagged value (!)");
            case '*':
                f.token();
                f.skipSpaces();
                if (f.pos != body.length()) {
                    throw new PodAnnotationException(n, "unexpected text after the value of " + abbreviate(key));
                }
                return new Unread(n, "an alias (*)");
            case '[': case '{':
                return flowCollection(body.substring(f.pos), n, key, indent, depth);
            default:
                Object value = f.value(depth + 1);
                f.skipSpaces();
                if (f.pos != body.length()) {
                    throw new PodAnnotationException(n, "unexpected text after the value of " + abbreviate(key));
                }
                return value;
        }
    }

    /**
     * A flow sequence or map that starts on line {@code n} and may go on over more-indented lines:
     * a map is read, a sequence skipped.
     */
    private Object flowCollection(String start, int n, String key, int indent, int depth) {
        FlowScanner scanner = new FlowScanner();
        StringBuilder text = new StringBuilder(start);
        int end = scanner.feed(start, n);
        while (end < 0) {
            if (next >= lines.size() || indentOf(lines.get(next).text()) <= indent) {
                throw new PodAnnotationException(n, "unclosed '" + start.charAt(0) + "'");
            }
            Line more = lines.get(next++);
            int offset = text.length() + 1;
            text.append('\n').append(more.text());
            end = scanner.feed(more.text(), more.number());
            if (end >= 0) {
                end += offset;
            }
        }
        if (!text.substring(end).isBlank()) {
            throw new PodAnnotationException(n + (int) text.substring(0, end).chars().filter(ch -> ch == '\n').count(),
                    "unexpected text after the value of " + abbreviate(key));
        }
        if (start.charAt(0) == '[') {
            return new Unread(n, "a sequence");
        }
        Flow f = new Flow(text.substring(0, end), n);
        return f.map(depth + 1);
    }

    /**
     * Skips the lines of a value the library does not read: every line indented deeper than its
     * key, and with {@code sequenceAtKeyIndent}, the {@code - item} lines at the key's own indentation.
     */
    private void skipNode(int indent, boolean sequenceAtKeyIndent) {
        while (next < lines.size()) {
            String t = lines.get(next).text();
            int ind = indentOf(t);
            if (ind > indent || (sequenceAtKeyIndent && ind == indent && isSequenceItem(t.substring(ind)))) {
                next++;
            } else {
                break;
            }
        }
    }

    private static boolean isSequenceItem(String body) {
        return body.equals("-") || body.startsWith("- ");
    }

    private static String abbreviate(String text) {
        return PodAnnotations.abbreviate(text);
    }

    private static int indentOf(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    /** Removes a comment: {@code #} at the start or after a space, outside quotes. */
    private static String stripComment(String line, int n) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote == '"') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#' && (i == 0 || line.charAt(i - 1) == ' ')) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** Scalars and flow maps within one line (or, for a whole flow document, the whole text). */
    private static final class Flow {
        final String s;
        final int firstLine;
        int pos;

        Flow(String s, int firstLine) {
            this.s = s;
            this.firstLine = firstLine;
        }

        PodAnnotationException error(String what) {
            return new PodAnnotationException(line(), what);
        }

        /** The 1-based line {@code pos} is on. */
        int line() {
            int line = firstLine;
            for (int i = 0; i < Math.min(pos, s.length()); i++) {
                if (s.charAt(i) == '\n') {
                    line++;
                }
            }
            return line;
        }

        /** Skips an anchor, tag or alias name: everything up to a blank or a flow indicator. */
        void token() {
            pos++;
            while (pos < s.length() && !Character.isWhitespace(s.charAt(pos)) && ",[]{}".indexOf(s.charAt(pos)) < 0) {
                pos++;
            }
        }

        /** Skips a flow sequence {@code [...]}, whatever it holds. */
        Unread skipCollection() {
            Unread u = new Unread(line(), "a sequence");
            int end = new FlowScanner().feed(s.substring(pos), line());
            if (end < 0) {
                throw error("unclosed '['");
            }
            pos += end;
            return u;
        }

        void skipSpaces() {
            while (pos < s.length() && s.charAt(pos) == ' ') {
                pos++;
            }
        }

        void skipWs() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        String key() {
            if (pos >= s.length()) {
                throw error("expected a key");
            }
            char c = s.charAt(pos);
            if (c == '"') {
                return doubleQuoted();
            }
            if (c == '\'') {
                return singleQuoted();
            }
            int start = pos;
            while (pos < s.length() && isKeyChar(s.charAt(pos))) {
                pos++;
            }
            if (pos == start) {
                throw error("unsupported YAML at '" + abbreviate(s.substring(pos).strip())
                        + "'; expected a key such as terminationDrainDuration");
            }
            return s.substring(start, pos);
        }

        private static boolean isKeyChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' || c == '/';
        }

        Object value(int depth) {
            char c = s.charAt(pos);
            switch (c) {
                case '"': return doubleQuoted();
                case '\'': return singleQuoted();
                case '{': return map(depth);
                case '[': return skipCollection();
                case '|': case '>': throw error("a block scalar (| or >) cannot stand inside {...}");
                case '&': case '!': {
                    // An anchor or a tag on the node that follows; the node is skipped with it.
                    Unread u = new Unread(line(), c == '&' ? "an anchored value (&)" : "a tagged value (!)");
                    token();
                    skipWs();
                    if (pos < s.length() && s.charAt(pos) != ',' && s.charAt(pos) != '}') {
                        value(depth);
                    }
                    return u;
                }
                case '*': {
                    Unread u = new Unread(line(), "an alias (*)");
                    token();
                    return u;
                }
                case '@': case '`': case '%': throw error("a plain value cannot start with '" + c + "'; quote it");
                default: return plain();
            }
        }

        private String plain() {
            int start = pos;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ',' || c == '}' || c == '\n') {
                    break;
                }
                if (c == ':' && (pos + 1 >= s.length() || s.charAt(pos + 1) == ' ')) {
                    throw error("a plain value cannot contain ': '; quote it");
                }
                pos++;
            }
            String v = s.substring(start, pos).strip();
            if (v.isEmpty()) {
                throw error("expected a value");
            }
            return v;
        }

        Map<String, Object> map(int depth) {
            if (depth >= MAX_DEPTH) {
                throw error("maps nested deeper than " + MAX_DEPTH);
            }
            pos++; // {
            Map<String, Object> m = new LinkedHashMap<>();
            skipWs();
            if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                return m;
            }
            while (true) {
                skipWs();
                String key = key();
                skipWs();
                if (pos >= s.length() || s.charAt(pos) != ':') {
                    throw error("expected ':' after " + abbreviate(key));
                }
                pos++;
                skipWs();
                if (pos >= s.length()) {
                    throw error("unexpected end of the flow map");
                }
                Object v = value(depth + 1);
                if (m.containsKey(key)) {
                    throw error("duplicate key " + abbreviate(key));
                }
                m.put(key, v);
                skipWs();
                if (pos >= s.length()) {
                    throw error("unclosed '{'");
                }
                char c = s.charAt(pos++);
                if (c == '}') {
                    return m;
                }
                if (c != ',') {
                    throw error("expected ',' or '}'");
                }
            }
        }

        private String doubleQuoted() {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c == '\n') {
                    throw error("line break inside a quoted value");
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    break;
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n': sb.append('\n'); break;
                    case 't': sb.append('\t'); break;
                    case 'r': sb.append('\r'); break;
                    case '"': sb.append('"'); break;
                    case '\\': sb.append('\\'); break;
                    case '/': sb.append('/'); break;
                    case '0': sb.append('\0'); break;
                    case 'u':
                        if (pos + 4 > s.length() || !s.substring(pos, pos + 4).matches("[0-9A-Fa-f]{4}")) {
                            throw error("bad \\u escape");
                        }
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                        break;
                    default:
                        throw error("unknown escape \\" + abbreviate(String.valueOf(e)));
                }
            }
            throw error("unclosed double quote");
        }

        private String singleQuoted() {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '\n') {
                    throw error("line break inside a quoted value");
                }
                if (c == '\'') {
                    if (pos < s.length() && s.charAt(pos) == '\'') {
                        sb.append('\'');
                        pos++;
                        continue;
                    }
                    return sb.toString();
                }
                sb.append(c);
            }
            throw error("unclosed single quote");
        }
    }

    /**
     * Finds where a flow collection closes, fed one line at a time: tracks brackets and braces,
     * and quoted scalars (so that {@code "]"} does not close anything). A quote opens a scalar only
     * where a scalar can start, since {@code [it's]} holds a plain {@code it's}.
     */
    private static final class FlowScanner {
        private final StringBuilder open = new StringBuilder();
        private char quote;
        private boolean escaped;
        private char last;

        /**
         * @param text starts with {@code [} or <code>{</code> on the first call
         * @param line the 1-based line of {@code text}, for errors
         * @return the index in {@code text} just past the closing bracket, or -1 while still open
         */
        int feed(String text, int line) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quote == '"') {
                    if (escaped) {
                        escaped = false;
                    } else if (c == '\\') {
                        escaped = true;
                    } else if (c == '"') {
                        quote = 0;
                        last = c;
                    }
                    continue;
                }
                if (quote == '\'') {
                    if (c == '\'') {
                        if (i + 1 < text.length() && text.charAt(i + 1) == '\'') {
                            i++;
                        } else {
                            quote = 0;
                            last = c;
                        }
                    }
                    continue;
                }
                switch (c) {
                    case '[': open.append(']'); break;
                    case '{': open.append('}'); break;
                    case ']': case '}':
                        if (open.length() == 0 || open.charAt(open.length() - 1) != c) {
                            throw new PodAnnotationException(line, "mismatched '" + c + "'"
                                    + (open.length() == 0 ? "" : "; expected '" + open.charAt(open.length() - 1) + "'"));
                        }
                        open.setLength(open.length() - 1);
                        if (open.length() == 0) {
                            return i + 1;
                        }
                        break;
                    case '"': case '\'':
                        if ("[{,:".indexOf(last) >= 0) {
                            quote = c;
                        }
                        break;
                    default:
                        break;
                }
                if (!Character.isWhitespace(c)) {
                    last = c;
                }
            }
            return -1;
        }
    }
}
