package io.github.sidecarshutdown.envoy;

/**
 * Envoy's answer to {@code GET /ready}: 200 {@code LIVE}, or 503 with another state.
 *
 * @param statusCode 200 or 503
 * @param state      the state named in the body
 */
public record ReadyResponse(int statusCode, EnvoyState state) {

    /** Whether Envoy reported {@code LIVE} with 200. */
    public boolean isLive() {
        return statusCode == 200 && state == EnvoyState.LIVE;
    }
}
