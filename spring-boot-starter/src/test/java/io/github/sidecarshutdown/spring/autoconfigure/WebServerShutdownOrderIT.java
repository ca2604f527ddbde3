package io.github.sidecarshutdown.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.PhaseResult;
import io.github.sidecarshutdown.ReportOutcome;
import io.github.sidecarshutdown.ShutdownListener;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.TaskContext;
import io.github.sidecarshutdown.spring.SidecarShutdownCustomizer;
import io.github.sidecarshutdown.spring.SidecarShutdownTask;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * A real Spring Boot app on a real server, closed while requests arrive: readiness goes off first,
 * the server keeps serving through the propagation delay, Spring's graceful shutdown then drains
 * an in-flight request, and only after that does the coordinator enter its inbound drain; cleanup
 * runs while beans are alive; the sidecar release comes after the last bean was destroyed.
 */
class WebServerShutdownOrderIT {

    static final Duration DELAY = Duration.ofSeconds(2);
    static final Duration SLOW = Duration.ofMillis(2500);

    /** Event name to the nanoTime it happened at, plus the order they happened in. */
    static final Map<String, Long> at = new ConcurrentHashMap<>();
    static final List<String> order = new CopyOnWriteArrayList<>();
    static final AtomicReference<ShutdownReport> report = new AtomicReference<>();

    static void event(String name) {
        at.putIfAbsent(name, System.nanoTime());
        order.add(name);
    }

    enum Server {
        TOMCAT(WebApplicationType.SERVLET, MvcApp.class, "Tomcat"),
        NETTY(WebApplicationType.REACTIVE, FluxApp.class, "Netty");

        final WebApplicationType type;
        final Class<?> app;
        final String serverName;

        Server(WebApplicationType type, Class<?> app, String serverName) {
            this.type = type;
            this.app = app;
            this.serverName = serverName;
        }
    }

    record Result(long start, long end, boolean ok) {
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void closingTheContextRunsTheSequenceAroundSpringsGracefulShutdown(Server server) throws Exception {
        at.clear();
        order.clear();
        report.set(null);
        SpringApplication app = new SpringApplication(server.app);
        app.setWebApplicationType(server.type);
        app.setRegisterShutdownHook(false); // no JVM hook in the test JVM: the context is closed by hand
        ConfigurableApplicationContext context = app.run("--server.port=0", "--server.address=127.0.0.1",
                "--sidecar.shutdown.sidecar-mode=none", "--sidecar.shutdown.propagation-delay=" + DELAY.toMillis() + "ms",
                "--spring.lifecycle.timeout-per-shutdown-phase=15s", "--spring.main.banner-mode=off");
        assertThat(context.getClass().getSimpleName()).containsIgnoringCase(server.type == WebApplicationType.SERVLET ? "Servlet" : "Reactive");
        var webServer = ((WebServerApplicationContext) context).getWebServer();
        assertThat(webServer.getClass().getSimpleName()).contains(server.serverName);
        int port = webServer.getPort();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        // inbound load throughout
        List<Result> results = new CopyOnWriteArrayList<>();
        AtomicBoolean load = new AtomicBoolean(true);
        Thread hammer = new Thread(() -> {
            while (load.get()) {
                results.add(call(client, port, "/hello"));
                sleep(20);
            }
        }, "hammer");
        hammer.start();
        sleep(300);

        // when the context closes (as Spring Boot's hook would do on SIGTERM)
        long closeAt = System.nanoTime();
        Thread closer = new Thread(context::close, "closer");
        closer.start();
        // a slow request that arrives during the propagation delay and is still running when it ends
        sleep(300);
        Result slow = call(client, port, "/slow");
        closer.join(TimeUnit.SECONDS.toMillis(60));
        load.set(false);
        hammer.join(10_000);

        // then
        assertThat(closer.isAlive()).as("context closed").isFalse();
        long refusing = at.getOrDefault("readiness REFUSING_TRAFFIC", Long.MAX_VALUE);
        assertThat(refusing).as("readiness went off").isBetween(closeAt, closeAt + TimeUnit.SECONDS.toNanos(5));
        assertThat(results).filteredOn(r -> !r.ok()).as("no request failed before readiness went off")
                .allSatisfy(r -> assertThat(r.start()).isGreaterThan(refusing));
        long delayEnd = refusing + DELAY.toNanos() - TimeUnit.MILLISECONDS.toNanos(300);
        assertThat(results).filteredOn(r -> r.start() > refusing && r.end() < delayEnd).as("served during the delay")
                .isNotEmpty().allSatisfy(r -> assertThat(r.ok()).isTrue());
        assertThat(slow.ok()).as("in-flight request drained by Spring's graceful shutdown").isTrue();
        // (against the server's own end of the request: this client may read the answer late on a busy machine)
        assertThat(at.get("phase-start inbound_drain")).as("inbound drain after the web server drained")
                .isGreaterThan(at.get("slow served"));
        assertThat(order).containsSubsequence("readiness REFUSING_TRAFFIC", "phase-done early_outbound",
                "phase-start inbound_drain", "task cleanup alive=true", "phase-done release", "downstream destroyed",
                "phase-start sidecar_release");
        ShutdownReport r = report.get();
        assertThat(r).as("report").isNotNull();
        assertThat(r.complete()).isTrue();
        assertThat(r.outcome()).isEqualTo(ReportOutcome.CLEAN);
        assertThat(r.phases()).extracting(PhaseResult::phase).containsExactly(ShutdownPhase.READINESS_OFF,
                ShutdownPhase.PROPAGATION_DELAY, ShutdownPhase.EARLY_OUTBOUND, ShutdownPhase.INBOUND_DRAIN, ShutdownPhase.CLEANUP,
                ShutdownPhase.RELEASE, ShutdownPhase.SIDECAR_RELEASE, ShutdownPhase.REPORT);
    }

