import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stand-ins for the sidecars a developer or a CI runner may have on the meshes' default loopback
 * ports (a local Envoy, a Consul agent, another build's emulator). Run as a single-file program:
 * {@code java tools/MeshPortStandIns.java [generic|envoy|mesh]}. Used by {@code tools/verify-under-load}
 * to check that no test depends on those ports being free.
 *
 * <ul>
 *   <li>{@code generic}: every port answers every request {@code 200 ok};</li>
 *   <li>{@code envoy}: every port answers like a plain Envoy admin ({@code /server_info}, {@code /ready});</li>
 *   <li>{@code mesh}: each port answers like the mesh that owns it, with the answers the library's auto
 *       detection takes as proof (docs/sidecar-states.md, "Detection"): an Istio Envoy on 15000 with a
 *       ready pilot-agent on 15020/15021, a consul-dataplane's Envoy on 19000 with its lifecycle server on
 *       20600, kuma-dp's Envoy on 9901, linkerd-proxy on 4191, daprd on 3500.</li>
 * </ul>
 *
 * <p>Binds 127.0.0.1 only. Prints {@code MESH_PORT_STAND_INS_READY <style> <ports>} once every port is
 * bound, then a count of requests answered per port when stopped (SIGTERM).
 */
public final class MeshPortStandIns {

    static final int[] PORTS = {15000, 15020, 15021, 19000, 20600, 9901, 9902, 4191, 3500};

    public static void main(String[] args) throws IOException {
        String style = args.length > 0 ? args[0] : "mesh";
        if (!List.of("generic", "envoy", "mesh").contains(style)) {
            System.err.println("style: " + style + " (expected: generic, envoy or mesh)");
            System.exit(2);
        }
        List<HttpServer> servers = new ArrayList<>();
        Map<Integer, AtomicLong> answered = new java.util.TreeMap<>();
        for (int port : PORTS) {
            HttpServer server;
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
            } catch (IOException e) {
                System.err.println("MESH_PORT_STAND_INS cannot bind 127.0.0.1:" + port + ": " + e.getMessage());
                servers.forEach(s -> s.stop(0));
                System.exit(1);
                return;
            }
            AtomicLong count = new AtomicLong();
            answered.put(port, count);
            server.createContext("/", exchange -> {
                count.incrementAndGet();
                log(port, exchange);
                answer(style, port, exchange);
            });
            server.setExecutor(Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "stand-in-" + port);
                t.setDaemon(true);
                return t;
            }));
            server.start();
            servers.add(server);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            servers.forEach(s -> s.stop(0));
            System.out.println("MESH_PORT_STAND_INS_ANSWERED " + answered);
        }, "stand-ins-stop"));
        System.out.println("MESH_PORT_STAND_INS_READY " + style + " " + java.util.Arrays.toString(PORTS));
        System.out.flush();
    }

    /** With {@code MESH_PORT_STAND_INS_LOG} set, one line per request: epoch ms, port, method, path. */
    private static synchronized void log(int port, HttpExchange exchange) {
        String file = System.getenv("MESH_PORT_STAND_INS_LOG");
        if (file == null || file.isBlank()) {
            return;
        }
        String line = System.currentTimeMillis() + " " + port + " " + exchange.getRequestMethod() + " "
                + exchange.getRequestURI() + "\n";
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of(file), line, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("MESH_PORT_STAND_INS cannot log to " + file + ": " + e.getMessage());
        }
    }

    private static void answer(String style, int port, HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
            String path = exchange.getRequestURI().getPath();
            Reply reply = switch (style) {
                case "generic" -> new Reply(200, "text/plain", "ok\n");
                case "envoy" -> envoy(path, "{}");
                default -> mesh(port, path);
            };
            byte[] bytes = reply.body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", reply.contentType);
            exchange.sendResponseHeaders(reply.status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    private static Reply mesh(int port, String path) {
        return switch (port) {
            case 15000 -> envoy(path, "{\"ISTIO_VERSION\": \"1.26.2\"}");
            case 19000 -> envoy(path, "{\"namespace\": \"default\", \"partition\": \"default\"}");
            case 9901 -> envoy(path, "{\"version\": {\"kumaDp\": {\"version\": \"2.9.3\"}}}");
            case 4191 -> path.equals("/live") ? new Reply(200, "text/plain", "live\n")
                    : path.equals("/ready") ? new Reply(200, "text/plain", "ready\n")
                    : new Reply(404, "text/plain", "");
            case 3500 -> path.equals("/v1.0/metadata")
                    ? new Reply(200, "application/json", "{\"id\": \"stand-in\", \"runtimeVersion\": \"1.15.4\"}")
                    : path.startsWith("/v1.0/healthz") ? new Reply(204, "text/plain", "")
                    : new Reply(404, "text/plain", "");
            // pilot-agent (15020, 15021), consul-dataplane's lifecycle server (20600), kuma-dp's readiness (9902)
            default -> new Reply(200, "text/plain", "");
        };
    }

    private static Reply envoy(String path, String metadata) {
        return switch (path) {
            case "/server_info" -> new Reply(200, "application/json", """
                    {
                     "version": "fedcba987654/1.34.2/Clean/RELEASE/BoringSSL",
                     "state": "LIVE",
                     "hot_restart_version": "disabled",
                     "command_line_options": {"drain_time": "45s", "drain_strategy": "Immediate", "restart_epoch": 0},
                     "uptime_current_epoch": "3612s",
                     "node": {"id": "stand-in", "cluster": "stand-in", "metadata": %s}
                    }
                    """.formatted(metadata));
            case "/ready" -> new Reply(200, "text/plain", "LIVE\n");
            default -> new Reply(200, "text/plain", "OK\n");
        };
    }

    private record Reply(int status, String contentType, String body) {
    }
}
