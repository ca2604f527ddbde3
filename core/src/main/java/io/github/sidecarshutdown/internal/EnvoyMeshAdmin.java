package io.github.sidecarshutdown.internal;

import io.github.sidecarshutdown.envoy.ClusterHostStats;
import io.github.sidecarshutdown.envoy.DrainFlag;
import io.github.sidecarshutdown.envoy.EnvoyAdminClient;
import io.github.sidecarshutdown.envoy.EnvoyAdminException;
import io.github.sidecarshutdown.envoy.EnvoyState;
import io.github.sidecarshutdown.envoy.ReadyResponse;
import io.github.sidecarshutdown.envoy.ServerInfo;
import io.github.sidecarshutdown.sidecar.OutboundTraffic;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The Envoy admin calls a mesh whose agent wraps Envoy (Consul's dataplane, Kuma's kuma-dp) is seen
 * through, with the states every such mesh shares (docs/sidecar-states.md): refused after an answer
 * is GONE, refused before any is ABSENT, a timeout or an unexpected answer is UNKNOWN, 503
 * {@code PRE_INITIALIZING}/{@code INITIALIZING} is STARTING; what a {@code LIVE} or {@code DRAINING}
 * answer means is the mesh's to say. Thread-safe. Not API.
 */
public final class EnvoyMeshAdmin {

    /**
     * What {@code /server_info} says, with the node its mesh's bootstrap wrote.
     *
     * @param info     the fields every Envoy reports
     * @param node     {@code node} ({@code id}, {@code cluster}, {@code metadata}); empty when absent
     * @param metadata {@code node.metadata}; empty when absent
     */
    public record Node(ServerInfo info, Map<?, ?> node, Map<?, ?> metadata) {

        /** {@code node.metadata.<key>} when it is a string, else null. */
        public @Nullable String text(String key) {
            return metadata.get(key) instanceof String s ? s : null;
        }

        /** The map under {@code node.metadata.<key>}, or an empty one. */
        public Map<?, ?> map(String key) {
            return metadata.get(key) instanceof Map<?, ?> m ? m : Map.of();
        }

        /** Envoy's version as {@code envoy 1.34.2}, from {@code version} ({@code hash/1.34.2/Clean/RELEASE/...}). */
        public String envoyVersion() {
            String[] parts = info.envoyVersion().split("/");
            return "envoy " + (parts.length > 1 ? parts[1] : info.envoyVersion());
        }
    }

    private final EnvoyAdminClient client;
    private volatile boolean answered;
    private volatile boolean seenLive;

    /**
     * An admin client for an Envoy that an agent wraps (no pilot-agent beside it: the agent URL is
     * never called, so it names the admin itself), with the context's timeouts and listener.
     */
    public static EnvoyAdminClient client(io.github.sidecarshutdown.sidecar.MeshContext context, java.net.URI adminUrl) {
        return EnvoyAdminClient.builder().adminUrl(adminUrl).agentUrl(adminUrl)
                .allowNonLoopback(context.settings().allowNonLoopback()).callTimeout(context.settings().adminTimeout())
                .connectTimeout(context.connectTimeout()).listener(context.adminCallListener()).build();
    }

    public EnvoyMeshAdmin(EnvoyAdminClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    public EnvoyAdminClient client() {
        return client;
    }

    /** Whether Envoy has answered {@code /ready} with 200 {@code LIVE} before. */
    public boolean seenLive() {
        return seenLive;
    }

    /**
     * {@code GET /ready} within {@code timeout}; never throws. {@code meaning} decides what a
     * configured Envoy's answer means (it runs before this answer counts as "seen live").
     */
    public SidecarState probe(Duration timeout, Function<ReadyResponse, SidecarState> meaning) {
        ReadyResponse r;
        try {
            r = client.withCallTimeout(timeout).ready();
        } catch (EnvoyAdminException e) {
            if (e.kind() == EnvoyAdminException.Kind.CONNECTION_REFUSED) {
                return answered ? SidecarState.GONE : SidecarState.ABSENT;
            }
            return SidecarState.UNKNOWN;
        } catch (RuntimeException e) {
            return SidecarState.UNKNOWN;
        }
        answered = true;
        if (r.state() == EnvoyState.PRE_INITIALIZING || r.state() == EnvoyState.INITIALIZING) {
            return SidecarState.STARTING;
        }
        SidecarState s = meaning.apply(r);
        if (r.isLive()) {
            seenLive = true;
        }
        return s;
    }

    /** Whether {@code GET /ready} answers 200 {@code LIVE} within {@code timeout}; never throws. */
    public boolean isReady(Duration timeout) {
        try {
            boolean live = client.withCallTimeout(timeout).ready().isLive();
            answered = true;
            if (live) {
                seenLive = true;
            }
            return live;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** {@code GET /server_info} with its node, or null when Envoy did not answer with one in time. Never throws. */
    public @Nullable Node node(Duration timeout) {
        String text;
        try {
            text = client.withCallTimeout(timeout).serverInfoText();
        } catch (RuntimeException e) {
            return null;
        }
        try {
            ServerInfo info = ServerInfo.parse(text);
            Object root = Json.parse(text);
            Map<?, ?> node = root instanceof Map<?, ?> m && m.get("node") instanceof Map<?, ?> n ? n : Map.of();
            Map<?, ?> metadata = node.get("metadata") instanceof Map<?, ?> md ? md : Map.of();
            answered = true;
            return new Node(info, node, metadata);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** {@code POST /drain_listeners?inboundonly&graceful&skip_exit}: inbound drains, outbound is untouched, listeners stay open. */
    public SidecarCallResult drainInbound(Duration timeout) {
        try {
            client.withCallTimeout(timeout).drainListeners(DrainFlag.INBOUND_ONLY, DrainFlag.GRACEFUL, DrainFlag.SKIP_EXIT);
            return SidecarCallResult.done("sent");
        } catch (RuntimeException e) {
            return SidecarCallResult.failed(LogSafe.of(String.valueOf(e.getMessage())));
        }
    }

    /** {@code POST /quitquitquit}: Envoy exits 0, and the agent that wraps it exits with it. */
    public SidecarCallResult quit(Duration timeout) {
        try {
            client.withCallTimeout(timeout).quitQuitQuit();
            return SidecarCallResult.done("the sidecar exits now");
        } catch (RuntimeException e) {
            return SidecarCallResult.failed(LogSafe.of(String.valueOf(e.getMessage())));
        }
    }

    /** {@link #outboundTraffic(EnvoyAdminClient, Duration, Predicate)} through this mesh's admin client. */
    public Optional<OutboundTraffic> outboundTraffic(Duration timeout, Predicate<String> outboundClusters) {
        return outboundTraffic(client, timeout, outboundClusters);
    }

    /**
     * The hosts of the clusters {@code outboundClusters} names as the app's outbound ones, from one
     * {@code GET /clusters} within {@code timeout}; empty when the answer is late, refused, not 200,
     * too large or unreadable. Never throws.
     */
    public static Optional<OutboundTraffic> outboundTraffic(EnvoyAdminClient client, Duration timeout,
            Predicate<String> outboundClusters) {
        try {
            List<OutboundTraffic.Upstream> hosts = new ArrayList<>();
            for (ClusterHostStats h : client.withCallTimeout(timeout).clusters(outboundClusters)) {
                hosts.add(new OutboundTraffic.Upstream(h.cluster(), h.address(), h.rqActive(), h.rqTotal(), h.cxActive(), h.cxTotal()));
            }
            return Optional.of(new OutboundTraffic(hosts));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    public void close() {
        client.close();
    }
}
