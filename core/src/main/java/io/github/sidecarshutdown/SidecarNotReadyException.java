package io.github.sidecarshutdown;

/**
 * The sidecar did not become ready within {@code startup-wait} and {@code startup-policy} is
 * {@code required}. The message says what was probed and how to change the wait or the policy.
 */
public final class SidecarNotReadyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SidecarNotReadyException(String message) {
        super(message);
    }
}
