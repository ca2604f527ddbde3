package io.github.sidecarshutdown.internal;

/**
 * Seam over {@link Runtime#addShutdownHook(Thread)} so that unit tests never add real hooks to the
 * test JVM (they would run when Surefire's JVM exits).
 */
@FunctionalInterface
public interface RuntimeHooks {

    void addShutdownHook(Thread hook);

    /** Whether hooks added here run when the JVM exits (the real runtime, not a test's recorder). */
    default boolean runAtJvmExit() {
        return false;
    }

    /** Hooks that are never added anywhere: for a coordinator that must not outlive its caller. */
    static RuntimeHooks none() {
        return hook -> { };
    }

    /** The real JVM. */
    static RuntimeHooks jvm() {
        return Jvm.INSTANCE;
    }

    /** The real runtime. */
    enum Jvm implements RuntimeHooks {
        INSTANCE;

        @Override
        public void addShutdownHook(Thread hook) {
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        public boolean runAtJvmExit() {
            return true;
        }
    }
}
