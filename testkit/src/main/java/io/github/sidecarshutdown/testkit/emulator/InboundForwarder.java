package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import java.net.InetAddress;

/**
 * The inbound listener (Istio 15006): forwards every request to the app on 127.0.0.1; draining and
 * stopping are decided by {@link EnvoyProcess}.
 */
final class InboundForwarder implements HttpHandler {

    private final int appPort;

    InboundForwarder(int appPort) {
        this.appPort = appPort;
    }

    @Override
    public HttpResponse handle(HttpRequest request, ListenerConnection connection) throws IOException {
        if (appPort == 0) {
            return HttpResponse.of(503, "text/plain", "no healthy upstream");
        }
        return HttpForwarder.forward(request, InetAddress.getLoopbackAddress(), appPort, request.target(), connection);
    }
}
