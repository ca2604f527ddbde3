package io.github.sidecarshutdown.kuma;

import io.github.sidecarshutdown.internal.EnvoyMeshAdmin;
import io.github.sidecarshutdown.pod.MeshAnnotations;
import io.github.sidecarshutdown.pod.PodAnnotations;
import io.github.sidecarshutdown.sidecar.Mesh;
import io.github.sidecarshutdown.sidecar.MeshContext;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.WindowKnob;
import java.util.List;
import java.util.Optional;

/** Kuma and Kong Mesh: kuma-dp with Envoy (docs/sidecar-protocol.md §10.2). */
public final class KumaMesh implements Mesh {

    /** The descriptor. */
    public static final KumaMesh INSTANCE = new KumaMesh();

    /** Envoy's admin API under kuma-dp. */
    public static final MeshSetting ADMIN_URL = MeshSetting.url("kuma-admin-url", "kumaAdminUrl", "http://127.0.0.1:9901",
            "Envoy admin base URL under kuma-dp; unset: the port in the Pod's " + MeshAnnotations.KUMA_ADMIN_PORT
                    + " annotation, else 9901; loopback only unless allow-non-loopback is set.",
            "Envoy admin under kuma-dp listens on http://127.0.0.1:9901");

    /** What sets kuma-dp's window. */
    static final WindowKnob WINDOW = WindowKnob.of(MeshAnnotations.KUMA_DRAIN_TIME, MeshAnnotations.KUMA_DRAIN_TIME, "%ds");
    /** Envoy's inbound-only drain, with its listeners kept open. */
    static final String DRAIN_CALL = "POST /drain_listeners?inboundonly&graceful&skip_exit";
    /** Envoy's own quit; kuma-dp exits 0 with Envoy. */
    static final String RELEASE_CALL = "POST /quitquitquit";

    private KumaMesh() {
    }

    @Override
    public String name() {
        return "kuma";
    }

    @Override
    public List<SidecarMode> modes() {
        return List.of(SidecarMode.KUMA);
    }

    @Override
    public List<MeshSetting> settings() {
        return List.of(ADMIN_URL);
    }

    @Override
    public List<String> annotations() {
        return List.of(MeshAnnotations.KUMA_INJECTED, MeshAnnotations.KUMA_DRAIN_TIME, MeshAnnotations.KUMA_ADMIN_PORT);
    }

    /** Kuma's injector marks every Pod it injected {@code kuma.io/sidecar-injected: "true"}. */
    @Override
    public Optional<SidecarMode> injected(PodAnnotations pod) {
        return MeshAnnotations.fromAnnotations(pod.values(), pod.source()).kumaInjected()
                ? Optional.of(SidecarMode.KUMA) : Optional.empty();
    }

    @Override
    public SidecarFacts facts(MeshContext context, SidecarMode mode) {
        return KumaSidecar.factsFromPod(MeshAnnotations.of(context.pod()));
    }

    @Override
    public Sidecar create(MeshContext context, SidecarMode mode) {
        return new KumaSidecar(EnvoyMeshAdmin.client(context, context.url(ADMIN_URL, MeshAnnotations.KUMA_ADMIN_PORT)),
                MeshAnnotations.of(context.pod()));
    }
}
