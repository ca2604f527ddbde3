package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.InFlightTracker;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The WebFlux form of {@link InFlightServletFilter}: counts inbound requests from subscription to
 * completion, error or cancellation, leaving actuator paths out.
 */
final class InFlightWebFilter implements WebFilter, Ordered {

    private final InFlightTracker tracker;
    private final String excludedPrefix;

    InFlightWebFilter(InFlightTracker tracker, String managementBasePath) {
        this.tracker = tracker;
        this.excludedPrefix = managementBasePath;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!excludedPrefix.isEmpty() && !excludedPrefix.equals("/")
                && (path.equals(excludedPrefix) || path.startsWith(excludedPrefix + "/"))) {
            return chain.filter(exchange);
        }
        // Deferred: a chain that is never subscribed must not leave a request counted.
        return Mono.defer(() -> {
            int token = tracker.enter();
            AtomicBoolean exited = new AtomicBoolean();
            return chain.filter(exchange).doFinally(signal -> {
                if (exited.compareAndSet(false, true)) {
                    tracker.exit(token);
                }
            });
        });
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }
}
