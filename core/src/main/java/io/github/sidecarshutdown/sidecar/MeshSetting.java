package io.github.sidecarshutdown.sidecar;

import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.config.SettingKey;
import java.util.Objects;

/**
 * A setting a {@link Mesh} adds, such as the loopback URL of its sidecar's admin API: named in every
 * front end like the library's own settings ({@code SIDECAR_SHUTDOWN_KUMA_ADMIN_URL},
 * {@code sidecar.shutdown.kuma-admin-url}, builder {@code kumaAdminUrl}). Immutable.
 *
 * @param key           kebab-case, e.g. {@code kuma-admin-url}
 * @param builderMethod the builder method that sets it, e.g. {@code kumaAdminUrl}
 * @param kind          {@link Setting.Kind#URL} or {@link Setting.Kind#DURATION}
 * @param defaultValue  the value when not set, as written in a property (e.g. {@code http://127.0.0.1:9901})
 * @param description   one sentence for the Spring metadata and the docs
 * @param listens       for a URL: where the sidecar listens inside the Pod, for the error that refuses
 *                      a non-loopback URL after "the sidecar's" (e.g. {@code Envoy admin under kuma-dp listens on http://127.0.0.1:9901})
 */
public record MeshSetting(String key, String builderMethod, Setting.Kind kind, String defaultValue, String description,
        String listens) implements SettingKey {

    /**
     * Lowercase words of letters and digits joined by single {@code -}, the first starting with a
     * letter. Written out rather than as a regex: the meshes' settings are made on the app's path to Ready.
     */
    private static boolean isKebabCase(String key) {
        if (key.isEmpty() || key.charAt(0) < 'a' || key.charAt(0) > 'z' || key.endsWith("-")) {
            return false;
        }
        for (int i = 1; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (!alnum && !(c == '-' && key.charAt(i - 1) != '-')) {
                return false;
            }
        }
        return true;
    }

    public MeshSetting {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(builderMethod, "builderMethod");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(listens, "listens");
        if (!isKebabCase(key)) {
            throw new IllegalArgumentException("key: '" + key + "' (expected: kebab-case such as kuma-admin-url)");
        }
        if (kind != Setting.Kind.URL && kind != Setting.Kind.DURATION) {
            throw new IllegalArgumentException("kind: " + kind + " (expected: URL or DURATION)");
        }
    }

    // equals and hashCode written out: a record's generated ones bootstrap through invokedynamic at
    // their first call, some 20 ms of a fresh JVM, and these key the settings of every build().

    @Override
    public boolean equals(Object o) {
        return o instanceof MeshSetting m && key.equals(m.key) && builderMethod.equals(m.builderMethod) && kind == m.kind
                && defaultValue.equals(m.defaultValue) && description.equals(m.description) && listens.equals(m.listens);
    }

    @Override
    public int hashCode() {
        int h = key.hashCode();
        h = 31 * h + builderMethod.hashCode();
        h = 31 * h + kind.hashCode();
        h = 31 * h + defaultValue.hashCode();
        h = 31 * h + description.hashCode();
        return 31 * h + listens.hashCode();
    }

    /** A loopback URL setting. */
    public static MeshSetting url(String key, String builderMethod, String defaultUrl, String description, String listens) {
        return new MeshSetting(key, builderMethod, Setting.Kind.URL, defaultUrl, description, listens);
    }

    /** A duration setting (0 allowed). */
    public static MeshSetting duration(String key, String builderMethod, String defaultValue, String description) {
        return new MeshSetting(key, builderMethod, Setting.Kind.DURATION, defaultValue, description, "");
    }
}
