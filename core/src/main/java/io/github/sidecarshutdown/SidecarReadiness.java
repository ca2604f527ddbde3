package io.github.sidecarshutdown;

/** What {@link ShutdownCoordinator#awaitSidecarReady()} found. */
public enum SidecarReadiness {
    /** The sidecar is ready to carry traffic. */
    READY,
    /** There is no sidecar; nothing was waited for. */
    NO_SIDECAR,
    /** The startup wait ran out (only with {@link StartupPolicy#OPTIONAL}). */
    TIMED_OUT,
    /** Shutdown began while waiting. */
    SHUTTING_DOWN
}
