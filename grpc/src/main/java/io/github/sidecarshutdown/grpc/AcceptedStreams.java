package io.github.sidecarshutdown.grpc;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts each call of the app's services from the moment its transport accepted the stream until
 * the stream closed. grpc-java runs interceptors on the server's executor: a call accepted just
 * before {@code shutdown()} and still waiting there for a thread (a busy or shared executor) is in
 * no interceptor's count yet. A server stopped without the library serves it; the drain, counting
 * only what the interceptor saw, would have found nothing open and refused it once its turn came.
 * The transport creates these tracers on its own thread, before the executor is involved.
 */
final class AcceptedStreams extends ServerStreamTracer.Factory {

    /** For calls that are not work (health, reflection): nothing to count. */
    private static final ServerStreamTracer UNCOUNTED = new ServerStreamTracer() {
    };

    private final CallRegistry registry;

    AcceptedStreams(CallRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        if (!TrackingInterceptor.isWork(MethodDescriptor.extractFullServiceName(fullMethodName))) {
            return UNCOUNTED;
        }
        registry.streamAccepted();
        return new Accepted(registry);
    }

    /** One accepted stream: leaves the count when grpc-java reports it closed, once. */
    private static final class Accepted extends ServerStreamTracer {
        private final CallRegistry registry;
        private final AtomicBoolean closed = new AtomicBoolean();

        Accepted(CallRegistry registry) {
            this.registry = registry;
        }

        @Override
        public void streamClosed(Status status) {
            if (closed.compareAndSet(false, true)) {
                registry.streamEnded();
            }
        }
    }
}
