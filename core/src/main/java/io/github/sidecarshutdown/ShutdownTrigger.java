package io.github.sidecarshutdown;

import java.util.Locale;

/** What started a shutdown. */
public enum ShutdownTrigger {
    /** The JVM shutdown hook (SIGTERM, {@code System.exit}, end of {@code main}). */
    JVM_HOOK,
    /** A call of {@link ShutdownCoordinator#shutdown()} by the app or a test. */
    PROGRAMMATIC,
    /**
     * A framework's lifecycle stepping through the sequence with
     * {@link ShutdownCoordinator#runThrough(ShutdownPhase)} (e.g. Spring closing its context, on
     * SIGTERM or otherwise).
     */
    FRAMEWORK;

    /** Lowercase name for logs and JSON. */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
