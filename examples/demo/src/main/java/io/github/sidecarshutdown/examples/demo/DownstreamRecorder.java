package io.github.sidecarshutdown.examples.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The downstream service the app's cleanup calls: a loopback HTTP server that records each call. */
final class DownstreamRecorder implements AutoCloseable {

    private final HttpServer server;
    private final List<Instant> calls = new CopyOnWriteArrayList<>();

    DownstreamRecorder() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/cleanup", exchange -> {
            exchange.getRequestBody().readAllBytes();
            calls.add(Instant.now());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Instant> calls() {
        return List.copyOf(calls);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
