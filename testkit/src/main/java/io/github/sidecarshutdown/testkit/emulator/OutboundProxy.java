package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The outbound listener (Istio 15001), standing in for iptables capture as an explicit HTTP forward
 * proxy: absolute-form requests ({@code GET http://127.0.0.1:9999/x}), origin-form requests routed by
 * {@code Host}, and CONNECT tunnels (plain TCP, never drain-closed: only HTTP connection managers drain).
 * Loopback targets only; anything else gets a 403. Each upstream host's live counters are kept in
 * {@link OutboundClusters}, which the admin API's {@code GET /clusters} prints.
 */
final class OutboundProxy implements HttpHandler {

    private static final int CONNECT_TIMEOUT_MILLIS = 1_000;
    private final IntSupplier ownPort;
    private final OutboundClusters clusters;

    OutboundProxy(IntSupplier ownPort) {
        this(ownPort, new OutboundClusters());
    }

    OutboundProxy(IntSupplier ownPort, OutboundClusters clusters) {
        this.ownPort = ownPort;
        this.clusters = clusters;
    }

    @Override
    public @Nullable HttpResponse handle(HttpRequest request, ListenerConnection connection) throws IOException {
        if ("CONNECT".equals(request.method())) {
            return tunnel(request, connection);
        }
        String target = request.target();
        String authority;
        String originTarget;
        if (target.regionMatches(true, 0, "http://", 0, 7)) {
            URI uri;
            try {
                uri = new URI(target);
            } catch (URISyntaxException e) {
                return HttpResponse.of(400, "text/plain", "bad request target\n").closeAfterSend();
            }
            authority = uri.getRawAuthority();
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            originTarget = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        } else if (target.startsWith("/")) {
            authority = request.headers().first("Host");
            originTarget = target;
        } else {
            return HttpResponse.of(400, "text/plain", "unsupported request target: " + target + "\n");
        }
        LoopbackTargets.HostPort hostPort = authority == null ? null : LoopbackTargets.hostPort(authority, 80);
        if (hostPort == null) {
            return HttpResponse.of(400, "text/plain", "no target authority\n");
        }
        InetAddress address = LoopbackTargets.resolve(hostPort.host());
        if (address == null) {
            return forbidden(hostPort.host());
        }
        if (hostPort.port() == ownPort.getAsInt()) {
            return HttpResponse.of(404, null, ""); // Envoy: no route; avoids proxying to itself
        }
        String key = hostPort.host() + ":" + hostPort.port();
        clusters.resolved(key, address, hostPort.port());
        clusters.requestStarted(key, connection);
        boolean ok = false;
        try {
            HttpResponse response = HttpForwarder.forward(request, address, hostPort.port(), originTarget, connection);
            ok = response.status() != 503;
            return response;
        } finally {
            clusters.requestEnded(key, ok);
        }
    }

    private static HttpResponse forbidden(String host) {
        return HttpResponse.of(403, "text/plain",
                "sidecar emulator: only loopback targets are allowed, not " + host + "\n");
    }

    private @Nullable HttpResponse tunnel(HttpRequest request, ListenerConnection connection) throws IOException {
        LoopbackTargets.HostPort hostPort = LoopbackTargets.hostPort(request.target(), 443);
        if (hostPort == null) {
            return HttpResponse.of(400, "text/plain", "bad CONNECT target\n").closeAfterSend();
        }
        InetAddress address = LoopbackTargets.resolve(hostPort.host());
        if (address == null) {
            return forbidden(hostPort.host()).closeAfterSend();
        }
        Socket upstream = new Socket();
        connection.link(upstream);
        String key = hostPort.host() + ":" + hostPort.port();
        clusters.resolved(key, address, hostPort.port());
        boolean open = false;
        try {
            try {
                upstream.connect(new InetSocketAddress(address, hostPort.port()), CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                return HttpResponse.of(503, "text/plain", HttpForwarder.UPSTREAM_CONNECT_FAILURE).closeAfterSend();
            }
            clusters.tunnelOpened(key); // a TCP session: one active "request" for as long as it lasts
            open = true;
            OutputStream out = connection.out();
            out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread back = new Thread(() -> pump(upstream, connection.socket(), upstreamIn(upstream), out));
            back.setDaemon(true);
            back.setName(Thread.currentThread().getName() + "-tunnel");
            back.start();
            pump(connection.socket(), upstream, connection.in(), upstream.getOutputStream());
            try {
                back.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        } finally {
            if (open) {
                clusters.tunnelClosed(key);
            }
            connection.unlink(upstream);
            ListenerConnection.closeQuietly(upstream);
        }
    }

    private static @Nullable InputStream upstreamIn(Socket upstream) {
        try {
            return upstream.getInputStream();
        } catch (IOException e) {
            return null;
        }
    }

    /** Copies one direction; at its end, half-closes the other side so the peer sees EOF. */
    private static void pump(Socket from, Socket to, @Nullable InputStream in, OutputStream out) {
        if (in == null) {
            return;
        }
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            ListenerConnection.closeQuietly(to);
            ListenerConnection.closeQuietly(from);
        }
    }
}
