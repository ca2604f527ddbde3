package io.github.sidecarshutdown.examples.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.testkit.pod.ContainerSpec;
import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import io.github.sidecarshutdown.testkit.pod.LoopbackPorts;
import io.github.sidecarshutdown.testkit.pod.OutputLine;
import io.github.sidecarshutdown.testkit.pod.PodSimulator;
import io.github.sidecarshutdown.testkit.pod.PodTermination;
import io.github.sidecarshutdown.testkit.pod.SidecarKind;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The gRPC example in a simulated Pod (real processes: the app beside the sidecar emulator in
 * classic Istio mode, deleted like the kubelet does: SIGTERM to both at once). Unary calls and
 * streams are in flight at SIGTERM, each handler calls out through the sidecar, and new calls keep
 * coming for a second after the deletion (peers that have not yet seen the Pod go). Two rows: the
 * library (long window, released when done), and grpc-java's customary hook with Istio's default
 * 5 s window.
 *
 * <p>Clients dial the app's port directly: the emulator's inbound listener speaks HTTP/1.1 only, and
 * what is measured here is the app's own exit and its outbound calls.
 */
class GrpcPodIT {

    private static final List<String> SMALL_JVM = List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final Duration GRACE = Duration.ofSeconds(25);
    private static final Duration WORK = Duration.ofMillis(1500);
    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final int UPDATES = 12; // a stream lasts 6 s
    private static final int UNARY = 4;
    private static final int STREAMS = 2;
    private static final int LATE = 10;

    /** How one call ended, seen by its client. */
    enum Ending { OK, REFUSED_BEFORE_WORK, LOST }

    record Row(String name, Duration window, Map<String, Ending> inFlight, Map<String, Ending> late, int outboundOk,
            int outboundFailed, int delivered, long appExitMs, long sidecarExitMs, long podEndMs, String report) {

        long count(Map<String, Ending> calls, Ending e) {
            return calls.values().stream().filter(e::equals).count();
        }

        String line() {
            return String.format("| %s | %d of %d ok, %d lost | %d ok, %d refused before work, %d lost | %d of %d delivered"
                    + " (%d failed) | app %.1f s, sidecar %.1f s | %.1f s |", name, count(inFlight, Ending.OK), inFlight.size(),
                    count(inFlight, Ending.LOST), count(late, Ending.OK), count(late, Ending.REFUSED_BEFORE_WORK),
                    count(late, Ending.LOST), delivered, outboundOk + outboundFailed, outboundFailed, appExitMs / 1000.0,
                    sidecarExitMs / 1000.0, podEndMs / 1000.0);
        }
    }

