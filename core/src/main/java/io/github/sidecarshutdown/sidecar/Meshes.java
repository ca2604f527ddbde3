package io.github.sidecarshutdown.sidecar;

import io.github.sidecarshutdown.consul.ConsulMesh;
import io.github.sidecarshutdown.dapr.DaprMesh;
import io.github.sidecarshutdown.istio.IstioMesh;
import io.github.sidecarshutdown.kuma.KumaMesh;
import io.github.sidecarshutdown.linkerd.LinkerdMesh;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The meshes the library knows, in the order {@code sidecar-mode=auto} asks them (docs/sidecar-states.md,
 * "Detection"): the first mesh's adapter is also what the coordinator sees while no mesh is proven
 * (Istio's, which reads the Pod's proxy config). Adding a mesh adds its line here (docs/adding-a-mesh.md).
 * Plain loops, no streams: every {@code build()} runs these on the app's path to Ready.
 */
public final class Meshes {

    private static final List<Mesh> ALL = List.of(
            IstioMesh.INSTANCE,
            ConsulMesh.INSTANCE,
            KumaMesh.INSTANCE,
            LinkerdMesh.INSTANCE,
            DaprMesh.INSTANCE);

    private Meshes() {
    }

    /** Every mesh, in detection order. */
    public static List<Mesh> all() {
        return ALL;
    }

    /** The mesh whose adapter {@code mode} selects; empty for {@code auto}, {@code none} and unknown names. */
    public static Optional<Mesh> forMode(SidecarMode mode) {
        for (Mesh m : ALL) {
            if (m.modes().contains(mode)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** Every {@code sidecar-mode} value: {@code auto}, each mesh's modes, {@code none}. */
    public static List<SidecarMode> modes() {
        List<SidecarMode> modes = new ArrayList<>();
        modes.add(SidecarMode.AUTO);
        for (Mesh m : ALL) {
            modes.addAll(m.modes());
        }
        modes.add(SidecarMode.NONE);
        return List.copyOf(modes);
    }

    /** Every setting the meshes add, in order. */
    public static List<MeshSetting> settings() {
        List<MeshSetting> settings = new ArrayList<>();
        for (Mesh m : ALL) {
            settings.addAll(m.settings());
        }
        return List.copyOf(settings);
    }
}
