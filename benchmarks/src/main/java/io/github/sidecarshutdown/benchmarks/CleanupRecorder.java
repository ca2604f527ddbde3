package io.github.sidecarshutdown.benchmarks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The downstream service every Pod's cleanup calls: one loopback HTTP server for the whole rollout, each
 * Pod given its own base URL ({@code /<pod>}) so that the calls that arrive are counted per Pod.
 */
final class CleanupRecorder implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    CleanupRecorder() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            int slash = path.indexOf('/', 1);
            if (slash > 1 && path.startsWith("/cleanup", slash)) {
                calls.computeIfAbsent(path.substring(1, slash), k -> new AtomicInteger()).incrementAndGet();
                exchange.sendResponseHeaders(200, -1);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        server.start();
    }

    /** The base URL the Pod's app calls ({@code DOWNSTREAM_URL}); its cleanup posts to {@code <base>/cleanup}. */
    String baseUrl(String pod) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + pod;
    }

    /** The cleanup calls that reached this service from the Pod so far. */
    int calls(String pod) {
        AtomicInteger n = calls.get(pod);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
