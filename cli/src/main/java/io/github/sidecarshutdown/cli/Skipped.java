package io.github.sidecarshutdown.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A document of an input file that the linter did not check, and why: it is not a workload
 * (ConfigMap, Service, ...), or a workload without the containers a check needs.
 *
 * @param file   where it was read
 * @param index  its position in the file (1 for the first document; items of a {@code kind: List}
 *               count as their own documents)
 * @param kind   its {@code kind}, or null when it has none
 * @param name   its {@code metadata.name}, or null when it has none
 * @param reason why it was not checked
 */
record Skipped(String file, int index, @Nullable String kind, @Nullable String name, String reason) {

    /** {@code ConfigMap/settings}, or {@code document 3} when the document has no kind. */
    String title() {
        if (kind == null) {
            return "document " + index;
        }
        return kind + "/" + (name == null ? "<unnamed>" : name);
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file);
        m.put("document", index);
        m.put("kind", kind);
        m.put("name", name);
        m.put("reason", reason);
        return m;
    }
}
