package io.github.sidecarshutdown.internal;

/**
 * Seam over {@link Runtime#addShutdownHook(Thread)} so that unit tests never add real hooks to the
 * test JVM (they would run when Surefire's JVM exits).
 */
@FunctionalInterface
public interface RuntimeHooks {

    void addShutdownHook(Thread hook);

    /** The real JVM. */
    static RuntimeHooks jvm() {
        return hook -> Runtime.getRuntime().addShutdownHook(hook);
    }
}
