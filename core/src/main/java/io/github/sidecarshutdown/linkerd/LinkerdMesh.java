package io.github.sidecarshutdown.linkerd;

import io.github.sidecarshutdown.internal.SingleUrlMesh;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.net.URI;
import java.time.Duration;

/** Linkerd: linkerd-proxy and its admin API (docs/sidecar-protocol.md §8). */
public final class LinkerdMesh extends SingleUrlMesh {

    /** linkerd-proxy's admin API. */
    public static final MeshSetting ADMIN_URL = MeshSetting.url("linkerd-admin-url", "linkerdAdminUrl", "http://127.0.0.1:4191",
            "linkerd-proxy admin base URL; loopback only unless allow-non-loopback is set.",
            "linkerd-proxy admin listens on http://127.0.0.1:4191");

    /** The descriptor. */
    public static final LinkerdMesh INSTANCE = new LinkerdMesh();

    private LinkerdMesh() {
        super("linkerd", SidecarMode.LINKERD, ADMIN_URL);
    }

    @Override
    protected Sidecar create(URI url, Duration connectTimeout, boolean allowNonLoopback) {
        return new LinkerdSidecar(url, connectTimeout, allowNonLoopback);
    }
}
