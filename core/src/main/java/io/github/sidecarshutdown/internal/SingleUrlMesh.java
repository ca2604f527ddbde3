package io.github.sidecarshutdown.internal;

import io.github.sidecarshutdown.pod.PodAnnotations;
import io.github.sidecarshutdown.sidecar.Mesh;
import io.github.sidecarshutdown.sidecar.MeshContext;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A mesh whose sidecar is one HTTP API on one loopback URL, found by what that API answers and
 * never by the Pod's annotations (Linkerd's proxy, Dapr's daprd): its name, its mode, its URL
 * setting and how its adapter is made. Nothing in the Pod changes the adapter's facts.
 */
public abstract class SingleUrlMesh implements Mesh {

    private final String name;
    private final SidecarMode mode;
    private final MeshSetting url;

    protected SingleUrlMesh(String name, SidecarMode mode, MeshSetting url) {
        this.name = name;
        this.mode = mode;
        this.url = url;
    }

    /** The adapter for the sidecar at {@code url}. */
    protected abstract Sidecar create(java.net.URI url, Duration connectTimeout, boolean allowNonLoopback);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<SidecarMode> modes() {
        return List.of(mode);
    }

    @Override
    public final List<MeshSetting> settings() {
        return List.of(url);
    }

    @Override
    public final List<String> annotations() {
        return List.of();
    }

    /** Not read from annotations: the sidecar is found by what its API answers. */
    @Override
    public final Optional<SidecarMode> injected(PodAnnotations pod) {
        return Optional.empty();
    }

    /** The adapter's own facts, which it never asks the sidecar for. */
    @Override
    public final SidecarFacts facts(MeshContext context, SidecarMode mode) {
        return create(context, mode).facts(Duration.ZERO);
    }

    @Override
    public final Sidecar create(MeshContext context, SidecarMode mode) {
        return create(context.url(url), context.connectTimeout(), context.settings().allowNonLoopback());
    }
}
