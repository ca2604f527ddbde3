package io.github.sidecarshutdown.envoy;

import java.time.Duration;

/**
 * {@link AdminCallListener#none()}: a constant rather than a lambda, because every builder starts
 * with it and a lambda's first link costs a fresh JVM more than a small class does
 * (docs/timeline.md, "Off the startup path").
 */
enum IgnoredAdminCalls implements AdminCallListener {
    INSTANCE;

    @Override
    public void onAdminCall(AdminEndpoint endpoint, String outcome, int statusCode, Duration elapsed) {
    }
}
