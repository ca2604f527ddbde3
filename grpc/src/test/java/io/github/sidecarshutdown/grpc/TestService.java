package io.github.sidecarshutdown.grpc;

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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-written service (no protoc): strings on the wire, each method's behaviour chosen by its
 * request. The test drives it and waits on its latches; every wait is bounded.
 */
final class TestService {

    static final String NAME = "test.Echo";

    static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
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

    static final MethodDescriptor<String, String> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> SERVER_STREAM = method("ServerStream", MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<String, String> CLIENT_STREAM = method("ClientStream", MethodDescriptor.MethodType.CLIENT_STREAMING);
    static final MethodDescriptor<String, String> BIDI = method("Bidi", MethodDescriptor.MethodType.BIDI_STREAMING);

    /** Handlers that entered their work. */
    final BlockingQueue<String> entered = new LinkedBlockingQueue<>();
    /** Released by the test: handlers blocked on "wait" go on. */
    final CountDownLatch release = new CountDownLatch(1);
    /** Streams that saw their cancel handler run. */
    final BlockingQueue<String> cancelled = new LinkedBlockingQueue<>();

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(NAME, name))
                .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();
    }

    ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(NAME)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall(this::unary))
                .addMethod(SERVER_STREAM, ServerCalls.asyncServerStreamingCall(this::serverStream))
                .addMethod(CLIENT_STREAM, ServerCalls.asyncClientStreamingCall(this::clientStream))
                .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(this::bidi))
                .build();
    }

    /** "ok", "error" (NOT_FOUND), "throw", "wait" (until released, then ok), "sleep:N" (N ms, then ok). */
    private void unary(String request, StreamObserver<String> out) {
        entered.add(request);
        switch (request.split(":")[0]) {
            case "error" -> out.onError(Status.NOT_FOUND.withDescription("no such thing").asRuntimeException());
            case "throw" -> throw new IllegalStateException("handler failed");
            case "wait" -> {
                await();
                out.onNext("done " + request);
                out.onCompleted();
            }
            case "sleep" -> {
                sleep(Long.parseLong(request.split(":")[1]));
                out.onNext("done " + request);
                out.onCompleted();
            }
            default -> {
                out.onNext("done " + request);
                out.onCompleted();
            }
        }
    }

    /** "N": N messages then ok; "forever": one message every 20 ms until cancelled. */
    private void serverStream(String request, StreamObserver<String> out) {
        entered.add(request);
        ServerCallStreamObserver<String> server = (ServerCallStreamObserver<String>) out;
        server.setOnCancelHandler(() -> cancelled.add(request));
        if (request.equals("forever")) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!server.isCancelled() && System.nanoTime() < end) {
                out.onNext("tick");
                sleep(20);
            }
            return;
        }
        for (int i = 0; i < Integer.parseInt(request); i++) {
            out.onNext("item " + i);
        }
        out.onCompleted();
    }

    /** Collects the client's messages; answers with their count when the client half-closes. */
    private StreamObserver<String> clientStream(StreamObserver<String> out) {
        entered.add("client-stream");
        return new StreamObserver<>() {
            int count;

            @Override
            public void onNext(String value) {
                if (value.equals("throw")) {
                    throw new IllegalStateException("handler failed on a message");
                }
                count++;
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                out.onNext(String.valueOf(count));
                out.onCompleted();
            }
        };
    }

    /** Echoes each message; completes when the client half-closes. */
    private StreamObserver<String> bidi(StreamObserver<String> out) {
        entered.add("bidi");
        return new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                out.onNext(value);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                out.onCompleted();
            }
        };
    }

    private void await() {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
