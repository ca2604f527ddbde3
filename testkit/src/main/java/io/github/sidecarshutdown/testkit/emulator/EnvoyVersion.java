package io.github.sidecarshutdown.testkit.emulator;

/**
 * {@code major.minor} of the emulated Envoy, enough to pick the admin API behaviour that changed between
 * Envoy releases. The version is the one {@code /server_info} reports in its {@code version} field
 * ({@code <build sha>/<major.minor.patch>[-dev]/Clean/RELEASE/BoringSSL}).
 */
record EnvoyVersion(int major, int minor) {

    static EnvoyVersion parse(String version) {
        String[] parts = version.split("[.-]");
        try {
            if (parts.length < 2) {
                throw new NumberFormatException(version);
            }
            return new EnvoyVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("envoyVersion: " + version + " (expected: like 1.34.1)");
        }
    }

    boolean atLeast(int major, int minor) {
        return this.major > major || (this.major == major && this.minor >= minor);
    }

    /**
     * {@code /drain_listeners?...&skip_exit} exists from Envoy 1.28 (envoyproxy/envoy#30003,
     * {@code changelogs/1.28.0.yaml}); older Envoy ignores it like any unknown query parameter.
     */
    boolean knowsSkipExit() {
        return atLeast(1, 28);
    }

    /**
     * From Envoy 1.34 an {@code inboundonly&graceful} drain is directional: only INBOUND listeners'
     * connections drain-close (envoyproxy/envoy#37873, {@code changelogs/1.34.0.yaml}); before, the drain
     * manager was global and every HTTP connection manager drain-closed (envoyproxy/envoy#35020,
     * istio/istio#51855).
     */
    boolean drainsDirectionally() {
        return atLeast(1, 34);
    }
}
