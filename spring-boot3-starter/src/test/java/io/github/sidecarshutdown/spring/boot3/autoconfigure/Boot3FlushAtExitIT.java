package io.github.sidecarshutdown.spring.boot3.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.TaskOutcome;
import io.github.sidecarshutdown.TaskResult;
import io.github.sidecarshutdown.flush.BatchingHttpAppender;
import io.github.sidecarshutdown.flush.Downstream;
import io.github.sidecarshutdown.flush.HttpLineAppender;
import io.github.sidecarshutdown.flush.LogbackFlush;
import io.github.sidecarshutdown.spring.SidecarShutdownTask;
import io.github.sidecarshutdown.testkit.emulator.EmulatorMode;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorExtension;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.ipc.http.HttpUrlConnectionSender;
import io.micrometer.influx.InfluxConfig;
import io.micrometer.influx.InfluxMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.export.ProxyOptions;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

/**
 * What a real Spring Boot 3.5 context does with the clients that send at exit, each exporting to a
 * loopback backend only through the sidecar emulator: the OpenTelemetry SDK (Spring Boot's
 * {@code OpenTelemetrySdk} bean over the app's tracer provider), a Micrometer push registry bean,
 * and two Logback network appenders in Spring's logging system: an {@code AsyncAppender} in front
 * of one that posts each line, and one that ships its lines in a batch. The SDK and the registry
 * are closed while Spring destroys the beans, which the starter's release waits for: their last
 * export arrives with nothing wired. Spring stops logging only after the release: the starter's
 * flush auto-configuration drains and stops the network appenders as the last cleanup task;
 * without it the batch is still held when the sidecar leaves, and lost.
 */
class Boot3FlushAtExitIT {

    static final int LINES = 30;

