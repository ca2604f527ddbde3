package com.example.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.jdkhttp.JdkHttpServerSupport;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain;
import io.github.sidecarshutdown.testkit.pod.ContainerSpec;
import io.github.sidecarshutdown.testkit.pod.InboundLoad;
import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import io.github.sidecarshutdown.testkit.pod.LoopbackPorts;
import io.github.sidecarshutdown.testkit.pod.PodSimulator;
import io.github.sidecarshutdown.testkit.pod.PodTermination;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The whole Pod: the app and the sidecar as two processes, deleted the way the kubelet does it. */
class OrdersPodIT {

    @Test
    void deletingThePodKeepsServingDeliversTheCleanupAndEndsWithTheApp() throws Exception {
        // the registry the app deregisters from on its way out, reached only through the sidecar
        AtomicInteger deregistered = new AtomicInteger();
        HttpServer registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext("/deregister", exchange -> {
            deregistered.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        registry.start();
        int appPort = LoopbackPorts.freePort();
        try (PodSimulator pod = PodSimulator.builder()
                .terminationGracePeriod(Duration.ofSeconds(30))
                .sidecar(ContainerSpec.builder().name("istio-proxy")
                        .command(JavaProcess.javaCommand(List.of(), SidecarEmulatorMain.class.getName(), List.of(
                                "--mode", "istio", "--termination-drain-duration", "20s",
                                "--app-port", String.valueOf(appPort))))
                        .readyPattern("^SIDECAR_EMULATOR_READY ").build())
                .app(ready -> ContainerSpec.builder().name("orders")
                        .command(JavaProcess.javaCommand(OrdersApp.class))     // in your project: your main class
                        .env("PORT", String.valueOf(appPort))
                        .env("REGISTRY_URL", "http://127.0.0.1:" + registry.getAddress().getPort() + "/deregister")
                        .env("OUTBOUND_PROXY_PORT", String.valueOf(ready.port("outbound")))
                        .env("SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:" + ready.port("admin"))
                        .env("SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:" + ready.port("agent"))
                        .env("SIDECAR_SHUTDOWN_PROPAGATION_DELAY", "1s")
                        .readyPattern("^ORDERS_READY").build())
                .build()) {
            pod.start();
            // clients reach the app through the sidecar's inbound listener until endpoints forget the Pod,
            // 500 ms after the deletion (less than the app's 1 s propagation delay)
            pod.startInboundLoad(InboundLoad.builder()
                    .url("http://127.0.0.1:" + pod.sidecarReady().port("inbound") + "/orders")
                    .clients(4).leadTime(Duration.ofMillis(500)).maxDuration(Duration.ofSeconds(1)).build());

            PodTermination termination = pod.deletePod();   // SIGTERM to both containers at once

            String timeline = termination.toTimelineText();
            assertEquals(0, termination.inbound().failures(), timeline);
            assertEquals(1, deregistered.get(), timeline);
            assertEquals(143, termination.app().exitCode(), timeline);
            // released when the app was done, not at the end of its 20 s window
            assertTrue(termination.podEnd().minus(termination.app().exitedAt()).compareTo(Duration.ofSeconds(1)) < 0,
                    timeline);
        } finally {
            registry.stop(0);
        }
    }

    /** The app under test: a JDK HTTP server with the library, as in the README's quick start. */
    public static final class OrdersApp {
        public static void main(String[] args) throws Exception {
            URI registry = URI.create(System.getenv("REGISTRY_URL"));
            HttpClient viaSidecar = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress(
                    "127.0.0.1", Integer.parseInt(System.getenv("OUTBOUND_PROXY_PORT"))))).build();
            HttpServer server = HttpServer.create(
                    new InetSocketAddress("127.0.0.1", Integer.parseInt(System.getenv("PORT"))), 0);
            ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                    .fromEnvironment()
                    .task("deregister", ctx -> viaSidecar.send(HttpRequest.newBuilder(registry).timeout(ctx.remaining())
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()))
                    .build();
            HttpContext orders = server.createContext("/orders", exchange -> {
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            orders.getFilters().add(JdkHttpServerSupport.inFlightFilter(coordinator.inFlight()));
            server.createContext("/ready", JdkHttpServerSupport.readinessHandler(coordinator.readiness()));
            coordinator.register(JdkHttpServerSupport.stopTask(server, coordinator.inFlight(), Duration.ofSeconds(5)));
            coordinator.install();
            server.start();
            coordinator.awaitSidecarReady();
            System.out.println("ORDERS_READY");
        }
    }
}
