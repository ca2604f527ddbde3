package io.github.sidecarshutdown.envoy;

import java.time.Duration;

/** Told about every admin and agent call; metrics implement it. Must not block or throw. */
@FunctionalInterface
public interface AdminCallListener {

    /**
     * @param endpoint   the endpoint called
     * @param outcome    {@code success} or the lowercase {@link EnvoyAdminException.Kind}
     * @param statusCode the HTTP status, or -1 without an HTTP answer
     * @param elapsed    how long the call took
     */
    void onAdminCall(AdminEndpoint endpoint, String outcome, int statusCode, Duration elapsed);

    /** A listener that ignores every call. */
    static AdminCallListener none() {
        return (e, o, s, d) -> { };
    }
}
