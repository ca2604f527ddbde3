package io.github.sidecarshutdown.testkit.emulator;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;

/**
 * Forwards one buffered request to a loopback upstream over a fresh connection and returns the upstream's
 * response with hop-by-hop headers removed. Failures become Envoy-like 503s, unless the downstream
 * connection itself was reset (Envoy killed), in which case the exception ends the connection.
 */
final class HttpForwarder {

    static final String UPSTREAM_CONNECT_FAILURE =
            "upstream connect error or disconnect/reset before headers. reset reason: connection failure";
    static final String UPSTREAM_RESET =
            "upstream connect error or disconnect/reset before headers. reset reason: connection termination";
    private static final int CONNECT_TIMEOUT_MILLIS = 1_000;
    private static final List<String> HOP_BY_HOP = List.of("Connection", "Keep-Alive", "Proxy-Connection",
            "Transfer-Encoding", "TE", "Trailer", "Upgrade", "HTTP2-Settings", "Proxy-Authorization",
            "Proxy-Authenticate");

    private HttpForwarder() {
    }

    static HttpResponse forward(HttpRequest request, InetAddress address, int port, String originTarget,
            ListenerConnection downstream) throws IOException {
        Socket upstream = new Socket();
        downstream.link(upstream);
        try {
            try {
                upstream.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                return HttpResponse.of(503, "text/plain", UPSTREAM_CONNECT_FAILURE);
            }
            HttpHeaders headers = stripHopByHop(request.headers().copy());
            headers.add("Connection", "close");
            HttpCodec.writeRequest(new BufferedOutputStream(upstream.getOutputStream()), request.method(),
                    originTarget, headers, request.body());
            HttpResponse response = HttpCodec.readResponse(new BufferedInputStream(upstream.getInputStream()),
                    "HEAD".equals(request.method())).response();
            stripHopByHop(response.headers());
            return response;
        } catch (IOException e) {
            if (downstream.socket().isClosed()) {
                throw e; // Envoy is dead: no answer at all
            }
            return HttpResponse.of(503, "text/plain", UPSTREAM_RESET);
        } finally {
            downstream.unlink(upstream);
            ListenerConnection.closeQuietly(upstream);
        }
    }

    static HttpHeaders stripHopByHop(HttpHeaders headers) {
        String connection = headers.first("Connection");
        if (connection != null) {
            for (String token : connection.split(",")) {
                if (!token.isBlank()) {
                    headers.remove(token.trim());
                }
            }
        }
        for (String name : HOP_BY_HOP) {
            headers.remove(name);
        }
        return headers;
    }
}
