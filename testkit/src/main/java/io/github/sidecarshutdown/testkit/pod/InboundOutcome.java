package io.github.sidecarshutdown.testkit.pod;

/**
 * How one inbound request of the load ended.
 */
public enum InboundOutcome {
    /** A response with a 2xx status. */
    OK,
    /** A response with any other status; see {@link InboundRequest#statusCode()}. */
    HTTP_ERROR,
    /** The connection was refused: nothing listened on the port. */
    CONNECTION_REFUSED,
    /**
     * The connection was reset or closed by the peer before a complete response arrived.
     */
    CONNECTION_RESET,
    /** No (complete) response within the request timeout, or connect timeout. */
    TIMEOUT,
    /** Any other failure; see {@link InboundRequest#detail()}. */
    OTHER_ERROR;

    /**
     * Returns whether this outcome is a failure (anything but {@link #OK}).
     *
     * @return {@code true} unless {@link #OK}
     */
    public boolean isFailure() {
        return this != OK;
    }
}
