package io.github.sidecarshutdown.flush;

import org.jspecify.annotations.Nullable;

/**
 * A client said its last export failed. It ends the task {@code failed} in the report
 * ({@code TaskResult.failure()}); the client usually logged the details itself.
 */
public final class FlushException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    FlushException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
