package io.github.sidecarshutdown;

import io.github.sidecarshutdown.ScriptedLoopbackServer.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Loopback stand-ins for the Envoy admin APIs of Consul's dataplane and Kuma's kuma-dp, with the
 * node each mesh's bootstrap writes (docs/sidecar-protocol.md §10), and for consul-dataplane's
 * lifecycle server. {@link Envoy#ready} is what {@code GET /ready} reports and may change while a
 * test runs (kuma-dp's SIGTERM turns it to {@code DRAINING}).
 */
final class MeshFakes {

    /** consul-dataplane's bootstrap: node id and cluster from the service, metadata namespace, partition, node_name. */
    static final String CONSUL_SERVER_INFO = "{\"state\":\"LIVE\",\"version\":\"abc/1.34.2/Clean/RELEASE/BoringSSL\","
            + "\"command_line_options\":{\"drain_time\":\"30s\"},"
            + "\"node\":{\"id\":\"web-proxy\",\"cluster\":\"web\",\"metadata\":{\"node_name\":\"node-1-virtual\","
            + "\"namespace\":\"default\",\"partition\":\"default\"}}}";
    /** kuma-dp's bootstrap: metadata.version.kumaDp, and Envoy's --drain-time-s set from kuma-dp's drain time. */
    static final String KUMA_SERVER_INFO = "{\"state\":\"LIVE\",\"version\":\"abc/1.34.2/Clean/RELEASE/BoringSSL\","
            + "\"command_line_options\":{\"drain_time\":\"3s\"},"
            + "\"node\":{\"id\":\"default.web-1.shop\",\"cluster\":\"web\",\"metadata\":{\"dataplane.proxyType\":\"dataplane\","
            + "\"version\":{\"kumaDp\":{\"version\":\"2.12.1\",\"gitTag\":\"v2.12.1\"},\"envoy\":{\"version\":\"1.34.2\"}}}}}";
    static final String ISTIO_SERVER_INFO = SidecarFaultsTest.ISTIO_SERVER_INFO;
    /** A plain Envoy (Envoy's own default admin port is often 9901) with Consul-looking metadata keys. */
    static final String PLAIN_CONSUL_LOOKING_SERVER_INFO = "{\"state\":\"LIVE\",\"version\":\"abc/1.34.2/Clean/RELEASE/BoringSSL\","
            + "\"node\":{\"id\":\"edge\",\"cluster\":\"edge\",\"metadata\":{\"namespace\":\"default\",\"partition\":\"default\"}}}";
    static final String PLAIN_ENVOY_SERVER_INFO = SidecarFaultsTest.PLAIN_ENVOY_SERVER_INFO;

    private MeshFakes() {
    }

    /** An Envoy admin on loopback. */
    static final class Envoy implements AutoCloseable {
        final ScriptedLoopbackServer server;
        volatile String ready = "LIVE";
        volatile String serverInfo;

        Envoy(String serverInfo) throws IOException {
            this(0, serverInfo);
        }

        /** On {@code port} (0: a free one): a sidecar that starts after the app binds the port it was given. */
        Envoy(int port, String serverInfo) throws IOException {
            this(port, serverInfo, () -> { });
        }

        /**
         * As above; {@code onRequest} runs before each answer, from the first one on: what runs beside
         * Envoy learns it is up even before this constructor has returned.
         */
        Envoy(int port, String serverInfo, Runnable onRequest) throws IOException {
            this.serverInfo = serverInfo;
            this.server = new ScriptedLoopbackServer(port, r -> {
                onRequest.run();
                return answer(r);
            });
        }

        private Reply answer(String request) {
            if (request.startsWith("GET /ready")) {
                return ready.equals("LIVE") ? Reply.of(200, "LIVE\n") : Reply.of(503, ready + "\n");
            }
            if (request.startsWith("GET /server_info")) {
                return Reply.json(200, serverInfo);
            }
            if (request.startsWith("POST /drain_listeners") || request.startsWith("POST /quitquitquit")) {
                return Reply.of(200, "OK\n");
            }
            if (request.startsWith("GET /downstream")) {
                return Reply.of(200, "ok"); // an outbound call the app makes through the sidecar
            }
            return Reply.of(404, "invalid path. admin commands are:\n");
        }

        String url() {
            return server.url();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** consul-dataplane's lifecycle server: {@code /graceful_startup} answers 200, Go's mux 404 otherwise. */
    static ScriptedLoopbackServer lifecycle() throws IOException {
        return new ScriptedLoopbackServer(r -> r.startsWith("GET /graceful_startup") || r.startsWith("POST /graceful_shutdown")
                ? Reply.of(200, "") : Reply.of(404, "404 page not found\n"));
    }

    /** A downward-API annotations file ({@code key="value"} lines) in {@code dir}. */
    static Path annotations(Path dir, Map<String, String> annotations) {
        Path f = dir.resolve("annotations");
        try {
            Files.writeString(f, annotations.entrySet().stream().map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
                    .collect(Collectors.joining("\n")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    /** One outbound call through the fake Envoy, as a cleanup task would make it. */
    static void callThrough(Envoy envoy) throws IOException {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create(envoy.url() + "/downstream").toURL()
                .openConnection(java.net.Proxy.NO_PROXY);
        c.setConnectTimeout(2_000);
        c.setReadTimeout(2_000);
        try {
            c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }
}
