package io.github.sidecarshutdown.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Applies a finding's {@link Change}s to a manifest the way a user following the fix text would:
 * edits the YAML tree of the workload's document and writes the file back.
 */
final class FixApplier {

    private FixApplier() {
    }

    /** {@code yaml} with {@code changes} applied to the document of {@code w} (matched by kind and name). */
    static String apply(String yaml, Workload w, List<Change> changes) {
        List<Object> docs = new ArrayList<>();
        new Yaml().loadAll(yaml).forEach(docs::add);
        boolean found = false;
        for (Object doc : docs) {
            if (doc instanceof Map<?, ?> m && w.kind().equals(m.get("kind")) && w.name().equals(child(m, "metadata").get("name"))) {
                found = true;
                Map<String, Object> template = template(m, w.kind());
                for (Change c : changes) {
                    apply(template, c);
                }
            }
        }
        if (!found) {
            throw new IllegalArgumentException("no document " + w.title() + " in the manifest");
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dumpAll(docs.iterator());
    }

    private static Map<String, Object> template(Map<?, ?> doc, String kind) {
        return switch (kind) {
            case "Pod" -> cast(doc);
            case "CronJob" -> child(child(child(child(doc, "spec"), "jobTemplate"), "spec"), "template");
            default -> child(child(doc, "spec"), "template");
        };
    }

    private static void apply(Map<String, Object> template, Change c) {
        switch (c.target()) {
            case POD_SPEC -> child(template, "spec").put(c.key(), c.value() != null && c.value().matches("\\d+")
                    ? (Object) Integer.valueOf(c.value()) : c.value());
            case ANNOTATION -> {
                Map<String, Object> annotations = child(child(template, "metadata"), "annotations");
                if (c.value() == null) {
                    annotations.remove(c.key());
                } else {
                    annotations.put(c.key(), c.value());
                }
            }
            case PROXY_CONFIG -> {
                Map<String, Object> annotations = child(child(template, "metadata"), "annotations");
                Object text = annotations.get("proxy.istio.io/config");
                Map<String, Object> config = text == null ? new LinkedHashMap<>() : cast(new Yaml().load(String.valueOf(text)));
                Map<String, Object> at = config;
                String[] path = c.key().split("\\.");
                for (int i = 0; i < path.length - 1; i++) {
                    at = child(at, path[i]);
                }
                at.put(path[path.length - 1], c.value());
                annotations.put("proxy.istio.io/config", JsonWriter.write(config));
            }
            case ENV -> {
                Map<String, Object> container = null;
                for (Object o : ManifestReader.list(child(template, "spec").get("containers"))) {
                    if (c.path().equals(((Map<?, ?>) o).get("name"))) {
                        container = cast(o);
                    }
                }
                if (container == null) {
                    throw new IllegalArgumentException("no container " + c.path());
                }
                List<Object> env = container.get("env") instanceof List ? ManifestReader.list(container.get("env")) : new ArrayList<>();
                container.put("env", env);
                env.removeIf(e -> c.key().equals(((Map<?, ?>) e).get("name")));
                if (c.value() != null) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("name", c.key());
                    e.put("value", c.value());
                    env.add(e);
                }
            }
        }
    }

    /** The map under {@code key}, created when missing. */
    private static Map<String, Object> child(Map<?, ?> parent, String key) {
        Map<String, Object> p = cast(parent);
        Object v = p.get(key);
        if (v instanceof Map) {
            return cast(v);
        }
        Map<String, Object> created = new LinkedHashMap<>();
        p.put(key, created);
        return created;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }
}
