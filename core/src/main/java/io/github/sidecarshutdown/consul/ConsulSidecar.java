package io.github.sidecarshutdown.consul;

import io.github.sidecarshutdown.envoy.EnvoyAdminClient;
import io.github.sidecarshutdown.envoy.EnvoyState;
import io.github.sidecarshutdown.internal.EnvoyMeshAdmin;
import io.github.sidecarshutdown.internal.LoopbackEndpoint;
import io.github.sidecarshutdown.internal.LoopbackHttp;
import io.github.sidecarshutdown.pod.MeshAnnotations;
import io.github.sidecarshutdown.sidecar.OutboundTraffic;
import io.github.sidecarshutdown.sidecar.ReleaseDecision;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import io.github.sidecarshutdown.sidecar.WindowKnob;
import java.util.Set;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Consul's sidecar: consul-dataplane running Envoy, seen through Envoy's admin
 * ({@code 127.0.0.1:19000}) and the dataplane's lifecycle server ({@code 127.0.0.1:20600} under
 * consul-k8s), docs/sidecar-protocol.md §10.1.
 *
 * <p>On its SIGTERM the dataplane drains Envoy's inbound listeners itself, keeps Envoy forwarding
 * for its fixed grace period, then quits Envoy; nothing the app can ask changes before that quit
 * (Envoy's {@code /ready} stays {@code LIVE}, the lifecycle server keeps answering). So this sidecar
 * never says TERMINATING (its facts say its termination is not visible): its window is assumed
 * to run from the app's own SIGTERM, nothing is drained by the app, and it is released
 * ({@code POST /quitquitquit} on Envoy, after which the dataplane exits 0) only in the job workload.
 * A native dataplane ({@code consul.hashicorp.com/enable-consul-dataplane-as-sidecar}) has no window
 * and is never released. Thread-safe.
 */
public final class ConsulSidecar implements Sidecar, AutoCloseable {

    /** Envoy's admin address under consul-dataplane ({@code -envoy-admin-bind-port}, default 19000). */
    public static final URI DEFAULT_ADMIN_URL = URI.create("http://127.0.0.1:19000");
    /** The dataplane's lifecycle server as consul-k8s injects it ({@code -graceful-port=20600}). */
    public static final URI DEFAULT_LIFECYCLE_URL = URI.create("http://127.0.0.1:20600");

    private final EnvoyMeshAdmin envoy;
    private final LoopbackEndpoint lifecycle;
    private final MeshAnnotations pod;
    private volatile @Nullable SidecarFacts facts;

    /**
     * @param admin            Envoy admin client (its admin URL says where Envoy is)
     * @param lifecycleUrl     the dataplane's lifecycle server, asked only to identify the dataplane
     * @param connectTimeout   connect timeout of the lifecycle calls
     * @param allowNonLoopback whether {@code lifecycleUrl} may name another host than loopback
     * @param pod              what the Pod's annotations say (grace period, lifecycle on or off, native)
     * @throws IllegalArgumentException for a non-http, credential-carrying or (unless allowed) non-loopback URL
     */
    public ConsulSidecar(EnvoyAdminClient admin, URI lifecycleUrl, Duration connectTimeout, boolean allowNonLoopback,
            MeshAnnotations pod) {
        this.envoy = new EnvoyMeshAdmin(admin);
        this.lifecycle = new LoopbackEndpoint("consulLifecycleUrl", lifecycleUrl, connectTimeout, allowNonLoopback);
        this.pod = Objects.requireNonNull(pod, "pod");
    }

    /**
     * Whether Envoy behind the admin URL runs under consul-dataplane, within {@code timeout} in all;
     * never throws. All must hold: {@code /server_info}'s node is Consul's (its bootstrap writes
     * {@code node.metadata} with string {@code namespace} and {@code partition}, and only those and
     * {@code node_name}; no {@code ISTIO_VERSION}, no kuma-dp version); and the lifecycle server is
     * the dataplane's: a Go {@code ServeMux} with two paths, so {@code GET /graceful_startup} answers
     * 200 with no body and any other path 404 {@code 404 page not found}. An Istio or Kuma Envoy moved
     * to this port, a plain Envoy without the dataplane beside it, or any server that answers 200 to
     * everything is not Consul (docs/sidecar-states.md, "Detection").
     */
    @Override
    public boolean identify(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        EnvoyMeshAdmin.Node node = envoy.node(timeout);
        if (node == null || !isConsulNode(node)) {
            return false;
        }
        try {
            // Read-only: answers 200 at once, or once Envoy is ready (graceful_startup never changes anything).
            LoopbackHttp.Answer a = lifecycle.call("GET", "/graceful_startup", Duration.ofNanos(end - System.nanoTime()));
            if (a.status() != 200 || !a.body().isEmpty()) {
                return false;
            }
            // A path the dataplane does not serve: never /graceful_shutdown, which any method would start.
            LoopbackHttp.Answer unknown = lifecycle.call("GET", "/sidecar-shutdown-identify", Duration.ofNanos(end - System.nanoTime()));
            return unknown.status() == 404 && unknown.body().equals("404 page not found\n");
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private static final Set<String> CONSUL_NODE_KEYS = Set.of("namespace", "partition", "node_name");

    static boolean isConsulNode(EnvoyMeshAdmin.Node node) {
        return !node.info().isIstio() && node.map("version").get("kumaDp") == null
                && node.text("namespace") != null && node.text("partition") != null
                && node.metadata().keySet().stream().allMatch(CONSUL_NODE_KEYS::contains);
    }

    @Override
    public SidecarFacts facts(Duration timeout) {
        SidecarFacts known = facts;
        if (known != null) {
            return known;
        }
        EnvoyMeshAdmin.Node node = envoy.node(timeout);
        SidecarFacts f = build(pod, node == null ? Optional.empty() : Optional.of(node.envoyVersion()),
                node == null ? "Pod annotations" : "/server_info");
        if (node != null) {
            facts = f; // Envoy answered; the annotations do not change while the Pod lives
        }
        return f;
    }

    /** The facts the Pod's annotations alone give (no Envoy answer yet). */
    public static SidecarFacts factsFromPod(MeshAnnotations pod) {
        return build(pod, Optional.empty(), "Pod annotations");
    }

    private static SidecarFacts build(MeshAnnotations pod, Optional<String> envoyVersion, String from) {
        Optional<Duration> window = pod.consulWindow(MeshAnnotations.CONSUL_DEFAULT_GRACE_PERIOD);
        String note;
        if (pod.consulNative().orElse(false)) {
            note = "native dataplane per " + MeshAnnotations.CONSUL_NATIVE + ": no window";
        } else if (!pod.consulLifecycle().orElse(true)) {
            note = MeshAnnotations.CONSUL_LIFECYCLE + "=false: the dataplane quits Envoy at its SIGTERM";
        } else if (pod.consulGracePeriod().isPresent()) {
            note = "grace period per " + MeshAnnotations.CONSUL_GRACE_PERIOD;
        } else {
            note = "no " + MeshAnnotations.CONSUL_GRACE_PERIOD + "; assuming consul-k8s's default "
                    + MeshAnnotations.CONSUL_DEFAULT_GRACE_PERIOD.toSeconds() + " s";
        }
        SidecarFacts f = new SidecarFacts(SidecarMode.CONSUL, Optional.of("consul-dataplane" + envoyVersion.map(v -> " (" + v + ")").orElse("")),
                window, false, Optional.empty(), from + " + " + pod.source() + " (" + note + "; window from the app's SIGTERM)")
                .withTerminationUnseen();
        if (pod.consulNative().orElse(false)) {
            return f;
        }
        // With the proxy lifecycle off the grace period annotation is ignored: the fix turns the lifecycle on.
        return f.withKnob(pod.consulLifecycle().orElse(true) ? ConsulMesh.WINDOW : ConsulMesh.LIFECYCLE_OFF_WINDOW);
    }

    @Override
    public SidecarState probe(Duration timeout) {
        // 503 DRAINING comes only from POST /healthcheck/fail, which the dataplane never sends: Envoy
        // still forwards, and nothing about the Pod's end follows from it.
        return envoy.probe(timeout, r -> r.isLive() || r.state() == EnvoyState.DRAINING ? SidecarState.LIVE : SidecarState.UNKNOWN);
    }

    @Override
    public boolean isReady(Duration timeout) {
        return envoy.isReady(timeout);
    }

    /** The dataplane drains Envoy's inbound listeners itself at its SIGTERM ({@code -shutdown-drain-listeners}). */
    @Override
    public SidecarCallResult drainInbound(Duration timeout) {
        return SidecarCallResult.skipped("consul-dataplane drains inbound itself at its SIGTERM");
    }

    @Override
    public SidecarCallResult release(Duration timeout) {
        return envoy.quit(timeout);
    }

    /** {@code POST /quitquitquit}, never for a native dataplane (the kubelet stops it after the app). */
    @Override
    public ReleaseDecision releaseDecision(SidecarState state) {
        return pod.consulNative().orElse(false)
                ? ReleaseDecision.never("native sidecar (" + MeshAnnotations.CONSUL_NATIVE
                        + "): the kubelet stops consul-dataplane after the app exits")
                : ReleaseDecision.release(ConsulMesh.RELEASE_CALL);
    }

    /**
     * Consul's upstream clusters are named by the upstream's SNI, which ends in {@code .consul}
     * ({@code <service>.<namespace>.<datacenter>.internal.<trust domain>.consul}, with a
     * {@code <hash>~} or {@code passthrough~} prefix where Consul adds one), and transparent proxy's
     * way out of the mesh is {@code original-destination}; {@code local_app} (inbound) and the
     * dataplane's own clusters are neither.
     */
    static boolean isOutboundCluster(String name) {
        return name.endsWith(".consul") || name.equals("original-destination");
    }

    @Override
    public Optional<OutboundTraffic> outboundTraffic(Duration timeout) {
        return envoy.outboundTraffic(timeout, ConsulSidecar::isOutboundCluster);
    }

    @Override
    public String describe() {
        return "consul-dataplane: envoy admin " + envoy.client().adminUrl() + ", lifecycle " + lifecycle.url();
    }

    @Override
    public void close() {
        envoy.close();
        lifecycle.close();
    }
}
