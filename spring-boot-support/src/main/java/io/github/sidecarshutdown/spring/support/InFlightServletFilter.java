package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.InFlightTracker;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.springframework.core.Ordered;

/**
 * Counts the app's inbound requests in the coordinator's {@link InFlightTracker}, so that the
 * quiet period can end the propagation delay only when no request arrives (without it, arrivals
 * would never change and the delay would end early under load). Actuator paths are left out:
 * probes arrive every few seconds and would keep the quiet period from ever ending. Async requests
 * count until they complete.
 */
final class InFlightServletFilter implements Filter, Ordered {

    private final InFlightTracker tracker;
    private final String excludedPrefix;

    InFlightServletFilter(InFlightTracker tracker, String managementBasePath) {
        this.tracker = tracker;
        this.excludedPrefix = managementBasePath;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest http) || excluded(http)) {
            chain.doFilter(request, response);
            return;
        }
        int token = tracker.enter();
        boolean async = false;
        try {
            chain.doFilter(request, response);
            if (request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new ExitOnComplete(tracker, token));
                async = true;
            }
        } finally {
            if (!async) {
                tracker.exit(token);
            }
        }
    }

    private boolean excluded(HttpServletRequest http) {
        if (excludedPrefix.isEmpty() || excludedPrefix.equals("/")) {
            return false;
        }
        String uri = http.getRequestURI();
        String path = uri.startsWith(http.getContextPath()) ? uri.substring(http.getContextPath().length()) : uri;
        return path.equals(excludedPrefix) || path.startsWith(excludedPrefix + "/");
    }

    @Override
    public int getOrder() {
        // Outermost, so the count covers all the app's own filters too.
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }

    /** {@code onComplete} is called exactly once for every async request, also after a timeout or an error. */
    private record ExitOnComplete(InFlightTracker tracker, int token) implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            tracker.exit(token);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
        }

        @Override
        public void onError(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this); // re-dispatched async: keep listening
        }
    }
}
