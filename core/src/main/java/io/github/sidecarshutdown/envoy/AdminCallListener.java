package io.github.sidecarshutdown.envoy;

import java.time.Duration;

/** Told about every admin and agent call; metrics implement it. Must not block or throw. */
@FunctionalInterface
public interface AdminCallListener {

    /**
     * @param endpoint   the endpoint called
     * @param outcome    how the exchange went: {@code success} (2xx), {@code status_4xx} / {@code status_5xx}
     *                   (3xx as {@code status_3xx}), or the lowercase {@link EnvoyAdminException.Kind} when
     *                   there was no usable HTTP answer; a body that later fails to parse still counts
     *                   as the HTTP exchange it was
     * @param statusCode the HTTP status, or -1 without an HTTP answer
     * @param elapsed    how long the call took
     */
    void onAdminCall(AdminEndpoint endpoint, String outcome, int statusCode, Duration elapsed);

    /** A listener that ignores every call. */
    static AdminCallListener none() {
        return IgnoredAdminCalls.INSTANCE;
    }
}
