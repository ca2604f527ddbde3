package io.github.sidecarshutdown;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback socket server for faults WireMock cannot make: {@link #hanging()} accepts every
 * connection and never reads from it; {@link #canned(String)} reads the request head and writes
 * exactly the given bytes (a truncated body, a lying Content-Length), then closes.
 */
final class RawHttpServer implements AutoCloseable {

    private final ServerSocket server;
    private final byte[] response; // null: hang
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    final List<String> requestLines = new CopyOnWriteArrayList<>();
    final AtomicInteger accepted = new AtomicInteger();

    private RawHttpServer(byte[] response) throws IOException {
        this.response = response;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::acceptLoop, "raw-http-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    static RawHttpServer hanging() throws IOException {
        return new RawHttpServer(null);
    }

    static RawHttpServer canned(String rawResponse) throws IOException {
        return new RawHttpServer(rawResponse.getBytes(StandardCharsets.ISO_8859_1));
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                held.add(s);
                if (response != null) {
                    serve(s);
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(5_000);
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            int c;
            while (matched < 4 && (c = in.read()) >= 0) {
                head.write(c);
                matched = (c == '\r' || c == '\n') ? (matched + 1) : 0;
            }
            String h = head.toString(StandardCharsets.ISO_8859_1);
            requestLines.add(h.contains("\r\n") ? h.substring(0, h.indexOf("\r\n")) : h);
            OutputStream out = s.getOutputStream();
            out.write(response);
            out.flush();
        } catch (IOException e) {
            // the client gave up: fine
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : held) {
            s.close();
        }
    }
}
