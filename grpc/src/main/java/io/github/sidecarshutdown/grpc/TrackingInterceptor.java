package io.github.sidecarshutdown.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Tracks every call of the server from its start until grpc-java says it is over (see
 * {@link TrackedListener}). Calls of the health and reflection services are registered (the drain
 * closes them) but not counted: a health watch or a reflection stream stays open for as long as
 * its client likes and is no work of the app, and probes must not look like traffic to the quiet
 * period, as the servlet filter leaves the actuator out.
 */
final class TrackingInterceptor implements ServerInterceptor {

    /** Services whose calls are not the app's work. */
    static final Set<String> UNCOUNTED_SERVICES = Set.of("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection");

    private static final ServerCall.Listener<Object> NOTHING = new ServerCall.Listener<>() {
    };

    private final CallRegistry registry;
    private final CallCounter counter;

    TrackingInterceptor(CallRegistry registry, CallCounter counter) {
        this.registry = registry;
        this.counter = counter;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        @Nullable String service = call.getMethodDescriptor().getServiceName();
        boolean counted = service == null || !UNCOUNTED_SERVICES.contains(service);
        if (registry.refuses(counted)) {
            return refuse(call);
        }
        TrackedCall<ReqT, RespT> tracked = new TrackedCall<>(call, registry, counted ? counter : null);
        if (!registry.add(tracked)) {
            // The drain cut what was open while this call arrived: it must not start what it cannot finish.
            tracked.finish();
            return refuse(call);
        }
        ServerCall.Listener<ReqT> listener;
        try {
            listener = next.startCall(tracked, headers);
        } catch (RuntimeException | Error e) {
            // No listener of ours will ever hear of this call: it ends here.
            tracked.finish();
            throw e;
        }
        return new TrackedListener<>(listener, tracked);
    }

    @SuppressWarnings("unchecked")
    private static <ReqT, RespT> ServerCall.Listener<ReqT> refuse(ServerCall<ReqT, RespT> call) {
        call.close(GrpcServerSupport.CUT_STATUS, new Metadata());
        return (ServerCall.Listener<ReqT>) NOTHING;
    }
}
