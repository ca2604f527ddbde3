package io.github.sidecarshutdown.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.ListenableFuture;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.TaskOutcome;
import io.github.sidecarshutdown.TaskResult;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A call the transport accepted before the drain but that still waits for the server's executor
 * (here one thread, held by other work of the app) has reached no interceptor yet. A server stopped
 * without the library serves it once the executor is free; with the library it must be served too.
 */
class QueuedCallDrainTest {

    private final CountingCounter counter = new CountingCounter();
    private final GrpcServerSupport support = GrpcServerSupport.create(counter);
    private final TestService service = new TestService();
    private final ExecutorService executor = Executors.newFixedThreadPool(1);
    /** Holds the executor's one thread, as the app's other work on a shared executor would. */
    private final CountDownLatch executorFree = new CountDownLatch(1);
    /** Counted down when the transport accepted the queued call's stream (the test's own tracer). */
    private final CountDownLatch accepted = new CountDownLatch(1);
    private Server server;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws InterruptedException {
        executorFree.countDown();
        service.release.countDown();
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        executor.shutdownNow();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aCallWaitingForTheExecutorWhenTheDrainBeginsIsServed(Transport transport) throws Exception {
        ListenableFuture<String> queued = queuedCall(transport, b -> b.intercept(support.interceptor()));

        // when the drain runs, and the executor frees up only once the drain has begun
        CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> shutdownWith(
                support.drainTask(server, Duration.ofSeconds(20))));
        await().atMost(Duration.ofSeconds(10)).until(server::isShutdown);
        // The drain, had it seen nothing open, would have ended by now and closed the registry.
        assertThat(report).as("the drain must wait for the accepted call").isNotCompleted();
        Thread.sleep(200);
        executorFree.countDown();

        // then the call is served, as without the library, and the drain ends when it has been
        assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("done ok");
        TaskResult drain = report.get(30, TimeUnit.SECONDS).task(GrpcServerSupport.DRAIN_TASK_NAME).orElseThrow();
        assertThat(drain.outcome()).as(drain.summary()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(server.isTerminated()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aQueuedCallItsClientGaveUpOnDoesNotHoldTheDrain(Transport transport) throws Exception {
        // given a queued call whose client cancels it while the executor is still held
        ListenableFuture<String> queued = queuedCall(transport, b -> b.intercept(support.interceptor()));
        queued.cancel(true);

        // when the drain runs, the executor still held: then nothing holds it
        ShutdownReport report = shutdownWith(support.drainTask(server, Duration.ofSeconds(20)));
        TaskResult drain = report.task(GrpcServerSupport.DRAIN_TASK_NAME).orElseThrow();
        assertThat(drain.outcome()).as(drain.summary()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(drain.elapsed()).as("the graceful time is 20 s").isLessThan(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void withoutTheLibraryTheSameCallIsServed(Transport transport) throws Exception {
        // The baseline the test above holds the library to: grpc-java's own shutdown().
        ListenableFuture<String> queued = queuedCall(transport, b -> { });

        server.shutdown();
        Thread.sleep(200);
        executorFree.countDown();

        assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("done ok");
        assertThat(server.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aHealthWatchBesideAQueuedCallIsClosedAndTheCallServed(Transport transport) throws Exception {
        // given a health watch (open for as long as its client likes) and a call queued for the executor
        HealthStatusManager health = new HealthStatusManager();
        HealthWatch[] watch = new HealthWatch[1];
        ListenableFuture<String> queued = queuedCall(transport,
                b -> b.addService(health.getHealthService()).intercept(support.interceptor()),
                () -> watch[0] = HealthWatch.open(channel));

        // when the drain runs and the executor frees up a moment later
        CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(() -> shutdownWith(
                support.drainTask(server, Duration.ofSeconds(20))));
        await().atMost(Duration.ofSeconds(10)).until(server::isShutdown);
        Thread.sleep(200);
        executorFree.countDown();

        // then the call is served, the watch closed, and the drain ends long before its graceful time
        assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("done ok");
        TaskResult drain = report.get(30, TimeUnit.SECONDS).task(GrpcServerSupport.DRAIN_TASK_NAME).orElseThrow();
        assertThat(drain.outcome()).as(drain.summary()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(drain.elapsed()).as("the graceful time is 20 s").isLessThan(Duration.ofSeconds(5));
        assertThat(watch[0].ended.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void aCallTheExecutorRejectedDoesNotHoldTheDrain() throws Exception {
        // given a Netty server whose executor sheds load: it rejects a call, and Netty resets its stream
        AtomicBoolean saturated = new AtomicBoolean();
        Executor shedding = task -> {
            if (saturated.get()) {
                throw new RejectedExecutionException("saturated (test)");
            }
            executor.execute(task);
        };
        server = Transport.NETTY.start(b -> b.executor(shedding).addService(service.definition()).intercept(support.interceptor()));
        channel = Transport.NETTY.channel(server);
        assertThat(ClientCalls.blockingUnaryCall(channel, TestService.UNARY, CallOptions.DEFAULT, "ok")).isEqualTo("done ok");
        saturated.set(true);
        ListenableFuture<String> rejected = ClientCalls.futureUnaryCall(channel.newCall(TestService.UNARY,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)), "ok");
        assertThat(rejected).failsWithin(Duration.ofSeconds(15));
        saturated.set(false);

        // when the drain runs: then nothing is left to wait for
        ShutdownReport report = shutdownWith(support.drainTask(server, Duration.ofSeconds(20)));
        TaskResult drain = report.task(GrpcServerSupport.DRAIN_TASK_NAME).orElseThrow();
        assertThat(drain.outcome()).as(drain.summary()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(drain.elapsed()).as("the graceful time is 20 s").isLessThan(Duration.ofSeconds(5));
    }

    /** Starts the server on a one-thread executor held busy, and a call its transport accepted. */
    private ListenableFuture<String> queuedCall(Transport transport, Consumer<ServerBuilder<?>> support) throws Exception {
        return queuedCall(transport, support, () -> null);
    }

    /** As above; {@code beforeHeld} runs on the new channel before the executor is held. */
    private ListenableFuture<String> queuedCall(Transport transport, Consumer<ServerBuilder<?>> support, BeforeHeld beforeHeld)
            throws Exception {
        server = transport.start(b -> {
            b.executor(executor).addService(service.definition());
            support.accept(b);
            // The test's own view of the transport: it creates a stream's tracers when it accepts the stream.
            b.addStreamTracerFactory(new ServerStreamTracer.Factory() {
                @Override
                public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
                    if (fullMethodName.startsWith(TestService.NAME + "/")) {
                        accepted.countDown();
                    }
                    return new ServerStreamTracer() {
                    };
                }
            });
        });
        channel = transport.channel(server);
        beforeHeld.run();
        executor.execute(() -> {
            try {
                executorFree.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ListenableFuture<String> queued = ClientCalls.futureUnaryCall(channel.newCall(TestService.UNARY, CallOptions.DEFAULT), "ok");
        assertThat(accepted.await(10, TimeUnit.SECONDS)).as("the transport accepted the call").isTrue();
        assertThat(service.entered).as("the call still waits for the executor").isEmpty();
        return queued;
    }

    /** What runs on the new channel before the executor is held. */
    private interface BeforeHeld {
        Object run() throws Exception;
    }

    private static ShutdownReport shutdownWith(io.github.sidecarshutdown.ShutdownTask drain) {
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder().sidecarMode(SidecarMode.NONE)
                .propagationDelay(Duration.ZERO).gracePeriod(Duration.ofSeconds(30)).drainTimeout(Duration.ofSeconds(10))
                .task(drain).build();
        return coordinator.shutdown();
    }
}
