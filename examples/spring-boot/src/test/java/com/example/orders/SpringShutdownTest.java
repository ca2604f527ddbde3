package com.example.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.TaskContext;
import io.github.sidecarshutdown.spring.SidecarShutdownTask;
import io.github.sidecarshutdown.testkit.emulator.EmulatorMode;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

class SpringShutdownTest {

    @RegisterExtension
    static SidecarEmulatorExtension sidecar = SidecarEmulatorExtension.of(
            SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26).terminationDrainDuration(Duration.ofSeconds(20)));

    static final AtomicInteger deregistered = new AtomicInteger();

    @Test
    void closingTheContextRunsTheCleanupThroughTheSidecarThenReleasesIt(SidecarEmulator emulator) throws Exception {
        // a downstream service, reached only through the sidecar's outbound proxy
        HttpServer downstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        downstream.createContext("/deregister", exchange -> {
            deregistered.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        downstream.start();

        // Command-line arguments: they win over the app's own application.properties (which may well set
        // sidecar.shutdown.propagation-delay=5s), where SpringApplicationBuilder.properties(...) would lose to it.
        ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .registerShutdownHook(false) // the test closes the context itself
                .run(
                        "--sidecar.shutdown.sidecar-mode=istio",
                        "--sidecar.shutdown.admin-url=" + emulator.adminUrl(),
                        "--sidecar.shutdown.agent-url=" + emulator.agentUrl(),
                        "--sidecar.shutdown.grace-period=30s",
                        "--sidecar.shutdown.propagation-delay=0s",
                        "--spring.lifecycle.timeout-per-shutdown-phase=20s",
                        "--test.downstream=http://127.0.0.1:" + downstream.getAddress().getPort() + "/deregister",
                        "--test.outbound-proxy-port=" + emulator.outboundProxyPort());

        emulator.terminate();  // the kubelet's SIGTERM reaches the sidecar...
        context.close();       // ...and the app: what Spring Boot's shutdown hook does

        assertEquals(1, deregistered.get(), "the cleanup reached the downstream through the sidecar");
        assertTrue(emulator.awaitExit(Duration.ofSeconds(5)), "the sidecar exited when the app was done");
        downstream.stop(0);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        Deregistration deregistration(
                @Value("${test.downstream}") URI downstream,
                @Value("${test.outbound-proxy-port}") int proxyPort) {
            return new Deregistration(downstream, proxyPort);
        }
    }

    static class Deregistration {
        private final URI downstream;
        private final HttpClient viaSidecar;

        Deregistration(URI downstream, int proxyPort) {
            this.downstream = downstream;
            this.viaSidecar = HttpClient.newBuilder()
                    .proxy(ProxySelector.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxyPort))).build();
        }

        /** After inbound requests drained, before any bean is destroyed, while the sidecar still forwards. */
        @SidecarShutdownTask(name = "deregister")
        void deregister(TaskContext ctx) throws Exception {
            viaSidecar.send(HttpRequest.newBuilder(downstream).timeout(ctx.remaining())
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        }
    }
}
