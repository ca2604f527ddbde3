package io.github.sidecarshutdown.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Finds the Pod templates of workloads in Kubernetes YAML (several documents, {@code kind: List}). */
final class ManifestReader {

    /** The manifest cannot be read as YAML; exit code 2. */
    static final class UnreadableException extends Exception {
        private static final long serialVersionUID = 1L;

        UnreadableException(String message, @Nullable Throwable cause) {
            super(message, cause);
        }
    }

    private ManifestReader() {
    }

    static List<Workload> read(String file, String text) throws UnreadableException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        options.setCodePointLimit(8 * 1024 * 1024);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        List<Workload> out = new ArrayList<>();
        try {
            for (Object doc : yaml.loadAll(text)) {
                collect(file, doc, out, 0);
            }
        } catch (RuntimeException e) {
            // SnakeYAML reports syntax errors as YAMLException (a RuntimeException) with line and column.
            throw new UnreadableException(file + ": not readable as YAML: " + firstLines(e.getMessage()), e);
        }
        return out;
    }

    private static String firstLines(@Nullable String m) {
        if (m == null) {
            return "unknown error";
        }
        String[] lines = m.split("\n");
        return String.join(" ", Arrays.copyOf(lines, Math.min(lines.length, 3))).replaceAll("\\s+", " ").strip();
    }

    private static void collect(String file, @Nullable Object doc, List<Workload> out, int depth) {
        if (!(doc instanceof Map) || depth > 2) {
            return;
        }
        Map<?, ?> m = (Map<?, ?>) doc;
        Object kind = m.get("kind");
        if ("List".equals(kind) && m.get("items") instanceof List) {
            for (Object item : (List<?>) m.get("items")) {
                collect(file, item, out, depth + 1);
            }
            return;
        }
        if (!(kind instanceof String) || !Workload.KINDS.contains(kind)) {
            return;
        }
        Object n = map(m.get("metadata")).get("name");
        String name = n == null ? "<unnamed>" : String.valueOf(n);
        Map<?, ?> template;
        switch ((String) kind) {
            case "Pod":
                template = m;
                break;
            case "CronJob":
                template = map(map(map(map(m.get("spec")).get("jobTemplate")).get("spec")).get("template"));
                break;
            default:
                template = map(map(m.get("spec")).get("template"));
                break;
        }
        Map<?, ?> meta = map(template.get("metadata"));
        out.add(new Workload(file, (String) kind, name, strings(meta.get("annotations")), strings(meta.get("labels")),
                objects(template.get("spec"))));
    }

    static Map<?, ?> map(@Nullable Object o) {
        return o instanceof Map ? (Map<?, ?>) o : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(@Nullable Object o) {
        return o instanceof List ? (List<Object>) o : List.of();
    }

    private static Map<String, String> strings(@Nullable Object o) {
        Map<String, String> out = new LinkedHashMap<>();
        map(o).forEach((k, v) -> {
            if (k != null && v != null) {
                out.put(String.valueOf(k), String.valueOf(v));
            }
        });
        return out;
    }

    private static Map<String, Object> objects(@Nullable Object o) {
        Map<String, Object> out = new LinkedHashMap<>();
        map(o).forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
