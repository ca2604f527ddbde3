package io.github.sidecarshutdown.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.InFlightTracker;
import io.github.sidecarshutdown.ReadinessGate;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.TaskContext;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdkHttpServerSupportTest {

    private HttpServer server;
    private ExecutorService executor;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newCachedThreadPool();
        server.setExecutor(executor);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
        executor.shutdownNow();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void filterCountsARequestWhileItsHandlerRuns() throws Exception {
        // given
        InFlightTracker tracker = new InFlightTracker();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpContext ctx = server.createContext("/work", exchange -> {
            entered.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "done".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        ctx.getFilters().add(JdkHttpServerSupport.inFlightFilter(tracker));

        // when
        CompletableFuture<HttpResponse<String>> response = http.sendAsync(
                HttpRequest.newBuilder(uri("/work")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        long activeWhileBlocked = tracker.active();
        release.countDown();

        // then
        assertThat(activeWhileBlocked).isEqualTo(1);
        assertThat(response.get(10, TimeUnit.SECONDS).body()).isEqualTo("done");
        await().atMost(Duration.ofSeconds(5)).until(() -> tracker.active() == 0);
        assertThat(tracker.arrivals()).isEqualTo(1);
    }

    @Test
    void filterReleasesTheCountWhenTheHandlerThrows() {
        // given
        InFlightTracker tracker = new InFlightTracker();
        server.createContext("/fail", exchange -> {
            throw new IllegalStateException("handler bug");
        }).getFilters().add(JdkHttpServerSupport.inFlightFilter(tracker));

        // when: a POST, which the JDK client does not retry on a closed connection
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(uri("/fail")).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);

        // then
        await().atMost(Duration.ofSeconds(5)).until(() -> tracker.active() == 0);
        assertThat(tracker.arrivals()).isEqualTo(1);
    }

    @Test
    void readinessHandlerFollowsTheGate() throws Exception {
        // given
        ReadinessGate gate = new ReadinessGate();
        server.createContext("/ready", JdkHttpServerSupport.readinessHandler(gate));

        // when
        HttpResponse<String> starting = get("/ready");
        gate.markReady();
        HttpResponse<String> ready = get("/ready");
        gate.markShuttingDown();
        HttpResponse<String> shuttingDown = get("/ready");

        // then
        assertThat(starting.statusCode()).isEqualTo(503);
        assertThat(starting.body()).isEqualTo("starting\n");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ready\n");
        assertThat(ready.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
        assertThat(shuttingDown.statusCode()).isEqualTo(503);
        assertThat(shuttingDown.body()).isEqualTo("shutting_down\n");
    }

    @Test
    void stopTaskRunsInInboundDrainWithATimeoutAboveTheGrace() {
        // when
        ShutdownTask task = JdkHttpServerSupport.stopTask(server, new InFlightTracker(), Duration.ofMillis(2500));

        // then
        assertThat(task.phase()).isEqualTo(ShutdownPhase.INBOUND_DRAIN);
        assertThat(task.name()).isEqualTo("stop-http-server");
        assertThat(task.timeout()).contains(Duration.ofMillis(3500));
        assertThat(task.needsSidecar()).isFalse();
    }

    @Test
    void stopTaskStopsTheServer() throws Exception {
        // given
        server.createContext("/ready", JdkHttpServerSupport.readinessHandler(new ReadinessGate()));
        assertThat(get("/ready").statusCode()).isEqualTo(503);
        ShutdownTask task = JdkHttpServerSupport.stopTask(server, new InFlightTracker(), Duration.ZERO);

        // when
        task.action().run(context(task, Duration.ofSeconds(1)));

        // then
        assertThatThrownBy(() -> get("/ready")).isInstanceOf(IOException.class);
    }

    @Test
    void stopTaskWaitsForInFlightRequestsBeforeStopping() throws Exception {
        // given a request in flight
        server.createContext("/ready", JdkHttpServerSupport.readinessHandler(new ReadinessGate()));
        InFlightTracker tracker = new InFlightTracker();
        tracker.enter();
        ShutdownTask task = JdkHttpServerSupport.stopTask(server, tracker, Duration.ofSeconds(30));
        java.util.concurrent.CompletableFuture<Void> stopping = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                task.action().run(context(task, Duration.ofSeconds(30)));
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });

        // then the server keeps answering while the request is in flight
        Thread.sleep(200);
        assertThat(stopping).isNotDone();
        assertThat(get("/ready").statusCode()).isEqualTo(503);

        // when it finishes, the server stops
        tracker.exit(0);
        stopping.get(10, java.util.concurrent.TimeUnit.SECONDS);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> get("/ready")).isInstanceOf(java.io.IOException.class);
    }

    private static TaskContext context(ShutdownTask task, Duration remaining) {
        return new TaskContext() {
            @Override
            public String taskName() {
                return task.name();
            }

            @Override
            public ShutdownPhase phase() {
                return task.phase();
            }

            @Override
            public Duration remaining() {
                return remaining;
            }

            @Override
            public int attempt() {
                return 1;
            }

            @Override
            public SidecarState sidecarState() {
                return SidecarState.ABSENT;
            }
        };
    }
}
