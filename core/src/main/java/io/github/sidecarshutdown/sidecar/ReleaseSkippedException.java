package io.github.sidecarshutdown.sidecar;

/**
 * Thrown by {@link Sidecar#release(java.time.Duration)} when the sidecar cannot be released for a
 * reason that is not a failure (e.g. linkerd-proxy's shutdown endpoint is disabled): the coordinator
 * reports the sidecar release as skipped with this message.
 */
public final class ReleaseSkippedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ReleaseSkippedException(String reason) {
        super(reason);
    }
}
