package io.github.sidecarshutdown.examples.grpc;

import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The downstream service the handlers tell about each order: one POST per call, through
 * {@code OUTBOUND_PROXY} when set, the way iptables sends a Pod's outbound traffic through Envoy.
 */
final class Downstream {

    private static final int TIMEOUT_MS = 2_000;

    private final String url;
    private final Proxy proxy;

    Downstream(String url, String proxyHostPort) {
        this.url = url;
        this.proxy = proxy(proxyHostPort);
    }

    /** POSTs {@code /notify?call=<id>}; prints the outcome. */
    void notify(String id) throws IOException {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url + "/notify?call=" + id).toURL().openConnection(proxy);
            c.setConnectTimeout(TIMEOUT_MS);
            c.setReadTimeout(TIMEOUT_MS);
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
            GrpcExampleApp.event("outbound " + id + " ok");
        } catch (IOException e) {
            GrpcExampleApp.event("outbound " + id + " failed " + e.getClass().getSimpleName() + ": " + e.getMessage());
            throw e;
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
}
