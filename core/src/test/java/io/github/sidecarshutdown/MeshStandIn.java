package io.github.sidecarshutdown;

import io.github.sidecarshutdown.ScriptedLoopbackServer.Reply;
import io.github.sidecarshutdown.consul.ConsulMesh;
import io.github.sidecarshutdown.dapr.DaprMesh;
import io.github.sidecarshutdown.istio.IstioMesh;
import io.github.sidecarshutdown.kuma.KumaMesh;
import io.github.sidecarshutdown.linkerd.LinkerdMesh;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * One mesh's sidecar stood in by real loopback servers, on ports reserved when it is made (so the
 * coordinator can be pointed at them before anything listens), producing each state the way the
 * real sidecar does (docs/sidecar-states.md): {@link #listen} ready or still starting,
 * {@link #sigterm()} what the Pod's SIGTERM changes that the app can see, {@link #hang()} a
 * readiness answer that never comes, {@link #die()} the port the library asks first refusing.
 * Every request is recorded in the row's {@link RowJournal}. A mesh or transition the real sidecar
 * does not have throws {@link DecisionRows.NotUnderstood}: a row that needs it needs new test support.
 */
abstract class MeshStandIn implements AutoCloseable {

    /** {@code sidecar.istio.io/status} as the injector writes it, escaped for the downward-API file. */
    static final String ISTIO_CLASSIC_STATUS = "{\\\"containers\\\":[\\\"istio-proxy\\\"],\\\"initContainers\\\":[\\\"istio-init\\\"]}";
    static final String ISTIO_NATIVE_STATUS = "{\\\"containers\\\":[],\\\"initContainers\\\":[\\\"istio-init\\\",\\\"istio-proxy\\\"]}";

    final String name;
    final RowJournal journal;
    private final List<ScriptedLoopbackServer> servers = new CopyOnWriteArrayList<>();
    private boolean closed; // guarded by this
    /**
     * {@link System#nanoTime()} taken just before it first became ready (so nothing could see it
     * ready earlier); {@link Long#MAX_VALUE} until then.
     */
    volatile long readySince = Long.MAX_VALUE;

    MeshStandIn(String name, RowJournal journal) {
        this.name = name;
        this.journal = journal;
    }

    /** The stand-in for a row's mesh and kind. */
    static MeshStandIn of(String mesh, String kind, RowJournal journal) {
        String both = mesh + " " + kind;
        return switch (both) {
            case "istio classic" -> new Istio(both, journal, false);
            case "istio native" -> new Istio(both, journal, true);
            case "envoy plain" -> new PlainEnvoy(both, journal);
            case "consul classic" -> new Consul(both, journal, false);
            case "consul native" -> new Consul(both, journal, true);
            case "kuma classic" -> new Kuma(both, journal);
            case "linkerd classic" -> new Http(both, journal, SidecarMode.LINKERD);
            case "dapr classic" -> new Http(both, journal, SidecarMode.DAPR);
            case "ambient —" -> new Ambient(both, journal);
            default -> throw new DecisionRows.NotUnderstood("no stand-in for mesh '" + mesh + "' of kind '" + kind + "'");
        };
    }

    /** The sidecar-mode that names this mesh and kind outright. */
    abstract SidecarMode mode();

    /** The URL settings it answers on (every other one points at a closed port). */
    abstract Map<MeshSetting, URI> urls();

    /** The injector's own mark in the Pod's annotations. */
    Map<String, String> injectorMark() {
        throw new DecisionRows.NotUnderstood(name + " has no injector mark in the Pod's annotations");
    }

    /** Starts listening: ready, or still starting (Envoy without its configuration, a proxy not ready yet). */
    abstract void listen(boolean ready);

    /** A starting sidecar becomes ready. */
    abstract void becomeReady();

    /** What the Pod's SIGTERM changes that the app can see. */
    void sigterm() {
        throw new DecisionRows.NotUnderstood(name + ": its SIGTERM changes nothing the app can see, so it is never seen terminating");
    }

    /** Its readiness answer never comes (within any admin timeout). */
    abstract void hang();

    /** The port the library asks first refuses from now on (the sidecar exited). */
    abstract void die();

    /** {@code http://127.0.0.1:<port>}. */
    static URI loopback(int port) {
        return URI.create("http://127.0.0.1:" + port);
    }

    /**
     * A server on {@code port} that records every request in the journal under {@code server}. Once
     * the stand-in is closed (a row ended before its late sidecar started), it refuses at once.
     */
    final synchronized ScriptedLoopbackServer serve(String server, int port, Function<String, Reply> script) {
        try {
            ScriptedLoopbackServer s = new ScriptedLoopbackServer(port, r -> {
                journal.request(server, r);
                return script.apply(r);
            });
            if (closed) {
                s.die();
            }
            servers.add(s);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    final void readyNow() {
        if (readySince == Long.MAX_VALUE) {
            readySince = System.nanoTime();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        servers.forEach(ScriptedLoopbackServer::die);
    }

    /** Envoy's admin API: {@code /ready} in the state {@link #ready}, {@code /server_info}, the drain and the quit. */
    static final class EnvoyAdmin {
        volatile String ready = "LIVE";
        volatile boolean hangs;
        final String serverInfo;

        EnvoyAdmin(String serverInfo) {
            this.serverInfo = serverInfo;
        }

        Reply answer(String request) {
            if (request.startsWith("GET /ready")) {
                return hangs ? Reply.hang() : ready.equals("LIVE") ? Reply.of(200, "LIVE\n") : Reply.of(503, ready + "\n");
            }
            if (request.startsWith("GET /server_info")) {
                return Reply.json(200, serverInfo);
            }
            if (request.startsWith("POST /drain_listeners") || request.startsWith("POST /quitquitquit")) {
                return Reply.of(200, "OK\n");
            }
            return Reply.of(404, "invalid path. admin commands are:\n");
        }
    }

    /** An Envoy-based sidecar: Envoy's admin on its mesh's admin URL setting. */
    abstract static class EnvoyBased extends MeshStandIn {
        final int adminPort = TruthFixtures.freePort();
        final EnvoyAdmin envoy;
        volatile ScriptedLoopbackServer admin;
        /** Set at Envoy's first answer: before {@link #admin} is, which happens only once the bind returned. */
        volatile boolean envoyAnswered;

        EnvoyBased(String name, RowJournal journal, String serverInfo) {
            super(name, journal);
            this.envoy = new EnvoyAdmin(serverInfo);
        }

        @Override
        void listen(boolean ready) {
            if (ready) {
                readyNow();
            }
            envoy.ready = ready ? "LIVE" : "INITIALIZING";
            besides(ready);
            admin = serve("envoy", adminPort, r -> {
                envoyAnswered = true;
                return envoy.answer(r);
            });
        }

        /**
         * Starts what runs beside Envoy, before Envoy's admin listens: pilot-agent starts its status
         * server before it launches Envoy, consul-dataplane its lifecycle server before Envoy has bound
         * its admin port (docs/sidecar-protocol.md). Envoy first left an instant in which only Envoy
         * answered, which the library takes for a moved status port.
         */
        void besides(boolean ready) {
        }

        @Override
        void becomeReady() {
            readyNow();
            envoy.ready = "LIVE";
        }

        @Override
        void hang() {
            envoy.hangs = true;
        }

        @Override
        void die() {
            admin.die();
        }
    }

    /** Istio classic or native: Envoy's admin and pilot-agent's status port. */
    static final class Istio extends EnvoyBased {
        private final boolean nativeSidecar;
        final int agentPort = TruthFixtures.freePort();
        volatile int agentStatus = 200;
        volatile boolean agentHangs;
        volatile ScriptedLoopbackServer agent;

        Istio(String name, RowJournal journal, boolean nativeSidecar) {
            super(name, journal, MeshFakes.ISTIO_SERVER_INFO);
            this.nativeSidecar = nativeSidecar;
        }

        @Override
        SidecarMode mode() {
            return nativeSidecar ? SidecarMode.NATIVE : SidecarMode.ISTIO;
        }

        @Override
        Map<MeshSetting, URI> urls() {
            return Map.of(IstioMesh.ADMIN_URL, loopback(adminPort), IstioMesh.AGENT_URL, loopback(agentPort));
        }

        @Override
        Map<String, String> injectorMark() {
            return Map.of("sidecar.istio.io/status", nativeSidecar ? ISTIO_NATIVE_STATUS : ISTIO_CLASSIC_STATUS);
        }

        /**
         * pilot-agent's status server, not ready until Envoy runs. pilot-agent asks Envoy at each
         * readiness request, so it is ready from Envoy's first answer on; waiting for the bind to
         * return instead left an instant in which Envoy said LIVE and the agent 503 (a starting
         * sidecar where the row expects a live one).
         */
        @Override
        void besides(boolean ready) {
            agentStatus = ready ? 200 : 503;
            agent = serve("pilot-agent", agentPort, r -> !r.startsWith("GET /healthz/ready") ? Reply.of(404, "")
                    : agentHangs ? Reply.hang() : Reply.of(admin == null && !envoyAnswered ? 503 : agentStatus, ""));
        }

        @Override
        void becomeReady() {
            super.becomeReady();
            agentStatus = 200;
        }

        /** pilot-agent closes its status port at SIGTERM; Envoy keeps answering (docs/sidecar-states.md, §4.2). */
        @Override
        void sigterm() {
            agent.die();
        }

        /** A starved agent: its readiness answer does not come within the admin timeout. */
        @Override
        void hang() {
            agentHangs = true;
        }
    }

    /** Envoy without pilot-agent: nothing beside it, and nothing it shows at SIGTERM. */
    static final class PlainEnvoy extends EnvoyBased {
        PlainEnvoy(String name, RowJournal journal) {
            super(name, journal, MeshFakes.PLAIN_ENVOY_SERVER_INFO);
        }

        @Override
        SidecarMode mode() {
            return SidecarMode.ENVOY;
        }

        @Override
        Map<MeshSetting, URI> urls() {
            return Map.of(IstioMesh.ADMIN_URL, loopback(adminPort));
        }
    }

    /** consul-dataplane: Envoy's admin and the dataplane's lifecycle server; its SIGTERM is not visible. */
    static final class Consul extends EnvoyBased {
        private final boolean nativeSidecar;
        final int lifecyclePort = TruthFixtures.freePort();

        Consul(String name, RowJournal journal, boolean nativeSidecar) {
            super(name, journal, MeshFakes.CONSUL_SERVER_INFO);
            this.nativeSidecar = nativeSidecar;
        }

        @Override
        SidecarMode mode() {
            return SidecarMode.CONSUL;
        }

        @Override
        Map<MeshSetting, URI> urls() {
            return Map.of(ConsulMesh.ADMIN_URL, loopback(adminPort), ConsulMesh.LIFECYCLE_URL, loopback(lifecyclePort));
        }

        @Override
        Map<String, String> injectorMark() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("consul.hashicorp.com/connect-inject-status", "injected");
            if (nativeSidecar) {
                m.put("consul.hashicorp.com/enable-consul-dataplane-as-sidecar", "true");
            }
            return m;
        }

        /** The dataplane's lifecycle server (the library identifies Consul only once it and Envoy answer). */
        @Override
        void besides(boolean ready) {
            serve("consul-lifecycle", lifecyclePort, r -> r.startsWith("GET /graceful_startup") ? Reply.of(200, "")
                    : Reply.of(404, "404 page not found\n"));
        }
    }

    /** kuma-dp: Envoy's admin, whose {@code /ready} turns 503 {@code DRAINING} at kuma-dp's SIGTERM. */
    static final class Kuma extends EnvoyBased {
        Kuma(String name, RowJournal journal) {
            super(name, journal, MeshFakes.KUMA_SERVER_INFO);
        }

        @Override
        SidecarMode mode() {
            return SidecarMode.KUMA;
        }

        @Override
        Map<MeshSetting, URI> urls() {
            return Map.of(KumaMesh.ADMIN_URL, loopback(adminPort));
        }

        @Override
        Map<String, String> injectorMark() {
            return Map.of("kuma.io/sidecar-injected", "true");
        }

        /** kuma-dp fails Envoy's health check on its exit signal (docs/sidecar-states.md, Kuma). */
        @Override
        void sigterm() {
            envoy.ready = "DRAINING";
        }
    }

    /**
     * linkerd-proxy's admin ({@code /ready}, {@code /live}, {@code POST /shutdown}) or daprd's API
     * ({@code /v1.0/healthz/outbound}, {@code /v1.0/metadata}, {@code POST /v1.0/shutdown}): at
     * SIGTERM readiness turns not-ready and stays so.
     */
    static final class Http extends MeshStandIn {
        private final SidecarMode mode;
        final int port = TruthFixtures.freePort();
        volatile boolean ready;
        volatile boolean hangs;
        volatile ScriptedLoopbackServer api;

        Http(String name, RowJournal journal, SidecarMode mode) {
            super(name, journal);
            this.mode = mode;
        }

        @Override
        SidecarMode mode() {
            return mode;
        }

        @Override
        Map<MeshSetting, URI> urls() {
            return Map.of(mode.equals(SidecarMode.LINKERD) ? LinkerdMesh.ADMIN_URL : DaprMesh.URL, loopback(port));
        }

        private Reply linkerd(String r) {
            if (r.startsWith("GET /ready")) {
                return hangs ? Reply.hang() : ready ? Reply.of(200, "ready\n") : Reply.of(503, "not ready\n");
            }
            if (r.startsWith("GET /live")) {
                return Reply.of(200, "live\n");
            }
            return r.startsWith("POST /shutdown") ? Reply.of(200, "shutdown\n") : Reply.of(404, "");
        }

        private Reply dapr(String r) {
            if (r.startsWith("GET /v1.0/healthz")) {
                return hangs ? Reply.hang() : Reply.of(ready ? 204 : 500, "");
            }
            if (r.startsWith("GET /v1.0/metadata")) {
                return Reply.json(200, "{\"id\":\"orders\",\"runtimeVersion\":\"1.16.0\"}");
            }
            return r.startsWith("POST /v1.0/shutdown") ? Reply.of(204, "") : Reply.of(404, "");
        }

        @Override
        void listen(boolean startReady) {
            if (startReady) {
                readyNow();
            }
            ready = startReady;
            api = serve(mode.name(), port, mode.equals(SidecarMode.LINKERD) ? this::linkerd : this::dapr);
        }

        @Override
        void becomeReady() {
            readyNow();
            ready = true;
        }

        /** Not ready from now on: what it answers once it got its SIGTERM (docs/sidecar-states.md, §8, §9). */
        @Override
        void sigterm() {
            ready = false;
        }

        @Override
        void hang() {
            hangs = true;
        }

        @Override
        void die() {
            api.die();
        }
    }

    /** Istio ambient: no sidecar in the Pod; ztunnel on the node forwards, and nothing can be asked. */
    static final class Ambient extends MeshStandIn {
        Ambient(String name, RowJournal journal) {
            super(name, journal);
        }

        @Override
        SidecarMode mode() {
            return SidecarMode.AMBIENT;
        }

        @Override
        Map<MeshSetting, URI> urls() {
            return Map.of();
        }

        @Override
        Map<String, String> injectorMark() {
            return Map.of("ambient.istio.io/redirection", "enabled");
        }

        /** ztunnel is on the node: ready before the Pod, nothing to start. */
        @Override
        void listen(boolean ready) {
            if (!ready) {
                throw new DecisionRows.NotUnderstood(name + ": ztunnel is on the node; nothing in the Pod starts");
            }
            readyNow();
        }

        @Override
        void becomeReady() {
            readyNow();
        }

        @Override
        void hang() {
            throw new DecisionRows.NotUnderstood(name + ": nothing in the Pod to ask");
        }

        @Override
        void die() {
            throw new DecisionRows.NotUnderstood(name + ": nothing in the Pod to exit");
        }
    }
}
