package io.github.sidecarshutdown.linkerd;

import io.github.sidecarshutdown.pod.PodAnnotations;
import io.github.sidecarshutdown.sidecar.Mesh;
import io.github.sidecarshutdown.sidecar.MeshContext;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.util.List;
import java.util.Optional;

/** Linkerd: linkerd-proxy and its admin API (docs/sidecar-protocol.md §8). */
public final class LinkerdMesh implements Mesh {

    /** The descriptor. */
    public static final LinkerdMesh INSTANCE = new LinkerdMesh();

    /** linkerd-proxy's admin API. */
    public static final MeshSetting ADMIN_URL = MeshSetting.url("linkerd-admin-url", "linkerdAdminUrl", "http://127.0.0.1:4191",
            "linkerd-proxy admin base URL; loopback only unless allow-non-loopback is set.",
            "linkerd-proxy admin listens on http://127.0.0.1:4191");

    private LinkerdMesh() {
    }

    @Override
    public String name() {
        return "linkerd";
    }

    @Override
    public List<SidecarMode> modes() {
        return List.of(SidecarMode.LINKERD);
    }

    @Override
    public List<MeshSetting> settings() {
        return List.of(ADMIN_URL);
    }

    @Override
    public List<String> annotations() {
        return List.of();
    }

    /** Not read from annotations: the proxy is found by what its admin answers. */
    @Override
    public Optional<SidecarMode> injected(PodAnnotations pod) {
        return Optional.empty();
    }

    /** Nothing in the Pod changes them: the adapter's facts, which it never asks the sidecar for. */
    @Override
    public SidecarFacts facts(MeshContext context, SidecarMode mode) {
        return create(context, mode).facts(java.time.Duration.ZERO);
    }

    @Override
    public Sidecar create(MeshContext context, SidecarMode mode) {
        return new LinkerdSidecar(context.url(ADMIN_URL), context.connectTimeout(), context.settings().allowNonLoopback());
    }
}
