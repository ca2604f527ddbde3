package io.github.sidecarshutdown.internal;

import java.util.Arrays;

/** Named daemon threads, so that nothing of ours keeps a JVM alive or hides in a thread dump. */
public final class Threads {

    private Threads() {
    }

    public static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Whether {@code thread} is stuck inside {@code System.exit}/{@code Runtime.exit}: such a call
     * blocks forever while shutdown hooks run ({@link Runtime#exit(int)} javadoc), so a task that
     * makes it can only be abandoned.
     */
    public static boolean isBlockedInExit(Thread thread) {
        return Arrays.stream(thread.getStackTrace()).anyMatch(f ->
                (f.getClassName().equals("Shutdown") && f.getMethodName().equals("exit"))
                        || (f.getClassName().equals("java.lang.Runtime") && f.getMethodName().equals("exit"))
                        || (f.getClassName().equals("java.lang.System") && f.getMethodName().equals("exit")));
    }
}
