package io.github.sidecarshutdown.examples.grpc;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.config.SettingParser;
import io.github.sidecarshutdown.grpc.GrpcHealthSupport;
import io.github.sidecarshutdown.grpc.GrpcServerSupport;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC service behind a sidecar: {@link OrdersService} on {@code APP_PORT}, with the standard
 * health service. Each call makes outbound calls to {@code DOWNSTREAM_URL} through
 * {@code OUTBOUND_PROXY}.
 *
 * <p>With {@code USE_LIBRARY=true} (default) its exit is ordered by the {@link ShutdownCoordinator}
 * ({@code SIDECAR_SHUTDOWN_*}): health goes NOT_SERVING, calls are served through the propagation
 * delay, the server drains, the sidecar is released once the app is done. With {@code false} it
 * does what grpc-java's examples do: a JVM hook that calls {@code server.shutdown()} and waits up
 * to 30 s for termination, knowing nothing of the sidecar. Prints {@code APP_READY port=N} and
 * {@code APP_EVENT} lines for the Pod simulator.
 */
public final class GrpcExampleApp {

    private GrpcExampleApp() {
    }

    public static void main(String[] args) throws Exception {
        boolean useLibrary = !"false".equalsIgnoreCase(env("USE_LIBRARY", "true"));
        int port = Integer.parseInt(env("APP_PORT", "9090"));
        Duration work = SettingParser.duration(Setting.TASK_TIMEOUT, "WORK", env("WORK", "1s"));
        Duration interval = SettingParser.duration(Setting.TASK_TIMEOUT, "STREAM_INTERVAL", env("STREAM_INTERVAL", "500ms"));
        Downstream downstream = new Downstream(env("DOWNSTREAM_URL", "http://127.0.0.1:9091"), env("OUTBOUND_PROXY", ""));
        OrdersService orders = new OrdersService(downstream, work, interval);
        HealthStatusManager health = new HealthStatusManager();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(orders.definition())
                .addService(health.getHealthService());

        Server server;
        if (useLibrary) {
            ShutdownCoordinator coordinator = ShutdownCoordinator.builder().fromEnvironment().build();
            GrpcServerSupport grpc = GrpcServerSupport.create(coordinator.inFlight());
            server = builder.intercept(grpc.interceptor()).build();
            coordinator.register(grpc.drainTask(server, coordinator.settings().drainTimeout()));
            GrpcHealthSupport.bind(coordinator.readiness(), health, OrdersService.NAME);
            coordinator.install();
            server.start();
            coordinator.awaitSidecarReady();
        } else {
            server = builder.build().start();
            // grpc-java's customary hook (its examples' HelloWorldServer): one more hook, racing the sidecar.
            Server s = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                event("sigterm");
                s.shutdown();
                try {
                    s.awaitTermination(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "grpc-shutdown"));
        }
        System.out.println("APP_READY port=" + server.getPort() + " library=" + useLibrary);
        System.out.flush();
        server.awaitTermination();
    }

    static void event(String what) {
        System.out.println("APP_EVENT " + what);
        System.out.flush();
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
