package io.github.sidecarshutdown.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.ListenableFuture;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.TaskOutcome;
import io.github.sidecarshutdown.grpc.GrpcServerSupport;
import io.github.sidecarshutdown.spring.support.grpc.GrpcServerWiring;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * A real Spring Boot 4 application with Spring gRPC and the starter, no user wiring: closing the
 * context turns health off first, keeps serving through the propagation delay, lets the call in
 * flight finish, and the library's drain stops the server.
 */
class SpringGrpcShutdownIT {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        GrpcTestService grpcTestService() {
            return new GrpcTestService();
        }
    }

    @Test
    void closingTheContextDrainsTheGrpcServerAfterThePropagationDelay() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties("sidecar.shutdown.sidecar-mode=none", "sidecar.shutdown.propagation-delay=5s",
                        "spring.grpc.server.port=0", "spring.grpc.server.host=127.0.0.1", "spring.grpc.server.health.enabled=true",
                        "spring.lifecycle.timeout-per-shutdown-phase=20s")
                .run();
        ManagedChannel channel = null;
        try {
            GrpcTestService service = context.getBean(GrpcTestService.class);
            ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
            Server server = context.getBean(GrpcServerWiring.class).servers().get(0);
            channel = NettyChannelBuilder.forAddress("127.0.0.1", context.getBean(GrpcServerLifecycle.class).getPort())
                    .usePlaintext().build();
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
            assertThat(health.withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .isEqualTo(ServingStatus.SERVING);
            // given a call in flight
            ListenableFuture<String> inFlight = ClientCalls.futureUnaryCall(channel.newCall(GrpcTestService.UNARY, CallOptions.DEFAULT), "wait");
            assertThat(service.entered.poll(10, TimeUnit.SECONDS)).isEqualTo("wait");

            // when the context closes (what Spring Boot's hook does on SIGTERM)
            CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close);

            // then health goes off first, while the server still serves new calls during the delay (5 s:
            // room for a busy machine to get from close() to the check)
            await().atMost(Duration.ofSeconds(4)).until(() -> health.withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.NOT_SERVING);
            assertThat(ClientCalls.blockingUnaryCall(channel, GrpcTestService.UNARY,
                    CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "ok")).isEqualTo("done ok");
            assertThat(server.isShutdown()).as("the server still accepts calls during the propagation delay").isFalse();
            // the drain then waits for the call in flight
            await().atMost(Duration.ofSeconds(10)).until(server::isShutdown);
            assertThat(closed).isNotDone();
            service.release.countDown();
            assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("done wait");
            closed.get(30, TimeUnit.SECONDS);
            assertThat(server.isTerminated()).isTrue();
            ShutdownReport report = await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.report().orElse(null),
                    r -> r != null);
            assertThat(report.task(GrpcServerSupport.DRAIN_TASK_NAME).orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
            context.close();
        }
    }
}
