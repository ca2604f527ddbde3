package io.github.sidecarshutdown;

import java.util.Locale;

/** What started a shutdown. */
public enum ShutdownTrigger {
    /** The JVM shutdown hook (SIGTERM, {@code System.exit}, end of {@code main}). */
    JVM_HOOK,
    /** A call of {@link ShutdownCoordinator#shutdown()} (tests, Spring's lifecycle). */
    PROGRAMMATIC;

    /** Lowercase name for logs and JSON. */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
