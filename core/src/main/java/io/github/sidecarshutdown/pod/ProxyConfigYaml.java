package io.github.sidecarshutdown.pod;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict reader for the part of YAML that {@code proxy.istio.io/config} annotations use:
 * block maps nested by space indentation, plain, single- and double-quoted scalars, comments, and
 * flow maps ({@code {"terminationDrainDuration": "30s"}}, which also covers the JSON form). Every
 * scalar reads as a {@link String}; maps as {@link LinkedHashMap}. Anything else (sequences, block
 * scalars, anchors, aliases, tags, several documents, tabs, duplicate keys) is refused with a
 * {@link PodAnnotationException} naming the line, rather than guessed at.
 */
public final class ProxyConfigYaml {

    /** Largest text read. */
    public static final int MAX_CHARS = 64 * 1024;
    /** Deepest nesting of maps. */
    public static final int MAX_DEPTH = 16;

    private final List<String> lines = new ArrayList<>();
    private final List<Integer> lineNumbers = new ArrayList<>();
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
            if (l.indexOf('\t') >= 0 && !l.strip().startsWith("#")) {
                int tab = l.indexOf('\t');
                if (l.substring(0, tab).isBlank()) {
                    throw new PodAnnotationException(n, "tab in indentation; YAML indents with spaces");
                }
            }
            String content = stripComment(l, n);
            if (content.isBlank()) {
                continue;
            }
            if (content.strip().equals("---") || content.strip().equals("...")) {
                if (!p.lines.isEmpty()) {
                    throw new PodAnnotationException(n, "several YAML documents are not supported");
                }
                continue;
            }
            p.lines.add(content.stripTrailing());
            p.lineNumbers.add(n);
        }
        if (p.lines.isEmpty()) {
            return Collections.emptyMap();
        }
        int indent = indentOf(p.lines.get(0));
        Map<String, Object> m = p.block(indent, 0);
        if (p.next < p.lines.size()) {
            throw new PodAnnotationException(p.lineNumbers.get(p.next), "indentation does not match any open map");
        }
        return m;
    }

    private Map<String, Object> block(int indent, int depth) {
        if (depth >= MAX_DEPTH) {
            throw new PodAnnotationException(lineNumbers.get(next), "maps nested deeper than " + MAX_DEPTH);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        while (next < lines.size()) {
            String line = lines.get(next);
            int n = lineNumbers.get(next);
            int ind = indentOf(line);
            if (ind < indent) {
                break;
            }
            if (ind > indent) {
                throw new PodAnnotationException(n, "unexpected indentation");
            }
            String body = line.substring(ind);
            if (body.startsWith("- ") || body.equals("-")) {
                throw new PodAnnotationException(n, "sequences (- item) are not supported in proxy config; "
                        + "only maps and scalars are read");
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
                if (next < lines.size() && indentOf(lines.get(next)) > indent) {
                    value = block(indentOf(lines.get(next)), depth + 1);
                } else {
                    value = "";
                }
            } else {
                value = f.value(depth + 1);
                f.skipSpaces();
                if (f.pos != body.length()) {
                    throw new PodAnnotationException(n, "unexpected text after the value of " + abbreviate(key));
                }
            }
            if (map.containsKey(key)) {
                throw new PodAnnotationException(n, "duplicate key " + abbreviate(key));
            }
            map.put(key, value);
        }
        return map;
    }

    private static String abbreviate(String text) {
        return DownwardApiAnnotations.abbreviate(text);
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
            int line = firstLine;
            for (int i = 0; i < Math.min(pos, s.length()); i++) {
                if (s.charAt(i) == '\n') {
                    line++;
                }
            }
            return new PodAnnotationException(line, what);
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
                case '[': throw error("sequences ([...]) are not supported in proxy config; only maps and scalars are read");
                case '|': case '>': throw error("block scalars (| or >) are not supported in proxy config");
                case '&': throw error("anchors (&) are not supported in proxy config");
                case '*': throw error("aliases (*) are not supported in proxy config");
                case '!': throw error("tags (!) are not supported in proxy config");
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
}
