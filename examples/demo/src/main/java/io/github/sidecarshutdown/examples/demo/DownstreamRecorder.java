package io.github.sidecarshutdown.examples.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The downstream service the app's cleanup calls: a loopback HTTP server that records each call.
 * {@link #tripwire()} records any request instead and answers 404, to prove that nothing is called.
 */
final class DownstreamRecorder implements AutoCloseable {

    private final HttpServer server;
    private final List<Instant> calls = new CopyOnWriteArrayList<>();

    DownstreamRecorder() throws IOException {
        this("/cleanup", 200);
    }

    private DownstreamRecorder(String context, int status) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext(context, exchange -> {
            exchange.getRequestBody().readAllBytes();
            calls.add(Instant.now());
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    /** A listener where no call is expected: it records every request, whatever its path. */
    static DownstreamRecorder tripwire() throws IOException {
        return new DownstreamRecorder("/", 404);
    }

    /** A downstream that records the calls to another path (and below), answering 200. */
    static DownstreamRecorder at(String path) throws IOException {
        return new DownstreamRecorder(path, 200);
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
