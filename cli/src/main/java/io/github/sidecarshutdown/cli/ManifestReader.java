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

/**
 * Finds the Pod templates of workloads in Kubernetes YAML (several documents, {@code kind: List}),
 * and lists every other document as skipped, with the reason.
 */
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

    /** What one file holds: the workloads to check and the documents that are not checked. */
    record Manifest(List<Workload> workloads, List<Skipped> skipped) {
    }

    /** The workloads of a file (tests and callers that ignore what is skipped). */
    static List<Workload> read(String file, String text) throws UnreadableException {
        return readAll(file, text).workloads();
    }

    static Manifest readAll(String file, String text) throws UnreadableException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        options.setCodePointLimit(8 * 1024 * 1024);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        List<Workload> workloads = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        int[] index = {0};
        try {
            for (Object doc : yaml.loadAll(text)) {
                collect(file, doc, workloads, skipped, index, 0);
            }
        } catch (RuntimeException e) {
            // SnakeYAML reports syntax errors as YAMLException (a RuntimeException) with line and column.
            throw new UnreadableException(file + ": not readable as YAML: " + firstLines(e.getMessage()), e);
        }
        return new Manifest(List.copyOf(workloads), List.copyOf(skipped));
    }

    private static String firstLines(@Nullable String m) {
        if (m == null) {
            return "unknown error";
        }
        String[] lines = m.split("\n");
        return String.join(" ", Arrays.copyOf(lines, Math.min(lines.length, 3))).replaceAll("\\s+", " ").strip();
    }

    private static void collect(String file, @Nullable Object doc, List<Workload> out, List<Skipped> skipped, int[] index,
            int depth) {
        if (doc == null) {
            return; // an empty document (a stray "---") says nothing
        }
        if (!(doc instanceof Map)) {
            skipped.add(new Skipped(file, ++index[0], null, null, "not a Kubernetes object (a YAML "
                    + (doc instanceof List ? "sequence" : "scalar") + ")"));
            return;
        }
        Map<?, ?> m = (Map<?, ?>) doc;
        Object kind = m.get("kind");
        Object n = map(m.get("metadata")).get("name");
        String name = n == null ? null : String.valueOf(n);
        if (!(kind instanceof String)) {
            skipped.add(new Skipped(file, ++index[0], null, name, "no kind: not a Kubernetes object"));
            return;
        }
        if ("List".equals(kind) && m.get("items") instanceof List && depth < 2) {
            for (Object item : (List<?>) m.get("items")) {
                collect(file, item, out, skipped, index, depth + 1);
            }
            return;
        }
        if (!Workload.KINDS.contains(kind)) {
            skipped.add(new Skipped(file, ++index[0], (String) kind, name, "not a workload: the linter reads the Pod template of "
                    + String.join(", ", Workload.KINDS)));
            return;
        }
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
        Workload w = new Workload(file, (String) kind, name == null ? "<unnamed>" : name,
                strings(map(template.get("metadata")).get("annotations")), strings(map(template.get("metadata")).get("labels")),
                objects(template.get("spec")));
        if (list(w.podSpec().get("containers")).isEmpty()) {
            skipped.add(new Skipped(file, ++index[0], (String) kind, name, "no containers at " + w.podSpecPath()
                    + ".containers (a fragment?): nothing to check"));
            return;
        }
        if (w.appContainers().isEmpty()) {
            skipped.add(new Skipped(file, ++index[0], (String) kind, name, "only sidecar containers ("
                    + String.join(", ", Workload.SIDECAR_CONTAINERS) + "): no app container to check"));
            return;
        }
        ++index[0];
        out.add(w);
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
