package io.github.sidecarshutdown.flush;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * A downstream service on loopback (a collector, a metrics or log backend) that records every
 * request it receives and when; optionally slow, or hanging until closed. Reached by the code
 * under test only through the sidecar emulator's outbound proxy.
 */
public final class Downstream implements AutoCloseable {

    /** One request as received. */
    public record Received(String method, String path, byte[] body, long atNanos) {
        /** The body as text, gunzipped when it was sent compressed (Micrometer's registries do). */
        public String text() {
            if (body.length > 2 && body[0] == (byte) 0x1f && body[1] == (byte) 0x8b) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return new String(body, StandardCharsets.UTF_8);
        }

        /** Whether the body holds {@code s} as UTF-8 bytes (protobuf keeps strings as UTF-8). */
        public boolean contains(String s) {
            return new String(body, StandardCharsets.ISO_8859_1).contains(new String(s.getBytes(StandardCharsets.UTF_8),
                    StandardCharsets.ISO_8859_1));
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean hang;

    public Downstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "downstream");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), body, System.nanoTime()));
                if (hang) {
                    closed.await();
                    return;
                }
                if (!delay.isZero()) {
                    Thread.sleep(delay.toMillis());
                }
                exchange.sendResponseHeaders(exchange.getRequestURI().getPath().startsWith("/v1/") ? 200 : 204, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    /** Each answer waits this long (a busy backend). */
    public Downstream delay(Duration delay) {
        this.delay = delay;
        return this;
    }

    /** Requests are read and recorded, never answered until {@link #close()}. */
    public Downstream hang() {
        this.hang = true;
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
