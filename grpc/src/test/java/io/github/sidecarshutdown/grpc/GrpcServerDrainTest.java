package io.github.sidecarshutdown.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.ListenableFuture;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.TaskContext;
import io.github.sidecarshutdown.TaskOutcome;
import io.github.sidecarshutdown.TaskResult;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The drain task on real servers, run by a real coordinator (no sidecar) or directly with a short budget. */
class GrpcServerDrainTest {

    private final CountingCounter counter = new CountingCounter();
    private final GrpcServerSupport support = GrpcServerSupport.create(counter);
    private final TestService service = new TestService();
    private final HealthStatusManager health = new HealthStatusManager();
    private Server server;
    private ManagedChannel channel;

    private void start(Transport transport) throws Exception {
        server = transport.start(b -> b.addService(service.definition()).addService(health.getHealthService())
                .intercept(support.interceptor()));
        channel = transport.channel(server);
    }

    @AfterEach
    void stop() throws InterruptedException {
        service.release.countDown();
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Runs the whole sequence (no sidecar, no delay) with only the drain task. */
    private ShutdownReport shutdownWith(ShutdownTask drain) {
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder().sidecarMode(SidecarMode.NONE)
                .propagationDelay(Duration.ZERO).gracePeriod(Duration.ofSeconds(30)).drainTimeout(Duration.ofSeconds(10))
                .task(drain).build();
        return coordinator.shutdown();
    }

    private static TaskResult drainResult(ShutdownReport report) {
        return report.task(GrpcServerSupport.DRAIN_TASK_NAME).orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void noCallInFlightStopsTheServerAtOnce(Transport transport) throws Exception {
        start(transport);
        assertThat(ClientCalls.blockingUnaryCall(channel, TestService.UNARY, CallOptions.DEFAULT, "ok")).isEqualTo("done ok");

        ShutdownReport report = shutdownWith(support.drainTask(server, Duration.ofSeconds(10)));

        TaskResult drain = drainResult(report);
        assertThat(drain.outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(drain.phase()).isEqualTo(ShutdownPhase.INBOUND_DRAIN);
        assertThat(drain.elapsed()).isLessThan(Duration.ofSeconds(5));
        assertThat(server.isTerminated()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void callsInFlightFinishBeforeTheServerStops(Transport transport) throws Exception {
        // given a unary call and a stream in flight
        start(transport);
        ListenableFuture<String> unary = ClientCalls.futureUnaryCall(channel.newCall(TestService.UNARY, CallOptions.DEFAULT), "wait");
        assertThat(service.entered.poll(10, TimeUnit.SECONDS)).isEqualTo("wait");

        // when the drain runs while they are still working, and they end during it
        CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(
                () -> shutdownWith(support.drainTask(server, Duration.ofSeconds(20))));
        await().atMost(Duration.ofSeconds(10)).until(server::isShutdown);
        assertThat(server.isTerminated()).as("still serving the call in flight").isFalse();
        service.release.countDown();

        // then the call completed, the task succeeded, the server terminated
        assertThat(unary.get(10, TimeUnit.SECONDS)).isEqualTo("done wait");
        TaskResult drain = drainResult(report.get(30, TimeUnit.SECONDS));
        assertThat(drain.outcome()).as(drain.summary()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(server.isTerminated()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> counter.exits.get() == 1);
        assertThat(counter.enters.get()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aStreamStillOpenAtTheEndIsCutWithUnavailableAndReported(Transport transport) throws Exception {
        // given a stream that never ends by itself
        start(transport);
        ClientCall<String, String> call = channel.newCall(TestService.SERVER_STREAM, CallOptions.DEFAULT);
        Iterator<String> items = ClientCalls.blockingServerStreamingCall(call, "forever");
        assertThat(items.next()).isEqualTo("tick");

        // when
        ShutdownReport report = shutdownWith(support.drainTask(server, Duration.ofMillis(500)));

        // then the client sees a status it may retry
        assertThatThrownBy(() -> items.forEachRemaining(i -> { }))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).contains("server shutting down");
                });
        // the handler was told, the task says how many were cut, the server is gone, one exit
        assertThat(service.cancelled.poll(10, TimeUnit.SECONDS)).isEqualTo("forever");
        TaskResult drain = drainResult(report);
        assertThat(drain.outcome()).isEqualTo(TaskOutcome.FAILED);
        assertThat(drain.reason()).isEqualTo("gRPC drain: 1 call(s) still open after 500 ms cut with UNAVAILABLE (the client may retry)");
        assertThat(report.outcome()).isEqualTo(io.github.sidecarshutdown.ReportOutcome.DEGRADED);
        assertThat(server.isTerminated()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> counter.exits.get() == 1);
        assertThat(counter.enters.get()).isEqualTo(1);
        assertThat(counter.tracker.active()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aHealthWatchDoesNotHoldTheDrain(Transport transport) throws Exception {
        // given a client watching the server's health (client-side health checking keeps one open)
        start(transport);
        HealthWatch watch = HealthWatch.open(channel);
        assertThat(watch.first).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

        // when
        long start = System.nanoTime();
        ShutdownReport report = shutdownWith(support.drainTask(server, Duration.ofSeconds(20)));

        // then the drain did not wait its 20 s, and the watcher was told to go elsewhere
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(drainResult(report).outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(watch.ended.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(server.isTerminated()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void callsAfterTheDrainBeganNeverReachTheirHandler(Transport transport) throws Exception {
        // given a drain under way (held by a call in flight)
        start(transport);
        ListenableFuture<String> inFlight = ClientCalls.futureUnaryCall(channel.newCall(TestService.UNARY, CallOptions.DEFAULT), "wait");
        assertThat(service.entered.poll(10, TimeUnit.SECONDS)).isEqualTo("wait");
        CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(
                () -> shutdownWith(support.drainTask(server, Duration.ofSeconds(20))));
        await().atMost(Duration.ofSeconds(10)).until(server::isShutdown);

        // when a new client calls
        ManagedChannel late = transport.channel(server);
        try {
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(late, TestService.UNARY,
                    CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "late"))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        } finally {
            late.shutdownNow();
        }

        // then it never started work, and the call in flight still completes
        service.release.countDown();
        assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("done wait");
        assertThat(drainResult(report.get(30, TimeUnit.SECONDS)).outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(service.entered).doesNotContain("late");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aShortBudgetBoundsTheWholeDrain(Transport transport) throws Exception {
        // given a stream that never ends, and a task with only 400 ms left although it may wait 10 s
        start(transport);
        Iterator<String> items = ClientCalls.blockingServerStreamingCall(channel.newCall(TestService.SERVER_STREAM, CallOptions.DEFAULT),
                "forever");
        assertThat(items.next()).isEqualTo("tick");
        ShutdownTask task = support.drainTask(server, Duration.ofSeconds(10));
        TaskContext context = new FixedBudget(Duration.ofMillis(400));

        // when
        long start = System.nanoTime();
        assertThatThrownBy(() -> task.action().run(context)).isInstanceOf(DrainIncompleteException.class)
                .satisfies(e -> assertThat(((DrainIncompleteException) e).cut()).isEqualTo(1));

        // then it ended near its budget (generous bound: a busy machine), the server shut down now:
        // with no budget left for a last wait, its transport terminates a moment later, by itself
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(server.isShutdown()).isTrue();
        assertThat(server.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anInterruptedDrainLeavesNoServerRunning(Transport transport) throws Exception {
        // given a drain waiting for a call that does not end
        start(transport);
        ListenableFuture<String> inFlight = ClientCalls.futureUnaryCall(channel.newCall(TestService.UNARY, CallOptions.DEFAULT), "wait");
        assertThat(service.entered.poll(10, TimeUnit.SECONDS)).isEqualTo("wait");
        ShutdownTask task = support.drainTask(server, Duration.ofSeconds(20));
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread drain = new Thread(() -> {
            try {
                task.action().run(new FixedBudget(Duration.ofSeconds(20)));
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
        drain.start();
        await().atMost(Duration.ofSeconds(10)).until(server::isShutdown);

        // when the coordinator abandons the task (it interrupts it)
        drain.interrupt();

        // then
        assertThat(ended.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(server.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(inFlight).failsWithin(Duration.ofSeconds(10));
    }

    @Test
    void serversKnownOnlyWhenTheTaskRunsAreDrainedTogether() throws Exception {
        // given two servers sharing one interceptor (a framework's Netty and in-process servers), a call on each
        start(Transport.NETTY);
        Server second = Transport.IN_PROCESS.start(b -> b.addService(service.definition()).intercept(support.interceptor()));
        ManagedChannel secondChannel = Transport.IN_PROCESS.channel(second);
        java.util.List<Server> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        ShutdownTask task = support.drainTask("drain-all", () -> started, Duration.ofSeconds(20));
        started.add(server);
        started.add(second);
        try {
            ListenableFuture<String> first = ClientCalls.futureUnaryCall(channel.newCall(TestService.UNARY, CallOptions.DEFAULT), "wait");
            ListenableFuture<String> other = ClientCalls.futureUnaryCall(secondChannel.newCall(TestService.UNARY, CallOptions.DEFAULT), "wait");
            assertThat(service.entered.poll(10, TimeUnit.SECONDS)).isEqualTo("wait");
            assertThat(service.entered.poll(10, TimeUnit.SECONDS)).isEqualTo("wait");

            // when
            CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> shutdownWith(task));
            await().atMost(Duration.ofSeconds(10)).until(() -> server.isShutdown() && second.isShutdown());
            service.release.countDown();

            // then both calls completed and both servers are gone
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("done wait");
            assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo("done wait");
            assertThat(report.get(30, TimeUnit.SECONDS).task("drain-all").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
            assertThat(server.isTerminated()).isTrue();
            assertThat(second.isTerminated()).isTrue();
        } finally {
            secondChannel.shutdownNow();
            second.shutdownNow();
        }
    }

    @Test
    void noServerStartedNothingToDo() {
        ShutdownReport report = shutdownWith(support.drainTask("drain-none", java.util.List::of, Duration.ofSeconds(5)));

        assertThat(report.task("drain-none").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
    }

    @Test
    void gracefulMustBePositiveWholeMilliseconds() throws Exception {
        Server s = Transport.IN_PROCESS.start(b -> { });
        try {
            assertThatThrownBy(() -> support.drainTask(s, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("graceful: PT0S (expected: whole milliseconds, at least 1 ms)");
            assertThatThrownBy(() -> support.drainTask(s, Duration.ofNanos(1_500_000))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("graceful: PT0.0015S (expected: whole milliseconds, at least 1 ms)");
            ShutdownTask task = support.drainTask(s, Duration.ofSeconds(3));
            assertThat(task.phase()).isEqualTo(ShutdownPhase.INBOUND_DRAIN);
            assertThat(task.timeout()).contains(Duration.ofSeconds(4));
            assertThat(task.needsSidecar()).isFalse();
        } finally {
            s.shutdownNow();
        }
    }

    /** A task context whose budget runs from its creation. */
    private static final class FixedBudget implements TaskContext {
        private final long end;

        FixedBudget(Duration budget) {
            this.end = System.nanoTime() + budget.toNanos();
        }

        @Override
        public String taskName() {
            return GrpcServerSupport.DRAIN_TASK_NAME;
        }

        @Override
        public ShutdownPhase phase() {
            return ShutdownPhase.INBOUND_DRAIN;
        }

        @Override
        public Duration remaining() {
            return Duration.ofNanos(Math.max(0, end - System.nanoTime()));
        }

        @Override
        public int attempt() {
            return 1;
        }

        @Override
        public SidecarState sidecarState() {
            return SidecarState.UNKNOWN;
        }
    }
}
