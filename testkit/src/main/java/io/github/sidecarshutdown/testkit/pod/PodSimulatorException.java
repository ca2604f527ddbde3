package io.github.sidecarshutdown.testkit.pod;

/**
 * Thrown when the simulated Pod cannot be started or terminated as asked, for example when a
 * container does not print its ready line in time or exits before it is ready.
 */
public final class PodSimulatorException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, naming the container involved
     */
    public PodSimulatorException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong, naming the container involved
     * @param cause the underlying failure
     */
    public PodSimulatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
