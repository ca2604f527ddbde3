package io.github.sidecarshutdown.envoy;

import io.github.sidecarshutdown.internal.LogSafe;
import org.jspecify.annotations.Nullable;

/**
 * An admin or agent call did not get the answer it needs. Thrown by {@link EnvoyAdminClient} only;
 * during shutdown the coordinator turns it into a reported outcome, never lets it escape.
 */
public final class EnvoyAdminException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a call failed. */
    public enum Kind {
        /** Nothing listens: the sidecar is absent or gone. */
        CONNECTION_REFUSED,
        /** Connect or call timeout. */
        TIMEOUT,
        /** An HTTP status the endpoint does not answer with on success. */
        HTTP_STATUS,
        /**
         * 400 or 405: the server refused the request as sent (current Envoy answers a non-POST
         * mutation with 405, old Envoy with 400; both are treated alike).
         */
        REJECTED,
        /** Body larger than the configured cap. */
        RESPONSE_TOO_LARGE,
        /** Body that cannot be understood. */
        MALFORMED_RESPONSE,
        /** Any other I/O failure (reset, DNS, ...). */
        IO
    }

    private final AdminEndpoint endpoint;
    private final Kind kind;
    private final int statusCode;

    /**
     * @param message what went wrong; it may quote the sidecar's error body, so it is made safe for
     *                one log line here (control characters escaped, length capped)
     */
    public EnvoyAdminException(AdminEndpoint endpoint, Kind kind, int statusCode, String message,
            @Nullable Throwable cause) {
        super(endpoint + ": " + LogSafe.of(message), cause);
        this.endpoint = endpoint;
        this.kind = kind;
        this.statusCode = statusCode;
    }

    public AdminEndpoint endpoint() {
        return endpoint;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, or -1 when there was no HTTP answer. */
    public int statusCode() {
        return statusCode;
    }
}
