package io.github.sidecarshutdown.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.sidecarshutdown.ReadinessGate;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The real health service, asked over a real channel, follows the readiness gate. */
class GrpcHealthSupportTest {

    private final HealthStatusManager health = new HealthStatusManager();
    private final TestService service = new TestService();
    private Server server;
    private ManagedChannel channel;

    private void start(Transport transport, GrpcServerSupport support) throws Exception {
        server = transport.start(b -> b.addService(service.definition()).addService(health.getHealthService())
                .intercept(support.interceptor()));
        channel = transport.channel(server);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private ServingStatus check(String service) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void followsTheGateForTheServerAndEachNamedService(Transport transport) throws Exception {
        // given
        start(transport, GrpcServerSupport.create(new CountingCounter()));
        ReadinessGate gate = new ReadinessGate();

        // when bound while starting
        GrpcHealthSupport.bind(gate, health, TestService.NAME);

        // then not serving until ready, serving once ready, not serving from shutdown on
        assertThat(check("")).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(check(TestService.NAME)).isEqualTo(ServingStatus.NOT_SERVING);
        gate.markReady();
        assertThat(check("")).isEqualTo(ServingStatus.SERVING);
        assertThat(check(TestService.NAME)).isEqualTo(ServingStatus.SERVING);
        gate.markShuttingDown();
        assertThat(check("")).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(check(TestService.NAME)).isEqualTo(ServingStatus.NOT_SERVING);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void nothingTurnsItBackOnOnceShutdownBegan(Transport transport) throws Exception {
        // given a bound manager whose app (or a framework's health adapter) also sets statuses
        start(transport, GrpcServerSupport.create(new CountingCounter()));
        ReadinessGate gate = new ReadinessGate();
        gate.markReady();
        GrpcHealthSupport.bind(gate, health, List.of(TestService.NAME));
        health.setStatus("other.Service", ServingStatus.SERVING);

        // when shutdown begins and the app sets SERVING afterwards
        gate.markShuttingDown();
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(TestService.NAME, ServingStatus.SERVING);

        // then every service stays not serving, also one the binding was not told of
        assertThat(check("")).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(check(TestService.NAME)).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(check("other.Service")).isEqualTo(ServingStatus.NOT_SERVING);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void bindingAfterTheGateChangedAppliesItsStateAtOnce(Transport transport) throws Exception {
        start(transport, GrpcServerSupport.create(new CountingCounter()));
        ReadinessGate ready = new ReadinessGate();
        ready.markReady();

        GrpcHealthSupport.bind(ready, health);

        assertThat(check("")).isEqualTo(ServingStatus.SERVING);
        ReadinessGate gone = new ReadinessGate();
        gone.markShuttingDown();
        GrpcHealthSupport.bind(gone, health);
        assertThat(check("")).isEqualTo(ServingStatus.NOT_SERVING);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void watchersAreToldAtReadinessOffWhileCallsAreStillServed(Transport transport) throws Exception {
        // given a coordinator (no sidecar) with a propagation delay, the server wired to it, and a watcher
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder().sidecarMode(SidecarMode.NONE)
                .propagationDelay(Duration.ofSeconds(3)).gracePeriod(Duration.ofSeconds(30)).build();
        GrpcServerSupport support = GrpcServerSupport.create(coordinator.inFlight());
        start(transport, support);
        coordinator.register(support.drainTask(server, Duration.ofSeconds(5)));
        coordinator.readiness().markReady();
        GrpcHealthSupport.bind(coordinator.readiness(), health, TestService.NAME);
        List<ServingStatus> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Throwable> watchEnd = new CompletableFuture<>();
        HealthGrpc.newStub(channel).watch(HealthCheckRequest.newBuilder().setService(TestService.NAME).build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(HealthCheckResponse value) {
                        seen.add(value.getStatus());
                    }

                    @Override
                    public void onError(Throwable t) {
                        watchEnd.complete(t);
                    }

                    @Override
                    public void onCompleted() {
                        watchEnd.complete(null);
                    }
                });
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(ServingStatus.SERVING));

        // when shutdown begins
        CompletableFuture<ShutdownReport> report = coordinator.shutdownAsync();

        // then the watcher hears NOT_SERVING at once, while the server still serves during the delay
        await().atMost(Duration.ofSeconds(2)).until(() -> seen.contains(ServingStatus.NOT_SERVING));
        assertThat(ClientCalls.blockingUnaryCall(channel, TestService.UNARY,
                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "ok")).isEqualTo("done ok");
        assertThat(server.isShutdown()).isFalse();
        // and after the drain the server is gone, the watch closed
        assertThat(report.get(30, TimeUnit.SECONDS).task(GrpcServerSupport.DRAIN_TASK_NAME)).isPresent();
        assertThat(server.isTerminated()).isTrue();
        assertThat(watchEnd.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(seen).containsSubsequence(ServingStatus.SERVING, ServingStatus.NOT_SERVING);
    }
}
