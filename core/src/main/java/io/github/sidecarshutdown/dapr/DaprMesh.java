package io.github.sidecarshutdown.dapr;

import io.github.sidecarshutdown.internal.SingleUrlMesh;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.net.URI;
import java.time.Duration;

/** Dapr: daprd and its HTTP API (docs/sidecar-protocol.md §9). */
public final class DaprMesh extends SingleUrlMesh {

    /** daprd's HTTP API. */
    public static final MeshSetting URL = MeshSetting.url("dapr-url", "daprUrl", "http://127.0.0.1:3500",
            "daprd HTTP API base URL; loopback only unless allow-non-loopback is set.",
            "daprd listens on http://127.0.0.1:3500");

    /** The descriptor. */
    public static final DaprMesh INSTANCE = new DaprMesh();

    private DaprMesh() {
        super("dapr", SidecarMode.DAPR, URL);
    }

    @Override
    protected Sidecar create(URI url, Duration connectTimeout, boolean allowNonLoopback) {
        return new DaprSidecar(url, connectTimeout, allowNonLoopback);
    }
}