    @RegisterExtension
    static SidecarEmulatorExtension sidecar = SidecarEmulatorExtension.of(
            SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26).terminationDrainDuration(Duration.ofSeconds(20)));

    /** Set before each run: where the app's clients send, and through which proxy. */
    static volatile @Nullable Downstream backend;
    static volatile @Nullable InetSocketAddress proxy;
    /** The app's batching appender, set when the context starts. */
    static volatile @Nullable BatchingHttpAppender batching;

    private final Downstream downstream = new Downstream().delay(Duration.ofMillis(30));

    Boot3FlushAtExitIT() throws Exception {
    }

    @AfterEach
    void tearDown() {
        // Spring's logging system outlives the context in this JVM: take the test's appender off it.
        LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
        var root = logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (String name : List.of("ASYNC_HTTP", "BATCHING_HTTP")) {
            var appender = root.getAppender(name);
            if (appender != null) {
                root.detachAppender(appender);
                appender.stop();
            }
        }
        downstream.close();
    }

    private ConfigurableApplicationContext run(SidecarEmulator emulator, String... extra) {
        backend = downstream;
        proxy = emulator.outboundProxyAddress();
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setRegisterShutdownHook(false); // the test closes the context, as Spring's hook does on SIGTERM
        List<String> args = new java.util.ArrayList<>(List.of(
                "--sidecar.shutdown.sidecar-mode=istio",
                "--sidecar.shutdown.admin-url=" + emulator.adminUrl(),
                "--sidecar.shutdown.agent-url=" + emulator.agentUrl(),
                "--sidecar.shutdown.propagation-delay=0s",
                "--spring.main.banner-mode=off"));
        args.addAll(List.of(extra));
        return app.run(args.toArray(String[]::new));
    }

    /** The app's goodbye lines the log backend received one by one (the library's own INFO lines go there too). */
    private List<String> lines() {
        return downstream.received("/logs").stream().map(Downstream.Received::text).filter(l -> l.startsWith("goodbye-")).toList();
    }

    /** The app's goodbye lines the log backend received in batches. */
    private List<String> batchedLines() {
        return downstream.received("/log-batches").stream().flatMap(r -> r.text().lines()).filter(l -> l.startsWith("goodbye-")).toList();
    }

    private static List<String> goodbyes() {
        return IntStream.range(0, LINES).mapToObj(i -> "goodbye-" + i).toList();
    }

    @Test
    void theLastSpansMetricsAndLogLinesReachTheirBackendsBeforeTheSidecarIsReleased(SidecarEmulator emulator) throws Exception {
        // given a running app with unsent spans and metrics, and a network log appender
        ConfigurableApplicationContext context = run(emulator);
        ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
        context.getBean(OpenTelemetry.class).getTracer("it").spanBuilder("span-before-exit").startSpan().end();
        Counter.builder("it.orders").register(context.getBean(InfluxMeterRegistry.class)).increment(5);

        // when the Pod is deleted and Spring closes the context
        emulator.terminate();
        context.close();
        ShutdownReport report = coordinator.report().orElseThrow();

        // then the app's cleanup task ran, then the logging flush, and the sidecar was released last
        assertThat(report.sidecarReleased()).as(report.summaryLine()).isTrue();
        // a gRPC starter on the test classpath adds its server's drain task: not what this test is about
        assertThat(report.tasks()).filteredOn(t -> !t.name().startsWith("grpc-")).extracting(TaskResult::name).containsExactly("say-goodbye", LogbackFlush.TASK_NAME);
        assertThat(report.task(LogbackFlush.TASK_NAME).orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(report.task(LogbackFlush.TASK_NAME).orElseThrow().phase()).isEqualTo(ShutdownPhase.CLEANUP);
        // and every export arrived through the sidecar before it exited
        assertThat(lines()).containsExactlyElementsOf(goodbyes());
        assertThat(batchedLines()).containsExactlyElementsOf(goodbyes());
        assertThat(downstream.received("/v1/traces")).anySatisfy(r -> assertThat(r.contains("span-before-exit")).isTrue());
        assertThat(downstream.received("/v1/traces")).anySatisfy(r -> assertThat(r.contains("span-in-cleanup")).isTrue());
        assertThat(downstream.received("/write")).anySatisfy(r -> assertThat(r.text()).contains("it_orders").contains("value=5"));
        assertThat(emulator.awaitExit(Duration.ofSeconds(10))).isTrue();
        long exit = emulator.exitedAtNanos().orElseThrow();
        assertThat(downstream.received()).allSatisfy(r -> assertThat(r.atNanos()).isLessThan(exit));
    }

    /**
     * What happens without the starter's flush: the SDK and the registry still export (bean
     * destruction comes before the release), but the batching appender still holds its lines when
     * the sidecar leaves: Spring Boot stops logging only after the release, too late to send them.
     * (The one-by-one appender is not checked here: the release waits for requests in flight
     * through the sidecar, so its queue mostly gets out, unless a pause between two sends outlasts
     * that wait's settle time.)
     */
    @Test
    void withoutTheFlushAutoConfigurationQueuedLogLinesMissTheSidecar(SidecarEmulator emulator) throws Exception {
        ConfigurableApplicationContext context = run(emulator,
                "--spring.autoconfigure.exclude=" + SidecarShutdownBoot3FlushAutoConfiguration.class.getName());
        ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
        context.getBean(OpenTelemetry.class).getTracer("it").spanBuilder("span-before-exit").startSpan().end();
        Counter.builder("it.orders").register(context.getBean(InfluxMeterRegistry.class)).increment(5);

        emulator.terminate();
        context.close();
        ShutdownReport report = coordinator.report().orElseThrow();
        assertThat(report.sidecarReleased()).as(report.summaryLine()).isTrue();
        // a gRPC starter on the test classpath adds its server's drain task: not what this test is about
        assertThat(report.tasks()).filteredOn(t -> !t.name().startsWith("grpc-")).extracting(TaskResult::name).containsExactly("say-goodbye");
        assertThat(emulator.awaitExit(Duration.ofSeconds(10))).isTrue();

        // spans and metrics: delivered by bean destruction, before the release
        long exit = emulator.exitedAtNanos().orElseThrow();
        assertThat(downstream.received("/v1/traces")).anySatisfy(r -> assertThat(r.contains("span-in-cleanup")).isTrue());
        assertThat(downstream.received("/write")).anySatisfy(r -> assertThat(r.text()).contains("it_orders"));
        assertThat(downstream.received("/v1/traces")).allSatisfy(r -> assertThat(r.atNanos()).isLessThan(exit));
        assertThat(downstream.received("/write")).allSatisfy(r -> assertThat(r.atNanos()).isLessThan(exit));
        // log lines: the batch was still held when the sidecar left...
        assertThat(batchedLines()).isEmpty();
        // ...and Spring's logging shutdown, which stops the appenders after that, cannot send it any more
        BatchingHttpAppender held = batching;
        held.stop();
        assertThat(held.failed).hasValue(1);
        assertThat(batchedLines()).isEmpty();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {

        /** The app's tracer provider: batches, never exports on its own schedule in this test. */
        @Bean
        SdkTracerProvider sdkTracerProvider() {
            OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                    .setEndpoint(backend.url("/v1/traces").toString())
                    .setProxy(ProxyOptions.create(proxy))
                    .build();
            return SdkTracerProvider.builder()
                    .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofHours(1)).build())
                    .build();
        }

        /** A push registry; its step is long, so only its close publishes. */
        @Bean
        InfluxMeterRegistry influxMeterRegistry() {
            InfluxConfig config = new InfluxConfig() {
                @Override
                public @Nullable String get(String key) {
                    return null;
                }

                @Override
                public String uri() {
                    return "http://127.0.0.1:" + backend.port();
                }

                @Override
                public boolean autoCreateDb() {
                    return false;
                }

                @Override
                public Duration step() {
                    return Duration.ofHours(1);
                }
            };
            return InfluxMeterRegistry.builder(config)
                    .httpClient(new HttpUrlConnectionSender(Duration.ofSeconds(1), Duration.ofSeconds(10),
                            new Proxy(Proxy.Type.HTTP, proxy)))
                    .build();
        }

        /** Network appenders in Spring's logging system, as a logback-spring.xml would declare them. */
        @Bean
        SmartInitializingSingleton networkLogAppender() {
            return () -> {
                LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
                HttpLineAppender http = new HttpLineAppender(backend.url("/logs"), proxy);
                http.setContext(logback);
                http.start();
                AsyncAppender async = new AsyncAppender();
                async.setName("ASYNC_HTTP");
                async.setContext(logback);
                async.setDiscardingThreshold(0);
                async.addAppender(http);
                async.start();
                logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(async);
                BatchingHttpAppender batch = new BatchingHttpAppender(backend.url("/log-batches"), proxy);
                batch.setContext(logback);
                batch.start();
                logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(batch);
                batching = batch;
                logback.getLogger("flush.app").setLevel(Level.INFO);
            };
        }

        @Bean
        Goodbye goodbye(OpenTelemetry openTelemetry) {
            return new Goodbye(openTelemetry);
        }
    }

    /** The app's own cleanup: it logs and traces while it says goodbye. */
    @Component
    static class Goodbye {
        private static final Logger log = LoggerFactory.getLogger("flush.app");
        private final OpenTelemetry openTelemetry;

        Goodbye(OpenTelemetry openTelemetry) {
            this.openTelemetry = openTelemetry;
        }

        @SidecarShutdownTask(name = "say-goodbye")
        void sayGoodbye() {
            openTelemetry.getTracer("it").spanBuilder("span-in-cleanup").startSpan().end();
            for (int i = 0; i < LINES; i++) {
                log.info("goodbye-{}", i);
            }
        }
    }
}
