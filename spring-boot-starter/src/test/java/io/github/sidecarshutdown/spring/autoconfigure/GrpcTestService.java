package io.github.sidecarshutdown.spring.autoconfigure;

import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A hand-written gRPC service (no protoc): "ok" answers at once, "wait" once the test releases it. */
final class GrpcTestService implements BindableService {

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

    static final MethodDescriptor<String, String> UNARY = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(NAME, "Unary"))
            .setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();

    final BlockingQueue<String> entered = new LinkedBlockingQueue<>();
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public ServerServiceDefinition bindService() {
        return ServerServiceDefinition.builder(NAME)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((request, out) -> {
                    entered.add(request);
                    if (request.equals("wait")) {
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    out.onNext("done " + request);
                    out.onCompleted();
                }))
                .build();
    }
}
