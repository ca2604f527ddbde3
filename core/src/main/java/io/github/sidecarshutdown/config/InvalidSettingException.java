package io.github.sidecarshutdown.config;

import io.github.sidecarshutdown.internal.LogSafe;
import org.jspecify.annotations.Nullable;

/**
 * A setting has a value the library cannot use. The message names the setting as the user wrote
 * it (environment variable, property or builder method), the value, and what is accepted, so that
 * it can be fixed without reading a stack trace.
 */
public final class InvalidSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final SettingKey setting;
    private final String source;
    private final @Nullable String value;

    /**
     * @param setting the setting
     * @param source  how the user named it, e.g. {@code SIDECAR_SHUTDOWN_GRACE_PERIOD}
     * @param value   the rejected value, as the user wrote it (the message escapes its control
     *                characters and shortens it past {@link LogSafe#MAX_CHARS}; {@link #value()} keeps it whole)
     * @param problem what is wrong and how to fix it
     */
    public InvalidSettingException(SettingKey setting, String source, @Nullable String value, String problem) {
        // The value is shown as written, but with control characters escaped: a value read from a
        // file or a manifest may end in a newline, which would otherwise split the log line.
        super("Invalid " + source + "=" + (value == null ? "null" : "'" + LogSafe.of(value) + "'") + ": " + problem);
        this.setting = setting;
        this.source = source;
        this.value = value;
    }

    /** The setting whose value was refused. */
    public SettingKey setting() {
        return setting;
    }

    /** The name the value came under: an environment variable, a property or a builder method. */
    public String source() {
        return source;
    }

    /** The rejected value as the user wrote it (credentials in a URL redacted). */
    public @Nullable String value() {
        return value;
    }
}
