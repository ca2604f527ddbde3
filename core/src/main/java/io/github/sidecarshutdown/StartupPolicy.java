package io.github.sidecarshutdown;

/** What {@link ShutdownCoordinator#awaitSidecarReady()} does when no sidecar answers; setting {@code startup-policy}. */
public enum StartupPolicy {
    /**
     * In {@code auto} mode, nothing listening on the admin and agent ports means "no sidecar": go on
     * at once, adding no delay. A sidecar that answers is waited for up to {@code startup-wait}, and
     * a timeout is logged, not thrown.
     */
    OPTIONAL,
    /** Wait up to {@code startup-wait}; then fail with {@link SidecarNotReadyException}. */
    REQUIRED
}
