package com.example.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.sidecar.SidecarMode;
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

class ShutdownTest {

    @RegisterExtension
    static SidecarEmulatorExtension sidecar = SidecarEmulatorExtension.of(
            SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26).terminationDrainDuration(Duration.ofSeconds(20)));

    @Test
    void cleanupReachesDownstreamThroughTheSidecarThenTheSidecarIsReleased(SidecarEmulator emulator) throws Exception {
        // a downstream service, reached only through the sidecar's outbound proxy
        AtomicInteger deregistered = new AtomicInteger();
        HttpServer downstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        downstream.createContext("/deregister", exchange -> {
            deregistered.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        downstream.start();
        URI deregister = URI.create("http://127.0.0.1:" + downstream.getAddress().getPort() + "/deregister");
        HttpClient viaSidecar = HttpClient.newBuilder().proxy(ProxySelector.of(emulator.outboundProxyAddress())).build();

        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .sidecarMode(SidecarMode.ISTIO)
                .adminUrl(emulator.adminUrl())
                .agentUrl(emulator.agentUrl())
                .propagationDelay(Duration.ZERO)
                .task("deregister", ctx -> viaSidecar.send(
                        HttpRequest.newBuilder(deregister).timeout(ctx.remaining()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.discarding()))
                .build();
        coordinator.awaitSidecarReady(Duration.ofSeconds(10));

        emulator.terminate();                              // the kubelet's SIGTERM reaches the sidecar...
        ShutdownReport report = coordinator.shutdown();    // ...and the app

        assertEquals(1, deregistered.get(), report.summaryLine());
        assertTrue(report.sidecarReleased(), report.summaryLine());
        assertTrue(emulator.awaitExit(Duration.ofSeconds(5)), "the sidecar exited when the app was done");
        downstream.stop(0);
    }
}