    @Test
    void withTheLibraryNoCallIsLostAndThePodEndsWhenTheAppIsDone() throws Exception {
        Row library = run(true, Duration.ofSeconds(20));
        Row plain = run(false, Duration.ofSeconds(5));
        System.out.println("| gRPC, classic Istio | calls in flight at SIGTERM | calls in the first second after | outbound calls"
                + " of the handlers | exits | Pod ends after |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        System.out.println(library.line());
        System.out.println(plain.line());
        System.out.println("library report: " + library.report());

        // Every call in flight completed; calls arriving during the propagation delay were served.
        assertThat(library.inFlight()).hasSize(UNARY + STREAMS).allSatisfy((id, e) -> assertThat(e).as(id).isEqualTo(Ending.OK));
        assertThat(library.late()).hasSize(LATE).allSatisfy((id, e) -> assertThat(e).as(id).isNotEqualTo(Ending.LOST));
        // Every outbound call a handler made was delivered.
        assertThat(library.outboundFailed()).isZero();
        assertThat(library.outboundOk()).isGreaterThanOrEqualTo(UNARY + STREAMS * UPDATES);
        assertThat(library.delivered()).isEqualTo(library.outboundOk());
        // The Pod ended when the app was done (the streams last 6 s), long before the 20 s window.
        assertThat(library.podEndMs()).isLessThan(library.window().minusSeconds(5).toMillis());
        assertThat(library.report()).contains("grpc-server-drain=succeeded");

        // The same app with grpc-java's customary hook and Istio's default window loses work: the
        // streams' outbound calls after the window fail. If it ever stops doing so, this scenario
        // no longer shows what the library changes.
        assertThat(plain.outboundFailed() + plain.count(plain.inFlight(), Ending.LOST))
                .as("the baseline loses something (else the scenario proves nothing)").isPositive();
    }

    private Row run(boolean library, Duration window) throws Exception {
        int appPort = LoopbackPorts.freePort();
        Set<String> delivered = ConcurrentHashMap.newKeySet();
        HttpServer downstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        downstream.createContext("/notify", exchange -> {
            exchange.getRequestBody().readAllBytes();
            delivered.add(exchange.getRequestURI().getQuery());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        downstream.start();
        ExecutorService clients = Executors.newCachedThreadPool();
        ManagedChannel channel = null;
        try (PodSimulator pod = PodSimulator.builder()
                .sidecarKind(SidecarKind.CLASSIC)
                .terminationGracePeriod(GRACE)
                .sidecar(ContainerSpec.builder().name("istio-proxy")
                        .command(JavaProcess.javaCommand(SMALL_JVM, "io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain",
                                List.of("--mode", "ISTIO_1_5", "--termination-drain-duration", window.toMillis() + "ms",
                                        "--app-port", String.valueOf(appPort))))
                        .readyPattern("^SIDECAR_EMULATOR_READY ").build())
                .app(ready -> ContainerSpec.builder().name("app")
                        .command(JavaProcess.javaCommand(SMALL_JVM, GrpcExampleApp.class))
                        .env("APP_PORT", String.valueOf(appPort))
                        .env("USE_LIBRARY", String.valueOf(library))
                        .env("WORK", WORK.toMillis() + "ms")
                        .env("STREAM_INTERVAL", INTERVAL.toMillis() + "ms")
                        .env("DOWNSTREAM_URL", "http://127.0.0.1:" + downstream.getAddress().getPort())
                        .env("OUTBOUND_PROXY", "127.0.0.1:" + ready.port("outbound"))
                        .env("SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:" + ready.port("admin"))
                        .env("SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:" + ready.port("agent"))
                        .env("SIDECAR_SHUTDOWN_GRACE_PERIOD", GRACE.toMillis() + "ms")
                        .env("SIDECAR_SHUTDOWN_PROPAGATION_DELAY", "1500ms")
                        .env("SIDECAR_SHUTDOWN_DRAIN_TIMEOUT", "10s")
                        .readyPattern("^APP_READY ").build())
                .build()) {
            pod.start();
            channel = NettyChannelBuilder.forAddress("127.0.0.1", appPort).usePlaintext().build();
            ManagedChannel ch = channel;
            Set<String> started = ConcurrentHashMap.newKeySet();
            // Calls in flight at SIGTERM: wait until each handler has started its work.
            Map<String, CompletableFuture<Ending>> inFlight = new LinkedHashMap<>();
            for (int i = 1; i <= UNARY; i++) {
                String id = "u" + i;
                inFlight.put(id, CompletableFuture.supplyAsync(() -> place(ch, id, pod), clients));
            }
            for (int i = 1; i <= STREAMS; i++) {
                String id = "s" + i;
                inFlight.put(id, CompletableFuture.supplyAsync(() -> track(ch, id, pod), clients));
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (started(pod).size() < UNARY + STREAMS && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(started(pod)).as("handlers at work before SIGTERM").hasSize(UNARY + STREAMS);
            // Calls still arriving for a second after the deletion.
            Map<String, CompletableFuture<Ending>> late = new LinkedHashMap<>();
            for (int i = 1; i <= LATE; i++) {
                String id = "late" + i;
                long delay = 50 + 100L * i;
                late.put(id, CompletableFuture.supplyAsync(() -> {
                    sleep(delay);
                    return place(ch, id, pod);
                }, clients));
            }

            PodTermination t = pod.deletePod();

            Map<String, Ending> inFlightEnds = collect(inFlight);
            Map<String, Ending> lateEnds = collect(late);
            List<String> appLines = t.app().lines().stream().map(OutputLine::text).toList();
            int ok = (int) appLines.stream().filter(l -> l.startsWith("APP_EVENT outbound ") && l.endsWith(" ok")).count();
            int failed = (int) appLines.stream().filter(l -> l.startsWith("APP_EVENT outbound ") && l.contains(" failed ")).count();
            String report = appLines.stream().filter(l -> l.contains("sidecar-shutdown clean in") || l.contains("sidecar-shutdown degraded in"))
                    .findFirst().orElse("");
            System.out.println(t.toTimelineText());
            return new Row(library ? "library (" + window.toSeconds() + " s window, released)" : "grpc-java's hook ("
                    + window.toSeconds() + " s window)", window, inFlightEnds, lateEnds, ok, failed, delivered.size(),
                    t.app().exitedAtMs(), t.sidecar().map(c -> c.exitedAtMs()).orElse(-1L), t.podEndMs(), report);
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
            clients.shutdownNow();
            downstream.stop(0);
        }
    }

    private static Set<String> started(PodSimulator pod) {
        return pod.lines().stream().map(OutputLine::text).filter(l -> l.startsWith("APP_EVENT start "))
                .map(l -> l.substring("APP_EVENT start ".length())).collect(Collectors.toSet());
    }

    private static Ending place(ManagedChannel channel, String id, PodSimulator pod) {
        try {
            String answer = ClientCalls.blockingUnaryCall(channel, OrdersService.PLACE,
                    CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), id);
            return answer.equals("placed " + id) ? Ending.OK : Ending.LOST;
        } catch (StatusRuntimeException e) {
            return ending(e, id, pod);
        }
    }

    private static Ending track(ManagedChannel channel, String id, PodSimulator pod) {
        try {
            Iterator<String> updates = ClientCalls.blockingServerStreamingCall(channel, OrdersService.TRACK,
                    CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), id + ":" + UPDATES);
            List<String> got = new ArrayList<>();
            updates.forEachRemaining(got::add);
            return got.size() == UPDATES ? Ending.OK : Ending.LOST;
        } catch (StatusRuntimeException e) {
            return ending(e, id, pod);
        }
    }

    /** UNAVAILABLE before the handler started is a call the client may send elsewhere; anything else is lost. */
    private static Ending ending(StatusRuntimeException e, String id, PodSimulator pod) {
        if (e.getStatus().getCode() == Status.Code.UNAVAILABLE && !started(pod).contains(id)) {
            return Ending.REFUSED_BEFORE_WORK;
        }
        System.out.println("call " + id + " lost: " + e.getStatus());
        return Ending.LOST;
    }

    private static Map<String, Ending> collect(Map<String, CompletableFuture<Ending>> calls) throws Exception {
        Map<String, Ending> ends = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<Ending>> e : calls.entrySet()) {
            ends.put(e.getKey(), e.getValue().get(40, TimeUnit.SECONDS));
        }
        return ends;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
