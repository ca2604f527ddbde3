package io.github.sidecarshutdown.spring.boot3.autoconfigure;

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
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import java.util.concurrent.TimeUnit;
import net.devh.boot.grpc.server.autoconfigure.GrpcHealthServiceAutoConfiguration;
import net.devh.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration;
import net.devh.boot.grpc.server.autoconfigure.GrpcServerFactoryAutoConfiguration;
import net.devh.boot.grpc.server.serverfactory.GrpcServerLifecycle;
import net.devh.boot.grpc.server.service.GrpcService;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@code net.devh:grpc-server-spring-boot-starter} 3.1 on Spring Boot 3.5 with the starter: what is wired without user code. */
class SidecarShutdownBoot3GrpcAutoConfigurationTest {

    private static final int MOVED_PHASE = SidecarCleanupLifecycle.phaseFor(SidecarShutdownBoot3AutoConfiguration.GRACEFUL_SHUTDOWN_PHASE) - 1;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SidecarShutdownBoot3AutoConfiguration.class,
                    SidecarShutdownBoot3GrpcAutoConfiguration.class, GrpcServerAutoConfiguration.class,
                    GrpcServerFactoryAutoConfiguration.class, GrpcHealthServiceAutoConfiguration.class))
            .withUserConfiguration(Service.class)
            .withPropertyValues("sidecar.shutdown.sidecar-mode=none", "sidecar.shutdown.propagation-delay=0s",
                    "grpc.server.port=0", "grpc.server.address=127.0.0.1", "spring.lifecycle.timeout-per-shutdown-phase=10s");

    @Configuration(proxyBeanMethods = false)
    static class Service {
        @Bean
        @GrpcService
        GrpcTestService grpcTestService() {
            return new GrpcTestService();
        }
    }

    @Test
    void interceptorDrainTaskHealthAndTheServerLifecycleAreWired() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(GrpcServerWiring.class);
            ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
            GrpcServerWiring wiring = context.getBean(GrpcServerWiring.class);
            assertThat(coordinator.tasks()).extracting(t -> t.name()).contains(GrpcServerSupport.DRAIN_TASK_NAME);
            assertThat(wiring.servers()).hasSize(1);
            GrpcServerLifecycle lifecycle = context.getBean(GrpcServerLifecycle.class);
            assertThat(lifecycle.getPhase()).isEqualTo(MOVED_PHASE);
            assertThat(lifecycle.isRunning()).isTrue();

            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", wiring.servers().get(0).getPort())
                    .usePlaintext().build();
            try {
                assertThat(ClientCalls.blockingUnaryCall(channel, GrpcTestService.UNARY,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "ok")).isEqualTo("done ok");
                assertThat(coordinator.inFlight().arrivals()).isEqualTo(1);
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
    void noGrpcStarterNothingWired() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SidecarShutdownBoot3AutoConfiguration.class,
                        SidecarShutdownBoot3GrpcAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(GrpcServerLifecycle.class))
                .withPropertyValues("sidecar.shutdown.sidecar-mode=none", "sidecar.shutdown.propagation-delay=0s")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(ShutdownCoordinator.class)
                        .doesNotHaveBean(GrpcServerWiring.class));
    }

    @Test
    void noGrpcServiceNoTask() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SidecarShutdownBoot3AutoConfiguration.class,
                        SidecarShutdownBoot3GrpcAutoConfiguration.class))
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
