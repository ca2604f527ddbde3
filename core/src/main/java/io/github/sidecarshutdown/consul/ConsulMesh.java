package io.github.sidecarshutdown.consul;

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
import java.net.URI;
import java.util.List;
import java.util.Optional;

/** Consul: consul-dataplane with Envoy, injected by consul-k8s (docs/sidecar-protocol.md §10.1). */
public final class ConsulMesh implements Mesh {

    /** The descriptor. */
    public static final ConsulMesh INSTANCE = new ConsulMesh();

    /** Envoy's admin API under consul-dataplane. */
    public static final MeshSetting ADMIN_URL = MeshSetting.url("consul-admin-url", "consulAdminUrl", "http://127.0.0.1:19000",
            "Envoy admin base URL under consul-dataplane; loopback only unless allow-non-loopback is set.",
            "Envoy admin under consul-dataplane listens on http://127.0.0.1:19000");
    /** consul-dataplane's lifecycle server, asked only to identify the dataplane. */
    public static final MeshSetting LIFECYCLE_URL = MeshSetting.url("consul-lifecycle-url", "consulLifecycleUrl",
            "http://127.0.0.1:20600",
            "consul-dataplane's lifecycle server base URL (consul-k8s's graceful port); unset: the port in the Pod's "
                    + MeshAnnotations.CONSUL_GRACEFUL_PORT + " annotation, else 20600.",
            "consul-dataplane lifecycle server listens on http://127.0.0.1:20600");

    /** What sets the dataplane's window while its proxy lifecycle is on. */
    static final WindowKnob WINDOW = WindowKnob.of(MeshAnnotations.CONSUL_GRACE_PERIOD, MeshAnnotations.CONSUL_GRACE_PERIOD, "%d");
    /** With the proxy lifecycle off the grace period is ignored: the lifecycle must be turned on first. */
    static final WindowKnob LIFECYCLE_OFF_WINDOW = new WindowKnob(MeshAnnotations.CONSUL_LIFECYCLE, List.of(
            new WindowKnob.Template(MeshAnnotations.CONSUL_LIFECYCLE, "true"),
            new WindowKnob.Template(MeshAnnotations.CONSUL_GRACE_PERIOD, "%d")));
    /** Envoy's own quit; the dataplane exits 0 with Envoy. */
    static final String RELEASE_CALL = "POST /quitquitquit";

    private ConsulMesh() {
    }

    @Override
    public String name() {
        return "consul";
    }

    @Override
    public List<SidecarMode> modes() {
        return List.of(SidecarMode.CONSUL);
    }

    @Override
    public List<MeshSetting> settings() {
        return List.of(ADMIN_URL, LIFECYCLE_URL);
    }

    @Override
    public List<String> annotations() {
        return List.of(MeshAnnotations.CONSUL_INJECT_STATUS, MeshAnnotations.CONSUL_LIFECYCLE, MeshAnnotations.CONSUL_GRACE_PERIOD,
                MeshAnnotations.CONSUL_GRACEFUL_PORT, MeshAnnotations.CONSUL_NATIVE);
    }

    /** consul-k8s marks every Pod it injected {@code consul.hashicorp.com/connect-inject-status: injected}. */
    @Override
    public Optional<SidecarMode> injected(PodAnnotations pod) {
        return MeshAnnotations.fromAnnotations(pod.values(), pod.source()).consulInjected()
                ? Optional.of(SidecarMode.CONSUL) : Optional.empty();
    }

    @Override
    public SidecarFacts facts(MeshContext context, SidecarMode mode) {
        return ConsulSidecar.factsFromPod(MeshAnnotations.of(context.pod()));
    }

    @Override
    public Sidecar create(MeshContext context, SidecarMode mode) {
        URI admin = context.url(ADMIN_URL);
        URI lifecycle = context.url(LIFECYCLE_URL, MeshAnnotations.CONSUL_GRACEFUL_PORT);
        return new ConsulSidecar(EnvoyMeshAdmin.client(context, admin), lifecycle, context.connectTimeout(),
                context.settings().allowNonLoopback(), MeshAnnotations.of(context.pod()));
    }
}
