package io.github.sidecarshutdown.jdkhttp;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.InFlightTracker;
import io.github.sidecarshutdown.ReadinessGate;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownTask;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Connects a JDK {@link HttpServer} to a coordinator: a filter that counts in-flight requests, a
 * readiness handler, and a task that stops the server during the inbound drain.
 *
 * <pre>{@code
 * server.createContext("/", handler).getFilters().add(JdkHttpServerSupport.inFlightFilter(coordinator.inFlight()));
 * server.createContext("/ready", JdkHttpServerSupport.readinessHandler(coordinator.readiness()));
 * coordinator.register(JdkHttpServerSupport.stopTask(server, coordinator.inFlight(), Duration.ofSeconds(5)));
 * }</pre>
 */
public final class JdkHttpServerSupport {

    private JdkHttpServerSupport() {
    }

    /** A filter that calls {@link InFlightTracker#enter()} and {@link InFlightTracker#exit(int)} around each exchange. */
    public static Filter inFlightFilter(InFlightTracker tracker) {
        Objects.requireNonNull(tracker, "tracker");
        return new Filter() {
            @Override
            public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                int token = tracker.enter();
                try {
                    chain.doFilter(exchange);
                } finally {
                    tracker.exit(token);
                }
            }

            @Override
            public String description() {
                return "sidecar-shutdown in-flight tracking";
            }
        };
    }

    /** Answers 200 {@code ready} while the gate is ready, else 503 with the gate's state. */
    public static HttpHandler readinessHandler(ReadinessGate gate) {
        Objects.requireNonNull(gate, "gate");
        return exchange -> {
            boolean ready = gate.isReady();
            byte[] body = (ready ? "ready\n" : gate.state().name().toLowerCase(Locale.ROOT) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(ready ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        };
    }

    /**
     * An {@link ShutdownPhase#INBOUND_DRAIN} task that waits up to {@code graceful} for the
     * tracker's in-flight requests to finish, then stops {@code server} at once. It does not rely
     * on {@link HttpServer#stop(int)}'s own grace: before JDK 21 (JDK-8304065) that call always
     * waits its full delay, even with nothing in flight, which would add whole seconds to every
     * Pod's termination.
     */
    public static ShutdownTask stopTask(HttpServer server, InFlightTracker tracker, Duration graceful) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(tracker, "tracker");
        Objects.requireNonNull(graceful, "graceful");
        return ShutdownTask.builder("stop-http-server", ctx -> {
            try {
                tracker.awaitIdle(graceful.compareTo(ctx.remaining()) < 0 ? graceful : ctx.remaining());
            } finally {
                server.stop(0);
            }
        }).phase(ShutdownPhase.INBOUND_DRAIN).timeout(graceful.plusSeconds(1)).build();
    }
}
