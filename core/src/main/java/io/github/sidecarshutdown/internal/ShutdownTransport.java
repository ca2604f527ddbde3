package io.github.sidecarshutdown.internal;

/**
 * Which transport the library's sidecar calls take (docs/timeline.md, "Off the startup path"): the
 * JDK's sockets ({@link SocketHttp}) until the process's shutdown begins, OkHttp from then on. A class
 * of its own, with nothing of OkHttp in it, so that flipping it at SIGTERM loads nothing else. Not API.
 */
public final class ShutdownTransport {

    /** Whether the shutdown began in this process. */
    private static volatile boolean begun;

    private ShutdownTransport() {
    }

    /**
     * The process's first shutdown sequence started: every later call of every client goes through
     * OkHttp (idempotent).
     */
    public static void begin() {
        begun = true;
    }

    /** Whether {@link #begin()} was called: calls go through OkHttp. */
    public static boolean begun() {
        return begun;
    }

    /** For tests that need the startup transport again after a shutdown ran in their JVM. */
    public static void resetForTests() {
        begun = false;
    }
}
