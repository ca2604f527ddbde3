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
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A loopback HTTP server whose every answer is scripted per request, for sidecar behaviours that
 * WireMock cannot make or that need to change while a test runs: answer at once, answer after N ms,
 * accept and never answer ({@link Reply#hang()}), close without a word ({@link Reply#close()}), or
 * stop listening altogether ({@link #die()}: the port refuses from then on). Each connection is
 * served on its own daemon thread, so one hanging request never delays another. Records every
 * request as {@code METHOD /path?query}, in arrival order.
 *
 * <p>Extends what {@link RawHttpServer} does (hang, canned bytes) to per-request decisions.
 */
public final class ScriptedLoopbackServer implements AutoCloseable {

    /** What to do with one request. */
    public record Reply(int status, String body, String contentType, long delayMillis, boolean hangs, boolean closes) {

        public static Reply of(int status, String body) {
            return new Reply(status, body, "text/plain", 0, false, false);
        }

        public static Reply json(int status, String body) {
            return new Reply(status, body, "application/json", 0, false, false);
        }

        public static Reply hang() {
            return new Reply(0, "", "", 0, true, false);
        }

        public static Reply close() {
            return new Reply(0, "", "", 0, false, true);
        }

        public Reply after(long millis) {
            return new Reply(status, body, contentType, millis, hangs, closes);
        }
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile Function<String, Reply> script;
    /** {@code METHOD /path?query} of every request read, in arrival order. */
    public final List<String> requests = new CopyOnWriteArrayList<>();
    /** Epoch millis at which each entry of {@link #requests} arrived. */
    final List<Long> arrivals = new CopyOnWriteArrayList<>();
    final AtomicInteger accepted = new AtomicInteger();

    /** @param script from {@code METHOD /path?query} to what to answer; may be changed later with {@link #script} */
    public ScriptedLoopbackServer(Function<String, Reply> script) throws IOException {
        this(0, script);
    }

    /**
     * @param port   the loopback port to listen on (0: any free one); a sidecar that starts after the
     *               app binds the port the app was told about
     * @param script as above
     */
    public ScriptedLoopbackServer(int port, Function<String, Reply> script) throws IOException {
        this.script = script;
        TruthFixtures.release(port); // a port of TruthFixtures.freePort(), held until now
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        acceptor = new Thread(this::acceptLoop, "scripted-http-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Answers every request the same way. */
    public static ScriptedLoopbackServer always(Reply reply) throws IOException {
        return new ScriptedLoopbackServer(r -> reply);
    }

    public void script(Function<String, Reply> newScript) {
        this.script = newScript;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Requests whose line starts with {@code prefix}, e.g. {@code "POST "} or {@code "POST /quitquitquit"}. */
    public List<String> requestsStartingWith(String prefix) {
        return requests.stream().filter(r -> r.startsWith(prefix)).toList();
    }

    /** Stops listening and drops every open connection: the port refuses from now on. */
    public void die() {
        try {
            close();
        } catch (IOException e) {
            // already closed
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                open.add(s);
                Thread t = new Thread(() -> serve(s), "scripted-http-conn-" + server.getLocalPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            int c;
            while (matched < 4 && (c = in.read()) >= 0) {
                head.write(c);
                matched = (c == '\r' || c == '\n') ? (matched + 1) : 0;
            }
            String h = head.toString(StandardCharsets.ISO_8859_1);
            if (h.isEmpty()) {
                return;
            }
            String line = h.contains("\r\n") ? h.substring(0, h.indexOf("\r\n")) : h.strip();
            String[] parts = line.split(" ");
            String request = parts.length >= 2 ? parts[0] + " " + parts[1] : line;
            long contentLength = 0;
            for (String header : h.split("\r\n")) {
                if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    contentLength = Long.parseLong(header.substring(header.indexOf(':') + 1).strip());
                }
            }
            for (long i = 0; i < contentLength && in.read() >= 0; i++) {
                // discard the body
            }
            requests.add(request);
            arrivals.add(System.currentTimeMillis());
            Reply reply = script.apply(request);
            if (reply.hangs()) {
                s.setSoTimeout(0);
                // never answer; keep the socket open until the server is closed
                while (in.read() >= 0) {
                    // swallow anything the client sends
                }
                return;
            }
            if (reply.delayMillis() > 0) {
                Thread.sleep(reply.delayMillis());
            }
            if (reply.closes()) {
                return;
            }
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            String reason = reply.status() == 200 ? "OK" : reply.status() == 204 ? "No Content" : "Status";
            StringBuilder resp = new StringBuilder("HTTP/1.1 ").append(reply.status()).append(' ').append(reason).append("\r\n");
            if (reply.status() != 204) {
                resp.append("Content-Type: ").append(reply.contentType()).append("\r\n");
                resp.append("Content-Length: ").append(body.length).append("\r\n");
            }
            resp.append("Connection: close\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(resp.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (reply.status() != 204) {
                out.write(body);
            }
            out.flush();
        } catch (IOException e) {
            // the client gave up, or the server died: fine
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                s.close();
            } catch (IOException e) {
                // nothing to do
            }
            open.remove(s);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        // A close racing a blocked accept() may let one more connection in before the accept thread
        // sees it (seen: a request answered after die()); the port refuses only once that thread is out.
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket s : open) {
            s.close();
        }
    }
}
