package io.github.sidecarshutdown.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One edit to a workload's manifest, as a fix prescribes it. A finding's fix text is rendered from
 * its changes, so the words a user reads and the edit a program applies ({@code --json}) are the same.
 *
 * @param target    what is edited
 * @param path      where, as the fix names it (e.g. {@code spec.template.spec.terminationGracePeriodSeconds},
 *                  {@code proxy.istio.io/config}); for {@link Target#ENV}, the container's name
 * @param key       the field, variable, annotation, or {@code proxy.istio.io/config} field (dotted,
 *                  e.g. {@code proxyMetadata.MINIMUM_DRAIN_DURATION})
 * @param value     the new value, or null to remove the key
 */
public record Change(Target target, String path, String key, @Nullable String value) {

    /** What a change edits. */
    public enum Target {
        /** A field of the Pod spec ({@code terminationGracePeriodSeconds}, {@code restartPolicy}). */
        POD_SPEC,
        /** An environment variable of one container ({@code path} is the container's name). */
        ENV,
        /** An annotation of the Pod template. */
        ANNOTATION,
        /** A field inside the Pod template's {@code proxy.istio.io/config} annotation. */
        PROXY_CONFIG
    }

    static Change podSpec(Workload w, String field, String value) {
        return new Change(Target.POD_SPEC, w.podSpecPath() + "." + field, field, value);
    }

    static Change env(String container, String name, @Nullable String value) {
        return new Change(Target.ENV, container, name, value);
    }

    static Change annotation(String key, @Nullable String value) {
        return new Change(Target.ANNOTATION, "metadata.annotations", key, value);
    }

    static Change proxyConfig(String field, String value) {
        return new Change(Target.PROXY_CONFIG, "proxy.istio.io/config", field, value);
    }

    /** The change in words, e.g. {@code set SIDECAR_SHUTDOWN_GRACE_PERIOD: "32s" in container app}. */
    String describe() {
        return switch (target) {
            case POD_SPEC -> "set " + path + ": " + value;
            case ENV -> value == null ? "remove " + key + " from container " + path
                    : "set " + key + ": \"" + value + "\" in container " + path;
            case ANNOTATION -> value == null ? "remove the Pod template's annotation " + key
                    : "annotate the Pod template with " + key + ": \"" + value + "\"";
            case PROXY_CONFIG -> "set " + key + ": \"" + value + "\" in the Pod template's " + path + " annotation";
        };
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", target.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        m.put(target == Target.ENV ? "container" : "path", path);
        m.put("key", key);
        m.put("value", value);
        return m;
    }
}
