package io.github.sidecarshutdown.dapr;

import io.github.sidecarshutdown.pod.PodAnnotations;
import io.github.sidecarshutdown.sidecar.Mesh;
import io.github.sidecarshutdown.sidecar.MeshContext;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.util.List;
import java.util.Optional;

/** Dapr: daprd and its HTTP API (docs/sidecar-protocol.md §9). */
public final class DaprMesh implements Mesh {

    /** The descriptor. */
    public static final DaprMesh INSTANCE = new DaprMesh();

    /** daprd's HTTP API. */
    public static final MeshSetting URL = MeshSetting.url("dapr-url", "daprUrl", "http://127.0.0.1:3500",
            "daprd HTTP API base URL; loopback only unless allow-non-loopback is set.",
            "daprd listens on http://127.0.0.1:3500");

    private DaprMesh() {
    }

    @Override
    public String name() {
        return "dapr";
    }

    @Override
    public List<SidecarMode> modes() {
        return List.of(SidecarMode.DAPR);
    }

    @Override
    public List<MeshSetting> settings() {
        return List.of(URL);
    }

    @Override
    public List<String> annotations() {
        return List.of();
    }

    /** Not read from annotations: daprd is found by what its API answers. */
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
        return new DaprSidecar(context.url(URL), context.connectTimeout(), context.settings().allowNonLoopback());
    }
}
