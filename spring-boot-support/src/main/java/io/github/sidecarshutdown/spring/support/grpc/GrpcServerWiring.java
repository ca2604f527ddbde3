package io.github.sidecarshutdown.spring.support.grpc;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.grpc.GrpcServerSupport;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.core.Ordered;

/**
 * The gRPC servers of one application context in its coordinator's exit: one interceptor for every
 * service (the frameworks apply global interceptors to each service, so all servers share it), and
 * one drain task for every server that started, registered as a bean like any task.
 */
public final class GrpcServerWiring {

    private final GrpcServerSupport support;
    private final ShutdownTask drainTask;
    private final List<Server> started = new CopyOnWriteArrayList<>();
    private final ServerInterceptor interceptor;

    /** @param coordinator the context's coordinator; its {@code drain-timeout} is the drain's graceful time */
    public GrpcServerWiring(ShutdownCoordinator coordinator) {
        this.support = GrpcServerSupport.create(coordinator.inFlight());
        this.drainTask = support.drainTask(GrpcServerSupport.DRAIN_TASK_NAME, () -> started,
                coordinator.settings().drainTimeout());
        this.interceptor = new FirstInterceptor(support.interceptor());
    }

    /**
     * The interceptor, ordered {@link Ordered#HIGHEST_PRECEDENCE}: both frameworks run global
     * interceptors in order, so it runs first and also counts calls another interceptor rejects.
     *
     * @return the interceptor to register as the framework's global server interceptor
     */
    public ServerInterceptor interceptor() {
        return interceptor;
    }

    /** @return the drain task of every server started so far */
    public ShutdownTask drainTask() {
        return drainTask;
    }

    /**
     * A server started: the drain task will stop it.
     *
     * @param server the framework's server, from its started event
     */
    public void serverStarted(Server server) {
        if (!started.contains(server)) {
            started.add(server);
        }
    }

    /** @return the servers started so far */
    public List<Server> servers() {
        return List.copyOf(started);
    }

    /** @return the calls in flight now (health and reflection calls left out) */
    public int callsInFlight() {
        return support.callsInFlight();
    }

    /** Delegates, with an order the frameworks' sorting sees. */
    private static final class FirstInterceptor implements ServerInterceptor, Ordered {
        private final ServerInterceptor delegate;

        FirstInterceptor(ServerInterceptor delegate) {
            this.delegate = delegate;
        }

        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                ServerCallHandler<ReqT, RespT> next) {
            return delegate.interceptCall(call, headers, next);
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }

        @Override
        public String toString() {
            return "sidecar-shutdown gRPC in-flight tracking";
        }
    }
}
