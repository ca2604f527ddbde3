package io.github.sidecarshutdown.kuma;

import io.github.sidecarshutdown.envoy.EnvoyAdminClient;
import io.github.sidecarshutdown.envoy.EnvoyState;
import io.github.sidecarshutdown.internal.EnvoyMeshAdmin;
import io.github.sidecarshutdown.pod.MeshAnnotations;
import io.github.sidecarshutdown.sidecar.OutboundTraffic;
import io.github.sidecarshutdown.sidecar.ReleaseDecision;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Kuma / Kong Mesh's sidecar: kuma-dp running Envoy, seen through Envoy's admin
 * ({@code 127.0.0.1:9901}), docs/sidecar-protocol.md §10.2.
 *
 * <p>On its SIGTERM kuma-dp fails Envoy's health checks, so {@code GET /ready} turns from 200
 * {@code LIVE} to 503 {@code DRAINING}: after a {@code LIVE} seen before, that is the evidence of
 * termination (TERMINATING). Envoy keeps forwarding for kuma-dp's drain time (every connection is
 * drain-closed after its response), then kuma-dp stops Envoy and exits. While kuma-dp waits out
 * that drain time, quitting Envoy would not end the Pod any sooner, so a terminating sidecar is not
 * released ({@link #releaseDecision}); a live one (the job workload) is released with
 * {@code POST /quitquitquit}, after which kuma-dp exits 0. Thread-safe.
 */
public final class KumaSidecar implements Sidecar, AutoCloseable {

    /** Envoy's admin address under kuma-dp (kuma-cp's {@code bootstrapServer.params.adminPort}, default 9901). */
    public static final URI DEFAULT_ADMIN_URL = URI.create("http://127.0.0.1:9901");

    private final EnvoyMeshAdmin envoy;
    private final MeshAnnotations pod;
    private volatile @Nullable SidecarFacts facts;

    /**
     * @param admin Envoy admin client (its admin URL says where Envoy is)
     * @param pod   what the Pod's annotations say ({@code kuma.io/sidecar-drain-time})
     */
    public KumaSidecar(EnvoyAdminClient admin, MeshAnnotations pod) {
        this.envoy = new EnvoyMeshAdmin(admin);
        this.pod = Objects.requireNonNull(pod, "pod");
    }

    /**
     * Whether Envoy behind the admin URL runs under kuma-dp, within {@code timeout}; never throws:
     * its {@code /server_info} node metadata carries {@code version.kumaDp.version}, which kuma-dp's
     * bootstrap writes and nothing else does. A plain or Istio Envoy on port 9901 is not Kuma.
     */
    @Override
    public boolean identify(Duration timeout) {
        EnvoyMeshAdmin.Node node = envoy.node(timeout);
        return node != null && kumaDpVersion(node) != null && !node.info().isIstio();
    }

    private static @Nullable String kumaDpVersion(EnvoyMeshAdmin.Node node) {
        return node.map("version").get("kumaDp") instanceof java.util.Map<?, ?> dp && dp.get("version") instanceof String v ? v : null;
    }

    @Override
    public SidecarFacts facts(Duration timeout) {
        SidecarFacts known = facts;
        if (known != null) {
            return known;
        }
        EnvoyMeshAdmin.Node node = envoy.node(timeout);
        SidecarFacts f = build(pod, node);
        if (node != null) {
            facts = f;
        }
        return f;
    }

    /** The facts the Pod's annotations alone give (no Envoy answer yet). */
    public static SidecarFacts factsFromPod(MeshAnnotations pod) {
        return build(pod, null);
    }

    private static SidecarFacts build(MeshAnnotations pod, EnvoyMeshAdmin.@Nullable Node node) {
        Optional<Duration> fromEnvoy = node == null ? Optional.empty() : node.info().drainTime();
        Optional<Duration> window = fromEnvoy.or(pod::kumaDrainTime).or(() -> Optional.of(MeshAnnotations.KUMA_DEFAULT_DRAIN_TIME));
        String note = fromEnvoy.isPresent() ? "drain time from Envoy's --drain-time-s, which kuma-dp sets to it"
                : pod.kumaDrainTime().isPresent() ? "drain time per " + MeshAnnotations.KUMA_DRAIN_TIME
                : "no " + MeshAnnotations.KUMA_DRAIN_TIME + "; assuming Kuma's default " + MeshAnnotations.KUMA_DEFAULT_DRAIN_TIME.toSeconds() + " s";
        String version = node == null ? "kuma-dp" : "kuma-dp " + Objects.requireNonNullElse(kumaDpVersion(node), "?") + " (" + node.envoyVersion() + ")";
        return new SidecarFacts(SidecarMode.KUMA, Optional.of(version), window, false, Optional.empty(),
                (node == null ? "" : "/server_info + ") + pod.source() + " (" + note + ")").withKnob(KumaMesh.WINDOW)
                // kuma-cp stops the sidecar of a Job whose app container ended (docs/meshes.md, Kuma).
                .withMeshEndingJobSidecar();
    }

    @Override
    public SidecarState probe(Duration timeout) {
        return envoy.probe(timeout, r -> {
            if (r.isLive()) {
                return SidecarState.LIVE;
            }
            if (r.state() == EnvoyState.DRAINING && envoy.seenLive()) {
                // kuma-dp fails Envoy's health checks on its SIGTERM, and only then.
                return SidecarState.TERMINATING;
            }
            // DRAINING never preceded by LIVE, or another answer: no evidence either way.
            return SidecarState.UNKNOWN;
        });
    }

    @Override
    public boolean isReady(Duration timeout) {
        return envoy.isReady(timeout);
    }

    /** {@code POST /drain_listeners?inboundonly&graceful&skip_exit}, made only while terminating. */
    @Override
    public SidecarCallResult drainInbound(Duration timeout) {
        return envoy.drainInbound(timeout);
    }

    @Override
    public Optional<String> drainCall() {
        return Optional.of(KumaMesh.DRAIN_CALL);
    }

    /**
     * {@code POST /quitquitquit} for a live or starting sidecar (the job workload), after which
     * kuma-dp exits 0; never once kuma-dp is terminating, because it then waits out its whole drain
     * time whatever Envoy does.
     */
    @Override
    public ReleaseDecision releaseDecision(SidecarState state) {
        if (state == SidecarState.TERMINATING) {
            return ReleaseDecision.never("kuma-dp got its SIGTERM and waits out its drain time whatever Envoy does, "
                    + "so quitting Envoy would not end the Pod sooner; lower " + MeshAnnotations.KUMA_DRAIN_TIME
                    + " to what the app needs instead");
        }
        return ReleaseDecision.release(KumaMesh.RELEASE_CALL);
    }

    @Override
    public SidecarCallResult release(Duration timeout) {
        return envoy.quit(timeout);
    }

    /**
     * Kuma names an outbound cluster after the service it reaches ({@code backend_kuma-demo_svc_3001},
     * {@code outbound:passthrough:ipv4}); everything else is its own: the inbound clusters
     * ({@code localhost:<port>}, {@code inbound:...}, {@code self_...} in the unified naming), the
     * dataplane's ({@code kuma:...} and {@code system_...}: admin, readiness, metrics, DNS), its
     * xDS stream ({@code ads_cluster}), its access log sink and tracing backends.
     */
    static boolean isOutboundCluster(String name) {
        return !(name.startsWith("kuma:") || name.startsWith("system_") || name.startsWith("inbound:")
                || name.startsWith("localhost:") || name.startsWith("self_") || name.startsWith("tracing:")
                || name.equals("ads_cluster") || name.equals("access_log_sink"));
    }

    @Override
    public Optional<OutboundTraffic> outboundTraffic(Duration timeout) {
        return envoy.outboundTraffic(timeout, KumaSidecar::isOutboundCluster);
    }

    @Override
    public String describe() {
        return "kuma-dp: envoy admin " + envoy.client().adminUrl();
    }

    @Override
    public void close() {
        envoy.close();
    }
}
