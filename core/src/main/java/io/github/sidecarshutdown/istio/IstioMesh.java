package io.github.sidecarshutdown.istio;

import io.github.sidecarshutdown.envoy.EnvoyAdminClient;
import io.github.sidecarshutdown.pod.PodAnnotations;
import io.github.sidecarshutdown.sidecar.Mesh;
import io.github.sidecarshutdown.sidecar.MeshContext;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.WindowKnob;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Istio: the classic sidecar (pilot-agent and Envoy), the native sidecar, a plain Envoy without
 * pilot-agent, and ambient mode (no sidecar, ztunnel on the node). docs/sidecar-protocol.md §4-§7;
 * states and decisions in docs/sidecar-states.md.
 */
public final class IstioMesh implements Mesh {

    /** The descriptor. */
    public static final IstioMesh INSTANCE = new IstioMesh();

    /** Envoy's admin API. */
    public static final MeshSetting ADMIN_URL = MeshSetting.url("admin-url", "adminUrl", "http://127.0.0.1:15000",
            "Envoy admin base URL; loopback only unless allow-non-loopback is set.",
            "Envoy admin port listens on http://127.0.0.1:15000");
    /** pilot-agent's status server. */
    public static final MeshSetting AGENT_URL = MeshSetting.url("agent-url", "agentUrl", "http://127.0.0.1:15020",
            "pilot-agent status server base URL; loopback only unless allow-non-loopback is set.",
            "pilot-agent listens on http://127.0.0.1:15020");
    /** The window assumed when neither Envoy nor the Pod's annotations say it. */
    public static final MeshSetting TERMINATION_DRAIN_DURATION = MeshSetting.duration("termination-drain-duration",
            "terminationDrainDuration", "5s",
            "Outbound window assumed when Envoy's /server_info and the Pod's annotations do not carry terminationDrainDuration.");

    /** What sets a classic sidecar's window: the Pod's proxy config. */
    public static final WindowKnob WINDOW = WindowKnob.of("terminationDrainDuration", PodFacts.PROXY_CONFIG,
            "{\"terminationDrainDuration\": \"%ds\"}");
    /** Envoy's inbound-only drain, with its listeners kept open past the drain time. */
    static final String DRAIN_CALL = "POST /drain_listeners?inboundonly&graceful&skip_exit";
    /** Envoy's own quit: pilot-agent's port is already closed once the Pod's SIGTERM reached it. */
    static final String RELEASE_CALL = "POST /quitquitquit";

    private IstioMesh() {
    }

    @Override
    public String name() {
        return "istio";
    }

    @Override
    public List<SidecarMode> modes() {
        return List.of(SidecarMode.ISTIO, SidecarMode.NATIVE, SidecarMode.ENVOY, SidecarMode.AMBIENT);
    }

    @Override
    public List<MeshSetting> settings() {
        return List.of(ADMIN_URL, AGENT_URL, TERMINATION_DRAIN_DURATION);
    }

    @Override
    public List<String> annotations() {
        return List.of(PodFacts.SIDECAR_STATUS, PodFacts.PROXY_CONFIG, PodFacts.NATIVE_SIDECAR, PodFacts.INJECT,
                PodFacts.AMBIENT_REDIRECTION);
    }

    /**
     * The injector's own mark: {@code sidecar.istio.io/status} lists {@code istio-proxy} under
     * {@code initContainers} (native) or {@code containers} (classic); istio-cni's
     * {@code ambient.istio.io/redirection: enabled} without it is ambient. A proxy config or an
     * inject label written by a user is not the injector's mark.
     */
    @Override
    public Optional<SidecarMode> injected(PodAnnotations pod) {
        PodFacts f = PodFacts.fromAnnotations(pod.values(), pod.source());
        if (pod.get(PodFacts.SIDECAR_STATUS) != null && f.nativeSidecar().isPresent()) {
            return Optional.of(f.isNative() ? SidecarMode.NATIVE : SidecarMode.ISTIO);
        }
        if (f.ambient() && pod.get(PodFacts.SIDECAR_STATUS) == null) {
            return Optional.of(SidecarMode.AMBIENT);
        }
        return Optional.empty();
    }

    @Override
    public SidecarFacts facts(MeshContext context, SidecarMode mode) {
        return PodFacts.of(context.pod()).toSidecarFacts(mode, context.settings().duration(TERMINATION_DRAIN_DURATION));
    }

    @Override
    public Sidecar create(MeshContext context, SidecarMode mode) {
        if (mode.equals(SidecarMode.AMBIENT)) {
            // Found by detection, ambient still yields to an Envoy that proves itself on the admin port.
            return context.configuredMode().equals(SidecarMode.AUTO) ? new AmbientUnlessEnvoy(envoy(context, SidecarMode.AUTO))
                    : AmbientSidecar.INSTANCE;
        }
        return envoy(context, mode);
    }

    private static EnvoySidecar envoy(MeshContext context, SidecarMode mode) {
        EnvoyAdminClient client = EnvoyAdminClient.builder().adminUrl(context.url(ADMIN_URL)).agentUrl(context.url(AGENT_URL))
                .allowNonLoopback(context.settings().allowNonLoopback()).callTimeout(context.settings().adminTimeout())
                .connectTimeout(context.connectTimeout()).listener(context.adminCallListener()).build();
        Duration window = context.settings().duration(TERMINATION_DRAIN_DURATION);
        return new EnvoySidecar(client, mode, window, PodFacts.of(context.pod()));
    }

    /** The ambient adapter, for {@code sidecar-mode=ambient}. */
    public static Sidecar ambient() {
        return AmbientSidecar.INSTANCE;
    }
}
