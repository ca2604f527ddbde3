package io.github.sidecarshutdown.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the run as JSON: the machine, then every figure with its name, unit, variant, median,
 * min, max and samples.
 */
public final class JsonWriter {

    private JsonWriter() {
    }

    /** The whole document. */
    public static String write(Map<String, String> machine, List<Figure> figures) {
        StringBuilder sb = new StringBuilder("{\n  \"machine\": {");
        int i = 0;
        for (Map.Entry<String, String> e : machine.entrySet()) {
            sb.append(i++ == 0 ? "" : ", ").append(quote(e.getKey())).append(": ").append(quote(e.getValue()));
        }
        sb.append("},\n  \"figures\": [\n");
        for (int j = 0; j < figures.size(); j++) {
            Figure f = figures.get(j);
            sb.append("    {\"section\": ").append(quote(f.section()))
                    .append(", \"name\": ").append(quote(f.name()))
                    .append(", \"unit\": ").append(quote(f.unit()))
                    .append(", \"variant\": ").append(quote(f.variant()))
                    .append(", \"median\": ").append(number(f.median()))
                    .append(", \"min\": ").append(number(f.min()))
                    .append(", \"max\": ").append(number(f.max()))
                    .append(", \"samples\": [");
            for (int k = 0; k < f.samples().size(); k++) {
                sb.append(k == 0 ? "" : ", ").append(number(f.samples().get(k)));
            }
            sb.append("]}").append(j + 1 < figures.size() ? ",\n" : "\n");
        }
        return sb.append("  ]\n}\n").toString();
    }

    /** A JSON number; NaN and infinities (not JSON) become null. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "null";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** A JSON string, with quotes, backslashes and control characters escaped. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
