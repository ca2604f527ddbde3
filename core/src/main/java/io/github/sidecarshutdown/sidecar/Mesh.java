package io.github.sidecarshutdown.sidecar;

import io.github.sidecarshutdown.pod.PodAnnotations;
import java.util.List;
import java.util.Optional;

/**
 * One service mesh, described once: its name, the {@code sidecar-mode} values that select it, the
 * settings it adds and their defaults, what its injector writes in the Pod's annotations, and the
 * {@link Sidecar} adapter it makes. The builder, detection ({@code sidecar-mode=auto}), the Spring
 * properties, the linter and the plan all iterate {@link Meshes#all()}; adding a mesh is one package
 * with its descriptor and adapter, plus its line in {@link Meshes} (docs/adding-a-mesh.md).
 *
 * <p>Implementations are stateless singletons.
 */
public interface Mesh {

    /** The mesh's name in logs and docs, e.g. {@code istio}. */
    String name();

    /** The {@code sidecar-mode} values that select this mesh's adapter, the first being its main one. */
    List<SidecarMode> modes();

    /** The settings this mesh adds (its sidecar's loopback URLs and the like); may be empty. */
    List<MeshSetting> settings();

    /** The Pod annotations this mesh reads, for the docs and the linter. */
    List<String> annotations();

    /**
     * What this mesh's injector says in the Pod's annotations, without asking anything: the mode of
     * the sidecar it put in the Pod (e.g. {@link SidecarMode#NATIVE} for a native Istio sidecar), or
     * empty when the Pod shows no sign of this mesh. A sidecar the annotations show is expected: until
     * it answers it is starting, not absent (docs/sidecar-states.md).
     *
     * @throws io.github.sidecarshutdown.pod.PodAnnotationException when an annotation this mesh
     *     reads is malformed (the linter reports it; at runtime it is logged and ignored)
     */
    Optional<SidecarMode> injected(PodAnnotations pod);

    /**
     * What the Pod's annotations and the settings alone say about this mesh's sidecar in {@code mode}
     * (or, for {@link SidecarMode#AUTO}, in the mode the annotations show): the facts the adapter
     * reports before its sidecar answers, and those the linter plans a manifest with. Asks nothing.
     */
    SidecarFacts facts(MeshContext context, SidecarMode mode);

    /**
     * Makes the adapter for {@code mode}: one of {@link #modes()}, or {@link SidecarMode#AUTO} when
     * detection asks this mesh to stand ready (its {@link Sidecar#identify} then proves it). Makes no
     * call.
     */
    Sidecar create(MeshContext context, SidecarMode mode);
}
