package io.github.sidecarshutdown.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every way a call can end, on a real server (in-process and Netty on loopback): the call is counted
 * while it runs and uncounted exactly once after it ended. A missing exit leaves {@code active() > 0};
 * a double exit shows as more exits than enters.
 */
class GrpcServerSupportInterceptorTest {

    private static final Duration SETTLE = Duration.ofMillis(300);

    private final CountingCounter counter = new CountingCounter();
    private final GrpcServerSupport support = GrpcServerSupport.create(counter);
    private final TestService service = new TestService();
    private Server server;
    private ManagedChannel channel;

    private void start(Transport transport) throws Exception {
        start(transport, service.definition());
    }

    private void start(Transport transport, io.grpc.ServerServiceDefinition definition) throws Exception {
        HealthStatusManager health = new HealthStatusManager();
        server = transport.start(b -> b.addService(definition).addService(health.getHealthService())
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

    /** The calls ended: as many exits as enters, none in flight, and it stays so (no late second exit). */
    private void assertAllExitedOnce(int calls) {
        await().atMost(Duration.ofSeconds(10)).until(() -> counter.exits.get() >= calls);
        await().during(SETTLE).atMost(SETTLE.plusSeconds(5))
                .until(() -> counter.exits.get() == calls && counter.enters.get() == calls);
        assertThat(counter.tracker.active()).isZero();
        assertThat(support.callsInFlight()).isZero();
    }

    private String unary(String request) {
        return ClientCalls.blockingUnaryCall(channel, TestService.UNARY, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                request);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void unaryClosedOk(Transport transport) throws Exception {
        start(transport);

        assertThat(unary("ok")).isEqualTo("done ok");

        assertAllExitedOnce(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void unaryClosedWithAnErrorStatus(Transport transport) throws Exception {
        start(transport);

        assertThatThrownBy(() -> unary("error")).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));

        assertAllExitedOnce(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void handlerThrows(Transport transport) throws Exception {
        start(transport);

        assertThatThrownBy(() -> unary("throw")).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN));

        assertAllExitedOnce(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void countedWhileTheHandlerWorks(Transport transport) throws Exception {
        // given a call whose handler waits
        start(transport);
        ListenableFuture<String> call = ClientCalls.futureUnaryCall(channel.newCall(TestService.UNARY, CallOptions.DEFAULT), "wait");
        assertThat(service.entered.poll(10, TimeUnit.SECONDS)).isEqualTo("wait");

        // then it is in flight until it ends
        assertThat(counter.tracker.active()).isEqualTo(1);
        assertThat(support.callsInFlight()).isEqualTo(1);
        service.release.countDown();
        assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo("done wait");
        assertAllExitedOnce(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void clientCancelsAUnaryCallWhileItsHandlerWorks(Transport transport) throws Exception {
        // given
        start(transport);
        ListenableFuture<String> call = ClientCalls.futureUnaryCall(channel.newCall(TestService.UNARY, CallOptions.DEFAULT), "wait");
        assertThat(service.entered.poll(10, TimeUnit.SECONDS)).isEqualTo("wait");

        // when the client cancels, then the handler returns
        call.cancel(true);
        service.release.countDown();

        // then
        assertAllExitedOnce(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void clientCancelsAStream(Transport transport) throws Exception {
        // given a stream that runs until cancelled
        start(transport);
        ClientCall<String, String> call = channel.newCall(TestService.SERVER_STREAM, CallOptions.DEFAULT);
        Iterator<String> items = ClientCalls.blockingServerStreamingCall(call, "forever");
        assertThat(items.next()).isEqualTo("tick");

        // when
        call.cancel("test cancels", null);

        // then
        assertThat(service.cancelled.poll(10, TimeUnit.SECONDS)).isEqualTo("forever");
        assertAllExitedOnce(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void deadlineExceeded(Transport transport) throws Exception {
        // given a connected channel (a first connection may take longer than the deadline on a busy machine)
        start(transport);
        assertThat(unary("ok")).isEqualTo("done ok");
        assertThat(service.entered.poll(10, TimeUnit.SECONDS)).isEqualTo("ok");

        // when a call's deadline passes while its handler works
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, TestService.UNARY,
                CallOptions.DEFAULT.withDeadlineAfter(1, TimeUnit.SECONDS), "wait"))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(service.entered.poll(10, TimeUnit.SECONDS)).as("the call reached its handler").isEqualTo("wait");
        service.release.countDown();

        // then
        assertAllExitedOnce(2);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void serverStreamCompletes(Transport transport) throws Exception {
        start(transport);

        Iterator<String> items = ClientCalls.blockingServerStreamingCall(channel, TestService.SERVER_STREAM,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "3");

        assertThat(items).toIterable().containsExactly("item 0", "item 1", "item 2");
        assertAllExitedOnce(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void clientStreamHalfClosedThenClosed(Transport transport) throws Exception {
        start(transport);
        CompletableFuture<String> answer = new CompletableFuture<>();

        StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(
                channel.newCall(TestService.CLIENT_STREAM, CallOptions.DEFAULT), observer(answer));
        requests.onNext("a");
        requests.onNext("b");
        requests.onCompleted();

        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("2");
        assertAllExitedOnce(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void handlerThrowsOnAStreamMessage(Transport transport) throws Exception {
        start(transport);
        CompletableFuture<String> answer = new CompletableFuture<>();

        StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(
                channel.newCall(TestService.CLIENT_STREAM, CallOptions.DEFAULT), observer(answer));
        requests.onNext("throw");

        assertThat(answer).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                .havingRootCause().isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN));
        requests.onCompleted();
        assertAllExitedOnce(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void bidiStreamHalfClosedThenCompleted(Transport transport) throws Exception {
        start(transport);
        CompletableFuture<String> last = new CompletableFuture<>();

        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(TestService.BIDI, CallOptions.DEFAULT), observer(last));
        requests.onNext("x");
        requests.onNext("y");
        requests.onCompleted();

        assertThat(last.get(10, TimeUnit.SECONDS)).isEqualTo("y");
        assertAllExitedOnce(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void serverShutdownNowWhileAHandlerWorks(Transport transport) throws Exception {
        // given
        start(transport);
        ListenableFuture<String> call = ClientCalls.futureUnaryCall(channel.newCall(TestService.UNARY, CallOptions.DEFAULT), "wait");
        assertThat(service.entered.poll(10, TimeUnit.SECONDS)).isEqualTo("wait");

        // when the server stops at once while the handler still holds the call
        server.shutdownNow();

        // then the call fails without the handler's answer (released only after: released first,
        // the answer can beat the transport's cancel to the client), and it exits once
        assertThat(call).failsWithin(Duration.ofSeconds(10));
        service.release.countDown();
        assertAllExitedOnce(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anInterceptorBehindOursRejectsTheCall(Transport transport) throws Exception {
        // given an interceptor of the service (run after the server-wide ones) that throws
        ServerInterceptor throwing = new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                    ServerCallHandler<ReqT, RespT> next) {
                throw new IllegalStateException("rejected by the next interceptor");
            }
        };
        start(transport, ServerInterceptors.intercept(service.definition(), throwing));

        assertThatThrownBy(() -> unary("ok")).isInstanceOf(StatusRuntimeException.class);

        assertAllExitedOnce(1);
        assertThat(service.entered).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void manyConcurrentCallsAllEndOnce(Transport transport) throws Exception {
        start(transport);
        List<ListenableFuture<String>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String request = i % 5 == 0 ? "error" : i % 7 == 0 ? "throw" : "sleep:" + (i % 10);
            calls.add(ClientCalls.futureUnaryCall(channel.newCall(TestService.UNARY, CallOptions.DEFAULT), request));
        }
        for (ListenableFuture<String> c : calls) {
            try {
                c.get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException expected) {
                // errors and throws end with a status: still one exit each
            }
        }

        assertAllExitedOnce(50);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void healthChecksAreNotCounted(Transport transport) throws Exception {
        start(transport);

        HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
        assertThat(unary("ok")).isEqualTo("done ok");

        // only the app's call was counted
        assertAllExitedOnce(1);
        assertThat(counter.tracker.arrivals()).isEqualTo(1);
    }

    private static StreamObserver<String> observer(CompletableFuture<String> last) {
        return new StreamObserver<>() {
            private volatile String latest;

            @Override
            public void onNext(String value) {
                latest = value;
            }

            @Override
            public void onError(Throwable t) {
                last.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                last.complete(latest);
            }
        };
    }
}
