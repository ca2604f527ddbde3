package io.github.sidecarshutdown.config;

import java.util.Locale;

/**
 * A setting's one name in every front end: the builder method, the environment variable
 * {@code SIDECAR_SHUTDOWN_*} and the Spring property {@code sidecar.shutdown.*}. The library's own
 * settings are the constants of {@link Setting}; a mesh adds its own (its sidecar's loopback URLs)
 * with {@link io.github.sidecarshutdown.sidecar.MeshSetting}. Error messages name a setting through
 * this type, so they read the same wherever the value came from.
 */
public interface SettingKey {

    /** The kebab-case key, e.g. {@code grace-period}. */
    String key();

    /** The builder method that sets it, e.g. {@code gracePeriod}. */
    String builderMethod();

    /** What kind of value it takes. */
    Setting.Kind kind();

    /** {@code SIDECAR_SHUTDOWN_GRACE_PERIOD}. */
    default String envName() {
        return "SIDECAR_SHUTDOWN_" + key().toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** {@code sidecar.shutdown.grace-period}. */
    default String propertyName() {
        return "sidecar.shutdown." + key();
    }

    /**
     * For a duration setting, whether 0 is a valid value: it is where 0 turns something off or means
     * "do not wait". False for settings that are not durations.
     */
    default boolean zeroAllowed() {
        return kind() == Setting.Kind.DURATION;
    }
}
