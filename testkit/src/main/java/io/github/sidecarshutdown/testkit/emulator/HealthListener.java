package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * Envoy's static listener {@code 0.0.0.0_15021}: its only route sends {@code /healthz/ready} to the
 * {@code agent} cluster (127.0.0.1:15020, connect timeout 0.25 s). When the agent refuses (after its
 * SIGTERM) Envoy answers 503 with a text body (istio {@code tools/packaging/common/envoy_bootstrap.json}).
 */
final class HealthListener implements HttpHandler {

    private final IntSupplier agentPort;
    private final Duration connectTimeout;

    HealthListener(IntSupplier agentPort, Duration connectTimeout) {
        this.agentPort = agentPort;
        this.connectTimeout = connectTimeout;
    }

    @Override
    public HttpResponse handle(HttpRequest request, ListenerConnection connection) {
        if (!"/healthz/ready".equals(request.path())) {
            HttpResponse notFound = HttpResponse.of(404, null, "");
            notFound.headers().add("server", "envoy");
            return notFound;
        }
        HttpResponse response;
        try {
            response = LoopbackHttpClient.send(agentPort.getAsInt(), request.method(), request.target(), "health",
                    connectTimeout, Duration.ofSeconds(3));
            HttpForwarder.stripHopByHop(response.headers());
        } catch (IOException e) {
            response = HttpResponse.of(503, "text/plain", HttpForwarder.UPSTREAM_CONNECT_FAILURE);
        }
        response.headers().set("server", "envoy");
        return response;
    }
}
