package io.github.sidecarshutdown.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The startup transport (the JDK's sockets) reads what sidecars answer as OkHttp does: bodies
 * delimited by Content-Length, chunked encoding or the end of the stream, interim 100 answers
 * skipped, the body cap exact; malformed or truncated answers are I/O failures; refused is
 * {@link ConnectException}, the deadline is {@link SocketTimeoutException} within its bound, an
 * interrupt ends the call. The request is one plain HTTP/1.1 request, as OkHttp sends it.
 */
@Timeout(30)
class SocketHttpTest {

    private static final Duration CONNECT = Duration.ofMillis(250);
    private final List<Raw> servers = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws IOException {
        for (Raw r : servers) {
            r.close();
        }
    }

    private Raw serve(String... pieces) throws IOException {
        Raw r = new Raw(pieces);
        servers.add(r);
        return r;
    }

    private static LoopbackHttp.Answer get(Raw r, String path, long max) throws IOException {
        return SocketHttp.call("GET", URI.create(r.url() + path), CONNECT, Duration.ofSeconds(2), max);
    }

    @Test
    void contentLengthBodyAndTheRequestItSends() throws IOException {
        Raw r = serve("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nLIVE\nEXTRA-NOT-READ");

        LoopbackHttp.Answer a = SocketHttp.call("GET", URI.create(r.url() + "/ready?x=a%20b&flag"), CONNECT, Duration.ofSeconds(2), 1024);

        assertThat(a).isEqualTo(new LoopbackHttp.Answer(200, "LIVE\n"));
        assertThat(r.requests.get(0)).startsWith("GET /ready?x=a%20b&flag HTTP/1.1\r\n")
                .contains("\r\nHost: 127.0.0.1:" + r.port() + "\r\n").doesNotContain("Content-Length");
    }

    @Test
    void aPostHasAnEmptyBodyOfLengthZero() throws IOException {
        Raw r = serve("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nOK\n");

        assertThat(SocketHttp.call("POST", URI.create(r.url() + "/quitquitquit"), CONNECT, Duration.ofSeconds(2), 1024))
                .isEqualTo(new LoopbackHttp.Answer(200, "OK\n"));
        assertThat(r.requests.get(0)).startsWith("POST /quitquitquit HTTP/1.1\r\n").contains("\r\nContent-Length: 0\r\n")
                .endsWith("\r\n\r\n");
    }

    @Test
    void chunkedBodyWithExtensionsAndTrailersArrivingInPieces() throws IOException {
        Raw r = serve("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nPRE_\r\n",
                "e\r\nINITIALIZING\r\n\r\n0\r\nX-Trailer: t\r\n\r\n");

        assertThat(get(r, "/ready", 1024)).isEqualTo(new LoopbackHttp.Answer(503, "PRE_INITIALIZING\r\n"));
    }

    @Test
    void aBodyWithoutLengthEndsWithTheStream() throws IOException {
        Raw r = serve("HTTP/1.0 200 OK\r\n\r\n{\"state\":", "\"LIVE\"}");

        assertThat(get(r, "/server_info", 1024)).isEqualTo(new LoopbackHttp.Answer(200, "{\"state\":\"LIVE\"}"));
    }

    @Test
    void anInterim100IsSkippedAnd204HasNoBody() throws IOException {
        Raw r = serve("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");

        assertThat(get(r, "/x", 1024)).isEqualTo(new LoopbackHttp.Answer(204, ""));
    }

    @Test
    void theBodyCapIsExactForEveryFraming() throws IOException {
        String eight = "12345678";
        assertThat(get(serve("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n" + eight), "/", 8).body()).isEqualTo(eight);
        assertThatThrownBy(() -> get(serve("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n" + eight + "9"), "/", 8))
                .isInstanceOf(LoopbackHttp.BodyTooLargeException.class)
                .satisfies(e -> assertThat(((LoopbackHttp.BodyTooLargeException) e).status()).isEqualTo(200));
        assertThatThrownBy(() -> get(serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n4\r\n6789\r\n0\r\n\r\n"),
                "/", 8)).isInstanceOf(LoopbackHttp.BodyTooLargeException.class);
        assertThatThrownBy(() -> get(serve("HTTP/1.1 200 OK\r\n\r\n" + eight + "9"), "/", 8))
                .isInstanceOf(LoopbackHttp.BodyTooLargeException.class);
    }

    @Test
    void malformedOrTruncatedAnswersAreIoFailures() {
        assertThatThrownBy(() -> get(serve("SSH-2.0-OpenSSH_9.6\r\n"), "/", 1024)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> get(serve("HTTP/1.1 2x0 OK\r\n\r\n"), "/", 1024)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> get(serve("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nLIVE"), "/", 1024))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("unexpected end of stream");
        assertThatThrownBy(() -> get(serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), "/", 1024))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> get(serve(""), "/", 1024)).as("closed before any answer").isInstanceOf(IOException.class);
        assertThatThrownBy(() -> get(serve("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"), "/", 1024))
                .isInstanceOf(ProtocolException.class);
    }

    @Test
    void refusedIsConnectExceptionAndClassifiedRefused() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        IOException e = catchIo(() -> SocketHttp.call("GET", URI.create("http://127.0.0.1:" + port + "/ready"), CONNECT,
                Duration.ofSeconds(2), 1024));
        assertThat(e).isInstanceOf(ConnectException.class);
        assertThat(LoopbackHttp.classify(e)).isEqualTo(LoopbackHttp.Failure.REFUSED);
    }

    @Test
    void aServerThatNeverAnswersTimesOutAtTheDeadlineNotLater() throws IOException {
        Raw r = serve((String) null); // accepts, reads the request, never answers
        long start = System.nanoTime();
        IOException e = catchIo(() -> SocketHttp.call("GET", URI.create(r.url() + "/ready"), CONNECT, Duration.ofMillis(300), 1024));
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(e).isInstanceOf(SocketTimeoutException.class);
        assertThat(LoopbackHttp.classify(e)).isEqualTo(LoopbackHttp.Failure.TIMEOUT);
        assertThat(tookMs).as("waited at least the budget, and not much more").isBetween(290L, 3_000L);
    }

    @Test
    void aSlowTrickleCannotOutlastTheWholeCallBudget() throws IOException {
        // Every piece arrives well within one read timeout, but the whole answer takes longer than the budget.
        Raw r = serve("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n", "~200", "a", "~200", "b", "~200", "c", "~200", "d");
        long start = System.nanoTime();
        IOException e = catchIo(() -> SocketHttp.call("GET", URI.create(r.url() + "/"), CONNECT, Duration.ofMillis(450), 1024));
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(e).isInstanceOf(SocketTimeoutException.class);
        assertThat(tookMs).isBetween(440L, 3_000L);
    }

    @Test
    void anInterruptedCallerMakesNoCall() throws IOException {
        Raw r = serve("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> get(r, "/ready", 1024)).isInstanceOf(InterruptedIOException.class);
        } finally {
            assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
        }
        assertThat(r.accepted.get()).isZero();
    }

    @Test
    void ipv6LoopbackLiteral() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            try {
                s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            } catch (IOException noIpv6) {
                return; // no IPv6 loopback on this machine: nothing to check
            }
            Thread t = new Thread(() -> {
                try (Socket c = s.accept()) {
                    readHead(c.getInputStream());
                    c.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6".getBytes(StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    // the test fails on its own
                }
            }, "socket-http-test-v6");
            t.setDaemon(true);
            t.start();
            assertThat(SocketHttp.call("GET", URI.create("http://[::1]:" + s.getLocalPort() + "/"), CONNECT, Duration.ofSeconds(2), 64))
                    .isEqualTo(new LoopbackHttp.Answer(200, "v6"));
        }
    }

    private interface IoCall {
        void run() throws IOException;
    }

    private static IOException catchIo(IoCall call) {
        try {
            call.run();
        } catch (IOException e) {
            return e;
        }
        throw new AssertionError("expected an IOException");
    }

    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            head.write(c);
            String h = head.toString(StandardCharsets.ISO_8859_1);
            if (h.endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * A loopback server for one or more connections: reads the request head, then writes the pieces in
     * order ("~N" sleeps N ms), then closes; a single null piece never answers.
     */
    private static final class Raw implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        private final String[] pieces;
        final List<String> requests = new CopyOnWriteArrayList<>();
        final AtomicInteger accepted = new AtomicInteger();
        private final List<Socket> open = new CopyOnWriteArrayList<>();

        Raw(String... pieces) throws IOException {
            this.pieces = pieces;
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread t = new Thread(this::loop, "socket-http-test-" + server.getLocalPort());
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        String url() {
            return "http://127.0.0.1:" + port();
        }

        private void loop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    open.add(s);
                    requests.add(readHead(s.getInputStream()));
                    if (pieces.length == 1 && pieces[0] == null) {
                        continue; // never answers
                    }
                    OutputStream out = s.getOutputStream();
                    for (String p : pieces) {
                        if (p.startsWith("~")) {
                            Thread.sleep(Long.parseLong(p.substring(1)));
                        } else {
                            out.write(p.getBytes(StandardCharsets.ISO_8859_1));
                            out.flush();
                        }
                    }
                    s.close();
                } catch (IOException e) {
                    if (server.isClosed()) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
