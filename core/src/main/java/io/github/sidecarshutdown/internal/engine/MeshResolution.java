package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.envoy.AdminCallListener;
import io.github.sidecarshutdown.internal.Loggers;
import io.github.sidecarshutdown.pod.PodAnnotationException;
import io.github.sidecarshutdown.pod.PodAnnotations;
import io.github.sidecarshutdown.sidecar.Mesh;
import io.github.sidecarshutdown.sidecar.MeshContext;
import io.github.sidecarshutdown.sidecar.Meshes;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Which {@link Sidecar} a coordinator talks to, from the settings and the Pod's annotations, through
 * the mesh descriptors of {@link Meshes} (docs/sidecar-states.md, "Detection"): the configured mode's
 * mesh; in {@code auto}, the mesh whose injector marked the Pod, else every mesh's adapter under
 * {@link DetectingSidecar}. A sidecar whose injector marked the Pod is expected
 * ({@link ExpectedSidecar}): until it answers it is starting.
 */
final class MeshResolution {

    /** Looked up at each use, not at class load: SLF4J then starts off the app's path to Ready (docs/timeline.md). */
    private static Logger logger() {
        return Loggers.of(MeshResolution.class);
    }

    /**
     * @param sidecar what the coordinator talks to
     * @param notes   what the plan says about it, once (e.g. what auto mode cannot see)
     */
    record Resolved(Sidecar sidecar, List<String> notes) {
    }

    private MeshResolution() {
    }

    static Resolved resolve(ShutdownSettings settings, PodAnnotations pod, AdminCallListener listener) {
        SidecarMode mode = settings.sidecarMode();
        if (mode.equals(SidecarMode.NONE)) {
            return new Resolved(Sidecar.none(), List.of());
        }
        MeshContext context = new MeshContext(settings, pod, listener, mode);
        if (!mode.equals(SidecarMode.AUTO)) {
            Optional<Mesh> found = Meshes.forMode(mode);
            if (found.isEmpty()) {
                throw new IllegalArgumentException("sidecar mode: " + mode + " (expected: one of " + Meshes.modes() + ")");
            }
            Mesh mesh = found.get();
            Sidecar sidecar = mesh.create(context, mode);
            Optional<SidecarMode> injected = injected(mesh, pod);
            boolean expected = injected.isPresent() && !injected.get().equals(SidecarMode.AMBIENT) && !mode.equals(SidecarMode.AMBIENT);
            return new Resolved(expected ? new ExpectedSidecar(sidecar, where(mesh, pod)) : sidecar, List.of());
        }
        for (Mesh mesh : Meshes.all()) {
            Optional<SidecarMode> injected = injected(mesh, pod);
            if (injected.isPresent()) {
                Sidecar sidecar = mesh.create(context, injected.get());
                return new Resolved(injected.get().equals(SidecarMode.AMBIENT) ? sidecar : new ExpectedSidecar(sidecar, where(mesh, pod)),
                        List.of());
            }
        }
        List<Sidecar> candidates = new ArrayList<>();
        for (Mesh mesh : Meshes.all()) {
            candidates.add(mesh.create(context, SidecarMode.AUTO));
        }
        List<String> notes = pod.mounted() ? List.of() : List.of("sidecar-mode auto without the Pod's annotations ("
                + pod.source() + " at " + settings.annotationsFile() + "): a sidecar that is not answering yet when the app "
                + "starts is taken for no sidecar, so the startup wait does not wait for it. Mount metadata.annotations with "
                + "the downward API at " + settings.annotationsFile() + " (see examples/kubernetes/plain-java.yaml): the "
                + "injector's mark then makes the library wait for its sidecar");
        return new Resolved(new DetectingSidecar(candidates), notes);
    }

    /** What the mesh's injector wrote; a malformed annotation is logged and read as no mark. */
    static Optional<SidecarMode> injected(Mesh mesh, PodAnnotations pod) {
        if (!pod.mounted()) {
            return Optional.empty();
        }
        try {
            return mesh.injected(pod);
        } catch (PodAnnotationException e) {
            logger().warn("Pod annotations in {}: {}; {} is not taken as injected", pod.source(), e.getMessage(), mesh.name());
            return Optional.empty();
        }
    }

    private static String where(Mesh mesh, PodAnnotations pod) {
        return mesh.name() + "'s injector in " + pod.source();
    }
}
