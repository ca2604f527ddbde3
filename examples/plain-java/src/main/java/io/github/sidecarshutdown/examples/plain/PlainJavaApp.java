package io.github.sidecarshutdown.examples.plain;

import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.TaskContext;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.config.SettingParser;
import io.github.sidecarshutdown.jdkhttp.JdkHttpServerSupport;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * A plain-Java service behind a sidecar: a JDK {@link HttpServer} serving {@code /hello} (which
 * takes {@code REQUEST_TIME}, default 50 ms) and {@code /ready}, whose exit makes outbound cleanup
 * calls to {@code DOWNSTREAM_URL} ({@code CLEANUP_CALLS} calls spread over {@code CLEANUP_WORK}).
 *
 * <p>With {@code USE_LIBRARY=true} (default) the exit is ordered by {@link ShutdownCoordinator},
 * configured from {@code SIDECAR_SHUTDOWN_*}. With {@code false} it does what most apps do today:
 * a plain shutdown hook that stops the server and makes the same calls, knowing nothing of the
 * sidecar. {@code OUTBOUND_PROXY=host:port} sends outbound calls through that proxy, the way
 * iptables sends them through Envoy in a Pod. {@code STARTUP_URL} with {@code STARTUP_CALLS=N}: before
 * it reports ready, the app makes N POSTs there (registering itself, fetching its configuration), after
 * the library's {@code awaitSidecarReady()} with the library, at once without. Prints
 * {@code APP_READY port=N} and {@code APP_EVENT} lines for the Pod simulator.
 */
public final class PlainJavaApp {

    private PlainJavaApp() {
    }

    public static void main(String[] args) throws Exception {
        boolean useLibrary = !"false".equalsIgnoreCase(env("USE_LIBRARY", "true"));
        int port = Integer.parseInt(env("APP_PORT", "8080"));
        String downstream = env("DOWNSTREAM_URL", "http://127.0.0.1:9090");
        Duration work = SettingParser.duration(Setting.TASK_TIMEOUT, "CLEANUP_WORK", env("CLEANUP_WORK", "1s"));
        Duration requestTime = SettingParser.duration(Setting.TASK_TIMEOUT, "REQUEST_TIME", env("REQUEST_TIME", "50ms"));
        int calls = Integer.parseInt(env("CLEANUP_CALLS", String.valueOf(Math.max(1, work.toMillis() / 500))));
        Proxy proxy = proxy(env("OUTBOUND_PROXY", ""));
        Cleanup cleanup = new Cleanup(downstream, proxy, work, calls);

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        server.setExecutor(Executors.newFixedThreadPool(64));
        var hello = server.createContext("/hello", exchange -> {
            try {
                Thread.sleep(requestTime.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "hello\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });

        if (useLibrary) {
            ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                    .fromEnvironment()
                    .task(ShutdownTask.builder("cleanup-calls", cleanup::run)
                            .timeout(work.plusSeconds(5)).build())
                    .build();
            coordinator.register(JdkHttpServerSupport.stopTask(server, coordinator.inFlight(), Duration.ofSeconds(2)));
            hello.getFilters().add(JdkHttpServerSupport.inFlightFilter(coordinator.inFlight()));
            server.createContext("/ready", JdkHttpServerSupport.readinessHandler(coordinator.readiness()));
            coordinator.install();
            server.start();
            coordinator.awaitSidecarReady();
            startupCalls(proxy);
        } else {
            server.createContext("/ready", exchange -> {
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            // What apps do today: one more hook, racing the sidecar's own exit.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                event("sigterm");
                server.stop(1);
                try {
                    cleanup.run(null);
                } catch (Exception e) {
                    event("cleanup-failed " + e);
                }
            }, "app-shutdown"));
            server.start();
            startupCalls(proxy);
        }
        System.out.println("APP_READY port=" + server.getAddress().getPort() + " library=" + useLibrary);
        System.out.flush();
        Thread.currentThread().join();
    }

    /** The app's outbound calls at startup, through the sidecar like every other; a failure is logged. */
    private static void startupCalls(Proxy proxy) {
        String url = env("STARTUP_URL", "");
        int calls = Integer.parseInt(env("STARTUP_CALLS", "0"));
        for (int i = 1; i <= calls && !url.isBlank(); i++) {
            try {
                Cleanup.post(url + "?call=" + i, proxy, Duration.ofSeconds(2));
                event("startup-call " + i + " ok");
            } catch (IOException e) {
                event("startup-call " + i + " failed " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    /** The app's outbound cleanup: {@code calls} POSTs, spread evenly over {@code work}. */
    private static final class Cleanup {
        private final String downstream;
        private final Proxy proxy;
        private final Duration work;
        private final int calls;

        Cleanup(String downstream, Proxy proxy, Duration work, int calls) {
            this.downstream = downstream;
            this.proxy = proxy;
            this.work = work;
            this.calls = calls;
        }

        void run(TaskContext ctx) throws Exception {
            long pause = work.toMillis() / calls;
            int failed = 0;
            for (int i = 1; i <= calls; i++) {
                Thread.sleep(pause);
                try {
                    post(downstream + "/cleanup?call=" + i, proxy, ctx == null ? Duration.ofSeconds(2) : ctx.remaining());
                    event("cleanup-call " + i + " ok");
                } catch (IOException e) {
                    failed++;
                    event("cleanup-call " + i + " failed " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
            if (failed > 0) {
                throw new IOException(failed + " of " + calls + " cleanup calls failed");
            }
        }

        static void post(String url, Proxy proxy, Duration budget) throws IOException {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection(proxy);
            int timeout = (int) Math.max(1, Math.min(2000, budget.toMillis()));
            c.setConnectTimeout(timeout);
            c.setReadTimeout(timeout);
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            try (OutputStream out = c.getOutputStream()) {
                out.write("{}".getBytes(StandardCharsets.UTF_8));
            }
            int status = c.getResponseCode();
            c.getInputStream().readAllBytes();
            if (status != 200) {
                throw new IOException("HTTP " + status);
            }
        }
    }

    private static Proxy proxy(String hostPort) {
        if (hostPort.isBlank()) {
            return Proxy.NO_PROXY;
        }
        int colon = hostPort.lastIndexOf(':');
        return new Proxy(Proxy.Type.HTTP, new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1))));
    }

    private static void event(String what) {
        System.out.println("APP_EVENT " + what);
        System.out.flush();
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
