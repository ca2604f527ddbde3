package io.github.sidecarshutdown.testkit.emulator;

/** Envoy's {@code server.state} values ({@code envoy.admin.v3.ServerInfo.State}). */
enum ServerState {
    LIVE(0), DRAINING(1), PRE_INITIALIZING(2), INITIALIZING(3);

    private final int code;

    ServerState(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }
}
