package io.github.sidecarshutdown.testkit.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the load generator against in-process loopback servers.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InboundLoadGeneratorTest {

    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeResources() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void fiftyClientsCountSuccessesAndFailuresOfAServerThatStopsMidRun() throws Exception {
        // given a server answering 200, then 503, then stopped
        AtomicBoolean draining = new AtomicBoolean();
        AtomicLong served200 = new AtomicLong();
        AtomicLong served503 = new AtomicLong();
        ExecutorService executor = Executors.newFixedThreadPool(16);
        resources.add(executor::shutdownNow);
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                boolean drain = draining.get();
                (drain ? served503 : served200).incrementAndGet();
                exchange.sendResponseHeaders(drain ? 503 : 200, -1);
            }
        });
        server.start();
        InboundLoadGenerator load = generator(InboundLoad.builder()
                .url("http://127.0.0.1:" + server.getAddress().getPort() + "/")
                .clients(50)
                .pause(Duration.ofMillis(5))
                .build());

        // when
        load.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> served200.get() >= 200);
        draining.set(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> served503.get() >= 100);
        server.stop(1);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                load.result(0).count(InboundOutcome.CONNECTION_REFUSED) >= 100);
        load.stop();

        // then
        InboundLoadResult result = load.result(load.startNanos());
        assertThat(result.count(InboundOutcome.OK)).isEqualTo(served200.get());
        assertThat(result.count(InboundOutcome.HTTP_ERROR)).isPositive()
                .isLessThanOrEqualTo(served503.get());
        assertThat(result.statusCounts().keySet()).containsExactly(200, 503);
        assertThat(result.count(InboundOutcome.CONNECTION_REFUSED)).isGreaterThanOrEqualTo(100);
        assertThat(result.counts().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(result.total());
        assertThat(result.requests()).extracting(InboundRequest::client).contains(0, 49);
        // the generator reports its configured clients, and every request falls in the load's own window
        assertThat(result.clients()).isEqualTo(50);
        Duration end = result.requests().get(result.requests().size() - 1).sentAt().plusNanos(1);
        assertThat(result.window(Duration.ZERO, end).sent()).isEqualTo(result.total());
        assertThat(result.window(Duration.ZERO, end).clientsSending()).isEqualTo(50);
        Duration lastOkSent = result.requests().stream()
                .filter(r -> r.outcome() == InboundOutcome.OK)
                .map(InboundRequest::sentAt).max(Duration::compareTo).orElseThrow();
        assertThat(result.requests())
                .filteredOn(r -> r.outcome() == InboundOutcome.CONNECTION_REFUSED)
                .allSatisfy(r -> assertThat(r.sentAt()).isGreaterThan(lastOkSent));
    }

    @Test
    void refusedResetAndTimeoutAreToldApart() throws Exception {
        // given a closed port, a server that resets every connection and one that never answers
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        int resetPort = rawServer(socket -> {
            readRequestHead(socket.getInputStream());
            socket.setSoLinger(true, 0);
            socket.close();
        });
        int silentPort = rawServer(socket -> readRequestHead(socket.getInputStream()));

        // when / then
        assertThat(runThree(closedPort).counts()).containsEntry(InboundOutcome.CONNECTION_REFUSED, 3L);
        assertThat(runThree(resetPort).counts()).containsEntry(InboundOutcome.CONNECTION_RESET, 3L);
        InboundLoadResult silent = runThree(silentPort);
        assertThat(silent.counts()).containsEntry(InboundOutcome.TIMEOUT, 3L);
        // the request's own 300 ms timeout ended it, not an early failure (the JDK client's timer may fire a
        // fraction of a millisecond before this clock says 300 ms: seen 299.98 ms)
        assertThat(silent.requests()).allSatisfy(r -> assertThat(r.latency())
                .isGreaterThanOrEqualTo(Duration.ofMillis(290)));
    }

    @Test
    void loadIsBoundedInCountAndTime() throws Exception {
        // given a server that always answers
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(204, -1);
            }
        });
        server.start();
        resources.add(() -> server.stop(0));
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";

        // when bounded by count
        InboundLoadGenerator counted = generator(InboundLoad.builder()
                .url(url).clients(10).pause(Duration.ZERO).maxRequests(25).build());
        counted.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> counted.result(0).total() == 25);
        await().pollDelay(Duration.ofMillis(200)).until(() -> true);
        counted.stop();

        // then
        assertThat(counted.result(0).total()).isEqualTo(25);
        assertThat(counted.result(0).count(InboundOutcome.OK)).isEqualTo(25);

        // when bounded by time
        InboundLoadGenerator timed = generator(InboundLoad.builder()
                .url(url).clients(2).pause(Duration.ofMillis(10))
                .maxDuration(Duration.ofMillis(300)).build());
        timed.start();
        await().pollDelay(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> true);
        long totalAfterDeadline = timed.result(0).total();
        await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> true);
        timed.stop();

        // then
        InboundLoadResult result = timed.result(timed.startNanos());
        assertThat(result.total()).isPositive().isEqualTo(totalAfterDeadline);
        assertThat(result.requests()).allSatisfy(r ->
                assertThat(r.sentAt()).isLessThan(Duration.ofMillis(350)));
    }

    @Test
    void failuresAreClassifiedFromTheCauseChain() {
        assertThat(InboundLoadGenerator.classify(new ConnectException("Connection refused")))
                .isEqualTo(InboundOutcome.CONNECTION_REFUSED);
        assertThat(InboundLoadGenerator.classify(new IOException("wrapped",
                new ConnectException("Connection refused"))))
                .isEqualTo(InboundOutcome.CONNECTION_REFUSED);
        assertThat(InboundLoadGenerator.classify(new HttpConnectTimeoutException("connect timed out")))
                .isEqualTo(InboundOutcome.TIMEOUT);
        assertThat(InboundLoadGenerator.classify(new HttpTimeoutException("request timed out")))
                .isEqualTo(InboundOutcome.TIMEOUT);
        assertThat(InboundLoadGenerator.classify(new IOException("Connection reset")))
                .isEqualTo(InboundOutcome.CONNECTION_RESET);
        assertThat(InboundLoadGenerator.classify(
                new IOException("HTTP/1.1 header parser received no bytes")))
                .isEqualTo(InboundOutcome.CONNECTION_RESET);
        assertThat(InboundLoadGenerator.classify(new IOException(new EOFException())))
                .isEqualTo(InboundOutcome.CONNECTION_RESET);
        assertThat(InboundLoadGenerator.classify(new IllegalStateException("odd")))
                .isEqualTo(InboundOutcome.OTHER_ERROR);
    }

    private InboundLoadResult runThree(int port) throws InterruptedException {
        InboundLoadGenerator load = generator(InboundLoad.builder()
                .url("http://127.0.0.1:" + port + "/")
                .clients(1)
                .pause(Duration.ZERO)
                .requestTimeout(Duration.ofMillis(300))
                .maxRequests(3)
                .build());
        load.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> load.result(0).total() == 3);
        load.stop();
        return load.result(load.startNanos());
    }

    private InboundLoadGenerator generator(InboundLoad config) {
        InboundLoadGenerator load = new InboundLoadGenerator(config, System::nanoTime, "test-load");
        resources.add(load::abort);
        return load;
    }

    private interface SocketHandler {
        void handle(Socket socket) throws IOException;
    }

    /** A loopback server calling the handler for each connection; sockets stay open otherwise. */
    private int rawServer(SocketHandler handler) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        resources.add(() -> {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        });
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    accepted.add(socket);
                    handler.handle(socket);
                } catch (IOException e) {
                    // Closed at the end of the test, or the client went away.
                }
            }
        }, "test-raw-server");
        acceptor.setDaemon(true);
        acceptor.start();
        return server.getLocalPort();
    }

    private static void readRequestHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while (matched < end.length && (b = in.read()) >= 0) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }
}
