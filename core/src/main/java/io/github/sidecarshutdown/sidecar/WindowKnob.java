package io.github.sidecarshutdown.sidecar;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What sets a sidecar's outbound window after the Pod's SIGTERM, as the Pod annotations a user
 * writes to change it: the plan's fixes name exactly these, so applying a fix changes what the next
 * plan and run see (docs/sidecar-states.md). Immutable.
 *
 * @param name      the setting as users know it, e.g. {@code terminationDrainDuration} or
 *                  {@code kuma.io/sidecar-drain-time}
 * @param templates the annotations that set the window to a whole number of seconds: each value is a
 *                  {@link String#format} pattern with one {@code %d} (or none, for a switch that
 *                  must be on, such as Consul's proxy lifecycle)
 */
public record WindowKnob(String name, List<Template> templates) {

    /**
     * One annotation of the fix.
     *
     * @param key    the annotation, e.g. {@code kuma.io/sidecar-drain-time}
     * @param format its value, e.g. {@code %ds}
     */
    public record Template(String key, String format) {

        public Template {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(format, "format");
        }
    }

    public WindowKnob {
        Objects.requireNonNull(name, "name");
        templates = List.copyOf(templates);
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("templates: empty (expected: at least one annotation)");
        }
    }

    /** A knob set by one annotation. */
    public static WindowKnob of(String name, String annotation, String format) {
        return new WindowKnob(name, List.of(new Template(annotation, format)));
    }

    /** The annotations that set the window to {@code seconds}, in order. */
    public Map<String, String> annotations(long seconds) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Template t : templates) {
            m.put(t.key(), String.format(Locale.ROOT, t.format(), seconds));
        }
        return m;
    }

    /** The fix as a user reads it, e.g. {@code kuma.io/sidecar-drain-time: "15s"}. */
    public String describe(long seconds) {
        return annotations(seconds).entrySet().stream().map(e -> e.getKey() + ": '" + e.getValue() + "'")
                .collect(Collectors.joining(" and "));
    }
}