    private static Result call(HttpClient client, int port, String path) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return new Result(start, System.nanoTime(), response.statusCode() == 200);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new Result(start, System.nanoTime(), false);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** Stands for an HTTP client or data source the cleanup uses. */
    static class Downstream implements DisposableBean {
        volatile boolean alive = true;

        @Override
        public void destroy() {
            alive = false;
            event("downstream destroyed");
        }
    }

    static class Cleanup {
        private final Downstream downstream;

        Cleanup(Downstream downstream) {
            this.downstream = downstream;
        }

        @SidecarShutdownTask(name = "cleanup", timeout = "3s")
        void cleanup(TaskContext ctx) {
            event("task cleanup alive=" + downstream.alive);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Common implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {
        @Override
        public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> e) {
            event("readiness " + e.getState());
        }

        @Bean
        Downstream downstream() {
            return new Downstream();
        }

        @Bean
        Cleanup cleanup(Downstream downstream) {
            return new Cleanup(downstream);
        }

        @Bean
        SidecarShutdownCustomizer recorder() {
            return b -> b.listener(new ShutdownListener() {
                @Override
                public void onPhaseStarted(ShutdownPhase phase) {
                    event("phase-start " + phase.tagValue());
                }

                @Override
                public void onPhaseCompleted(PhaseResult result) {
                    event("phase-done " + result.phase().tagValue());
                }

                @Override
                public void onShutdownCompleted(ShutdownReport r) {
                    report.set(r);
                }
            });
        }
    }

    @RestController
    static class MvcController {
        @GetMapping("/hello")
        String hello() {
            return "hello";
        }

        @GetMapping("/slow")
        String slow() throws InterruptedException {
            Thread.sleep(SLOW.toMillis());
            event("slow served");
            return "slow";
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import({Common.class, MvcController.class})
    static class MvcApp {
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(Common.class)
    static class FluxApp {
        @Bean
        NettyReactiveWebServerFactory nettyFactory() {
            return new NettyReactiveWebServerFactory();
        }

        @Bean
        RouterFunction<ServerResponse> routes() {
            return RouterFunctions.route()
                    .GET("/hello", req -> ServerResponse.ok().bodyValue("hello"))
                    .GET("/slow", req -> Mono.delay(SLOW).doOnNext(t -> event("slow served")).then(ServerResponse.ok().bodyValue("slow")))
                    .build();
        }
    }

}
