package io.github.sidecarshutdown.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.grpc.GrpcServerSupport;
import io.github.sidecarshutdown.spring.support.SidecarCleanupLifecycle;
import io.github.sidecarshutdown.spring.support.grpc.GrpcServerWiring;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerFactoryAutoConfiguration;
import org.springframework.boot.grpc.server.autoconfigure.health.GrpcServerHealthAutoConfiguration;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/** Spring gRPC 1.0 on Spring Boot 4 with the starter: what is wired without user code. */
class SidecarShutdownGrpcAutoConfigurationTest {

    private static final int MOVED_PHASE = SidecarCleanupLifecycle.phaseFor(SidecarShutdownAutoConfiguration.GRACEFUL_SHUTDOWN_PHASE) - 1;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SidecarShutdownAutoConfiguration.class, SidecarShutdownGrpcAutoConfiguration.class,
                    GrpcServerFactoryAutoConfiguration.class, GrpcServerAutoConfiguration.class, GrpcServerHealthAutoConfiguration.class))
            .withUserConfiguration(Service.class)
            .withPropertyValues("sidecar.shutdown.sidecar-mode=none", "sidecar.shutdown.propagation-delay=0s",
                    "spring.grpc.server.port=0", "spring.grpc.server.host=127.0.0.1", "spring.grpc.server.health.enabled=true",
                    "spring.lifecycle.timeout-per-shutdown-phase=10s");

    @Configuration(proxyBeanMethods = false)
    static class Service {
        @Bean
        GrpcTestService grpcTestService() {
            return new GrpcTestService();
        }

        @Bean
        DefaultSslBundleRegistry sslBundleRegistry() {
            return new DefaultSslBundleRegistry();
        }
    }

    @Test
    void interceptorDrainTaskHealthAndTheServerLifecycleAreWired() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(GrpcServerWiring.class);
            ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
            GrpcServerWiring wiring = context.getBean(GrpcServerWiring.class);
            // the drain task is registered, and knows the server Spring gRPC started
            assertThat(coordinator.tasks()).extracting(t -> t.name()).contains(GrpcServerSupport.DRAIN_TASK_NAME);
            assertThat(wiring.servers()).hasSize(1);
            // Spring gRPC's lifecycle now stops after the library's cleanup lifecycle
            GrpcServerLifecycle lifecycle = context.getBean(GrpcServerLifecycle.class);
            assertThat(lifecycle.getPhase()).isEqualTo(MOVED_PHASE);
            assertThat(lifecycle.isRunning()).isTrue();

            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", lifecycle.getPort()).usePlaintext().build();
            try {
                // every call is counted by the interceptor
                assertThat(ClientCalls.blockingUnaryCall(channel, GrpcTestService.UNARY,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "ok")).isEqualTo("done ok");
                assertThat(coordinator.inFlight().arrivals()).isEqualTo(1);
                // health follows readiness, for the server and its service
                assertThat(coordinator.readiness().isReady()).isTrue();
                HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
                assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
                assertThat(health.check(HealthCheckRequest.newBuilder().setService(GrpcTestService.NAME).build()).getStatus())
                        .isEqualTo(ServingStatus.SERVING);
                coordinator.readiness().markShuttingDown();
                assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
                assertThat(health.check(HealthCheckRequest.newBuilder().setService(GrpcTestService.NAME).build()).getStatus())
                        .isEqualTo(ServingStatus.NOT_SERVING);
            } finally {
                channel.shutdownNow();
            }
        });
    }

    @Test
    void offWhenTheLibraryIsOff() {
        runner.withPropertyValues("sidecar.shutdown.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(GrpcServerWiring.class)
                    .doesNotHaveBean("sidecarShutdownGrpcInterceptor");
            assertThat(context.getBean(GrpcServerLifecycle.class).getPhase()).isEqualTo(Integer.MAX_VALUE);
        });
    }

    @Test
    void noSpringGrpcNothingWired() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SidecarShutdownAutoConfiguration.class, SidecarShutdownGrpcAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(GrpcServerLifecycle.class))
                .withPropertyValues("sidecar.shutdown.sidecar-mode=none", "sidecar.shutdown.propagation-delay=0s")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(ShutdownCoordinator.class)
                        .doesNotHaveBean(GrpcServerWiring.class));
    }

    @Test
    void noGrpcServiceNoTask() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SidecarShutdownAutoConfiguration.class, SidecarShutdownGrpcAutoConfiguration.class))
                .withPropertyValues("sidecar.shutdown.sidecar-mode=none", "sidecar.shutdown.propagation-delay=0s")
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(GrpcServerWiring.class);
                    assertThat(context.getBean(ShutdownCoordinator.class).tasks()).isEmpty();
                });
    }

    @Test
    void withoutGrpcServicesEverythingButHealthIsWired() {
        runner.withClassLoader(new FilteredClassLoader(HealthStatusManager.class)).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(GrpcServerWiring.class);
            assertThat(context.getBean(ShutdownCoordinator.class).tasks()).extracting(t -> t.name())
                    .contains(GrpcServerSupport.DRAIN_TASK_NAME);
        });
    }
}
