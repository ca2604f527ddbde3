package io.github.sidecarshutdown.spring.autoconfigure;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.grpc.GrpcServerSupport;
import io.github.sidecarshutdown.spring.support.SidecarCleanupLifecycle;
import io.github.sidecarshutdown.spring.support.grpc.GrpcHealthWiring;
import io.github.sidecarshutdown.spring.support.grpc.GrpcServerLifecyclePhase;
import io.github.sidecarshutdown.spring.support.grpc.GrpcServerWiring;
import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.protobuf.services.HealthStatusManager;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;

/**
 * Spring Boot 4 with Spring gRPC 1.0: the gRPC server in the coordinator's exit, without user code.
 * The interceptor is a global server interceptor of the highest precedence (every call in flight is
 * counted); the server lifecycle, which Spring gRPC stops before anything else, is moved below the
 * library's cleanup lifecycle, so the server serves through the propagation delay and the library's
 * drain task (phase {@code inbound_drain}, graceful time {@code drain-timeout}) stops it; Spring
 * gRPC's {@link HealthStatusManager}, when present, follows readiness for {@code ""} and each service.
 * Off with {@code sidecar.shutdown.enabled=false}: Spring gRPC then runs as without the library.
 */
@AutoConfiguration(after = SidecarShutdownAutoConfiguration.class,
        afterName = "org.springframework.boot.grpc.server.autoconfigure.health.GrpcServerHealthAutoConfiguration")
@ConditionalOnClass({GrpcServerSupport.class, GrpcServerLifecycle.class, ServerInterceptor.class})
@ConditionalOnProperty(prefix = "sidecar.shutdown", name = "enabled", matchIfMissing = true)
public class SidecarShutdownGrpcAutoConfiguration {

    /** Created by Spring Boot. */
    public SidecarShutdownGrpcAutoConfiguration() {
    }

    /**
     * @return moves Spring gRPC's server lifecycle just below the library's cleanup lifecycle
     */
    @Bean
    static GrpcServerLifecyclePhase sidecarGrpcServerLifecyclePhase() {
        return new GrpcServerLifecyclePhase(GrpcServerLifecycle.class,
                SidecarCleanupLifecycle.phaseFor(SidecarShutdownAutoConfiguration.GRACEFUL_SHUTDOWN_PHASE) - 1);
    }

    /**
     * Only with a gRPC service to serve (neither gRPC starter creates a server without one), so an
     * app that merely has the starter on its class path gets no task.
     *
     * @param coordinator the app's coordinator
     * @return the context's gRPC servers in the coordinator's exit
     */
    @Bean
    @ConditionalOnBean({ShutdownCoordinator.class, BindableService.class})
    public GrpcServerWiring sidecarGrpcServerWiring(ShutdownCoordinator coordinator) {
        return new GrpcServerWiring(coordinator);
    }

    /**
     * @param wiring the gRPC wiring
     * @return the in-flight interceptor, applied by Spring gRPC to every service
     */
    @Bean
    @GlobalServerInterceptor
    @ConditionalOnBean(GrpcServerWiring.class)
    public ServerInterceptor sidecarShutdownGrpcInterceptor(GrpcServerWiring wiring) {
        return wiring.interceptor();
    }

    /**
     * @param wiring the gRPC wiring
     * @return the drain task, registered with the coordinator like the app's task beans
     */
    @Bean
    @ConditionalOnBean(GrpcServerWiring.class)
    public ShutdownTask sidecarGrpcServerDrainTask(GrpcServerWiring wiring) {
        return wiring.drainTask();
    }

    /**
     * @param wiring the gRPC wiring
     * @return records each server Spring gRPC starts, for the drain
     */
    @Bean
    @ConditionalOnBean(GrpcServerWiring.class)
    public ApplicationListener<GrpcServerStartedEvent> sidecarGrpcServerStartedListener(GrpcServerWiring wiring) {
        return new ServerStarted(wiring);
    }

    /** Health, when Spring gRPC created a {@link HealthStatusManager}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthStatusManager.class)
    static class HealthConfiguration {

        @Bean
        @ConditionalOnBean({ShutdownCoordinator.class, HealthStatusManager.class})
        ApplicationListener<GrpcServerStartedEvent> sidecarGrpcHealthBinding(HealthStatusManager health,
                ShutdownCoordinator coordinator) {
            return new HealthBinding(health, coordinator);
        }
    }

    /** Records each started server for the drain. */
    private static final class ServerStarted implements ApplicationListener<GrpcServerStartedEvent> {
        private final GrpcServerWiring wiring;

        ServerStarted(GrpcServerWiring wiring) {
            this.wiring = wiring;
        }

        @Override
        public void onApplicationEvent(GrpcServerStartedEvent event) {
            wiring.serverStarted(event.getServer());
        }
    }

    /** Binds health to readiness for each started server's services. */
    private static final class HealthBinding implements ApplicationListener<GrpcServerStartedEvent> {
        private final HealthStatusManager health;
        private final ShutdownCoordinator coordinator;

        HealthBinding(HealthStatusManager health, ShutdownCoordinator coordinator) {
            this.health = health;
            this.coordinator = coordinator;
        }

        @Override
        public void onApplicationEvent(GrpcServerStartedEvent event) {
            GrpcHealthWiring.bind(health, coordinator.readiness(), event.getServer());
        }
    }
}
