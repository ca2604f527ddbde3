package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownTask;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.common.export.ProxyOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link OtherHooksBenchmark}: an app whose exit has something else sending through
 * the sidecar besides the library, with ({@code LIBRARY=true}, installed as the README shows) or
 * without the library. {@code SCENARIO}: {@code otel-cold}, {@code otel-warm} (the OpenTelemetry SDK's
 * own hook), {@code hook-200ms}, {@code hook-1500ms} (the library with a 1 s task beside it),
 * {@code grpc} (grpc-java's customary hook, a call in flight that calls out after 1.5 s).
 * {@code PROXY_PORT}: the sidecar's outbound proxy; {@code DOWNSTREAM_URL}: reached only through it.
 * Prints {@code APP_READY} once set up.
 */
final class OtherHooksApp {

    private static final MethodDescriptor<String, String> WORK = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("demo.Work/Do")
            .setRequestMarshaller(new Utf8()).setResponseMarshaller(new Utf8()).build();

    private static String downstream;
    private static InetSocketAddress proxy;

    private OtherHooksApp() {
    }

    public static void main(String[] args) throws Exception {
        String scenario = System.getenv("SCENARIO");
        downstream = System.getenv("DOWNSTREAM_URL");
        proxy = new InetSocketAddress("127.0.0.1", Integer.parseInt(System.getenv("PROXY_PORT")));
        if (Boolean.parseBoolean(System.getenv("LIBRARY"))) {
            var b = ShutdownCoordinator.builder().fromEnvironment();
            if (scenario.equals("hook-1500ms")) {
                b.task(ShutdownTask.builder("work", ctx -> Thread.sleep(1_000)).timeout(Duration.ofSeconds(3)).build());
            }
            ShutdownCoordinator c = b.build().install();
            c.awaitSidecarReady();
        }
        switch (scenario) {
            case "otel-cold" -> otel(false);
            case "otel-warm" -> otel(true);
            case "hook-200ms" -> sendingHook(200);
            case "hook-1500ms" -> sendingHook(1_500);
            case "grpc" -> grpc();
            default -> throw new IllegalArgumentException("SCENARIO: " + scenario);
        }
        System.out.println("APP_READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void otel(boolean warm) throws InterruptedException {
        Map<String, String> props = new HashMap<>();
        props.put("otel.service.name", "bench");
        props.put("otel.traces.exporter", "otlp");
        props.put("otel.metrics.exporter", "none");
        props.put("otel.logs.exporter", "none");
        props.put("otel.exporter.otlp.protocol", "http/protobuf");
        props.put("otel.exporter.otlp.traces.endpoint", downstream + "/v1/traces");
        props.put("otel.bsp.schedule.delay", warm ? "100" : "600000");
        Tracer tracer = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> props)
                .addSpanExporterCustomizer((exporter, config) -> {
                    OtlpHttpSpanExporter e = (OtlpHttpSpanExporter) exporter;
                    OtlpHttpSpanExporter viaSidecar = e.toBuilder().setProxy(ProxyOptions.create(proxy)).build();
                    e.shutdown();
                    return viaSidecar;
                })
                .build().getOpenTelemetrySdk().getTracer("bench");
        if (warm) {
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "span-maker"))
                    .scheduleAtFixedRate(() -> tracer.spanBuilder("tick").startSpan().end(), 0, 50, TimeUnit.MILLISECONDS);
            Thread.sleep(600);
        }
        tracer.spanBuilder("last-request").startSpan().end();
    }

    private static void sendingHook(long delayMs) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sleep(delayMs);
            send("/hook");
        }));
    }

    private static void grpc() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        ServerServiceDefinition service = ServerServiceDefinition.builder("demo.Work")
                .addMethod(WORK, ServerCalls.asyncUnaryCall((request, response) -> {
                    started.countDown();
                    sleep(1_500);
                    response.onNext(send("/grpc-callout"));
                    response.onCompleted();
                })).build();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            try {
                server.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        daemon(() -> {
            try {
                ClientCalls.blockingUnaryCall(channel, WORK, CallOptions.DEFAULT, "work");
            } catch (RuntimeException e) {
                // the call's fate is the downstream's record
            }
        }, "grpc-client").start();
        started.await(10, TimeUnit.SECONDS);
    }

    private static String send(String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(downstream + path).toURL().openConnection(new Proxy(Proxy.Type.HTTP, proxy));
            c.setConnectTimeout(2_000);
            c.setReadTimeout(5_000);
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            try (OutputStream o = c.getOutputStream()) {
                o.write(path.getBytes(StandardCharsets.UTF_8));
            }
            int status = c.getResponseCode();
            c.getInputStream().readAllBytes();
            return "ok " + status;
        } catch (IOException e) {
            return "failed " + e;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
