package io.github.sidecarshutdown.examples.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A small service without protoc (strings on the wire): {@code Place} works for a while, then tells
 * a downstream service through the sidecar; {@code Track} streams updates, each after an outbound
 * call. Every outbound call is printed as {@code APP_EVENT outbound <id> ok|failed} so a test can
 * count them.
 */
final class OrdersService {

    static final String NAME = "example.Orders";

    static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /** Request: the order id. Works {@code work}, notifies downstream, answers {@code placed <id>}. */
    static final MethodDescriptor<String, String> PLACE = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(NAME, "Place"))
            .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

    /** Request: {@code <id>:<n>}. Sends n updates, one per {@code interval}, each after a downstream call. */
    static final MethodDescriptor<String, String> TRACK = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(NAME, "Track"))
            .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

    private final Downstream downstream;
    private final Duration work;
    private final Duration interval;

    OrdersService(Downstream downstream, Duration work, Duration interval) {
        this.downstream = downstream;
        this.work = work;
        this.interval = interval;
    }

    ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(NAME)
                .addMethod(PLACE, ServerCalls.asyncUnaryCall(this::place))
                .addMethod(TRACK, ServerCalls.asyncServerStreamingCall(this::track))
                .build();
    }

    private void place(String id, StreamObserver<String> out) {
        GrpcExampleApp.event("start " + id);
        try {
            Thread.sleep(work.toMillis());
            downstream.notify(id);
            out.onNext("placed " + id);
            out.onCompleted();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
        } catch (IOException e) {
            out.onError(Status.INTERNAL.withDescription("downstream: " + e.getMessage()).asRuntimeException());
        }
    }

    private void track(String request, StreamObserver<String> out) {
        String id = request.substring(0, request.indexOf(':'));
        int updates = Integer.parseInt(request.substring(request.indexOf(':') + 1));
        GrpcExampleApp.event("start " + id);
        ServerCallStreamObserver<String> stream = (ServerCallStreamObserver<String>) out;
        try {
            for (int i = 1; i <= updates && !stream.isCancelled(); i++) {
                Thread.sleep(interval.toMillis());
                downstream.notify(id + "-" + i);
                out.onNext(id + " update " + i);
            }
            out.onCompleted();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
        } catch (IOException e) {
            out.onError(Status.INTERNAL.withDescription("downstream: " + e.getMessage()).asRuntimeException());
        }
    }
}
