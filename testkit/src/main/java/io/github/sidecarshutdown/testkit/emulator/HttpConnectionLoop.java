package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Keep-alive request loop for one connection. Drain-close (envoy docs
 * {@code intro/arch_overview/operations/draining.rst}: HTTP/1.1 responses get {@code Connection: close}
 * and the connection is closed after the response) is decided
 * per response by {@code drainClose}, so a drain that starts while a connection is idle still affects
 * its next response.
 */
final class HttpConnectionLoop implements SocketListener.Handler {

    private final HttpHandler handler;
    private final BooleanSupplier drainClose;
    private final Consumer<HttpRequest> onRequest;
    private final @Nullable HttpConnectionManagerStats stats;

    HttpConnectionLoop(HttpHandler handler, BooleanSupplier drainClose, Consumer<HttpRequest> onRequest) {
        this(handler, drainClose, onRequest, null);
    }

    HttpConnectionLoop(HttpHandler handler, BooleanSupplier drainClose, Consumer<HttpRequest> onRequest,
            @Nullable HttpConnectionManagerStats stats) {
        this.handler = handler;
        this.drainClose = drainClose;
        this.onRequest = onRequest;
        this.stats = stats;
    }

    @Override
    public void serve(ListenerConnection connection) throws IOException {
        while (true) {
            HttpRequest request;
            try {
                request = HttpCodec.readRequest(connection.in(), connection.socket().getInetAddress());
            } catch (HttpCodec.MalformedHttpException e) {
                HttpResponse bad = HttpResponse.of(400, "text/plain", "Bad Request\n");
                bad.headers().add("connection", "close");
                HttpCodec.writeResponse(connection.out(), bad, false);
                return;
            }
            if (request == null) {
                return;
            }
            onRequest.accept(request);
            if (stats != null) {
                stats.requestStarted();
            }
            HttpResponse response;
            boolean close;
            try {
                response = handler.handle(request, connection);
                if (response == null) {
                    return; // tunnel: the handler owned the connection until it ended
                }
                boolean drain = drainClose.getAsBoolean();
                close = response.close() || !request.keepAlive() || drain;
                if (close) {
                    response.headers().set("connection", "close");
                }
                if (drain && stats != null) {
                    stats.drainClosed();
                }
                HttpCodec.writeResponse(connection.out(), response, "HEAD".equals(request.method()));
            } finally {
                if (stats != null) {
                    stats.requestEnded();
                }
            }
            Runnable after = response.afterSend();
            if (after != null) {
                after.run();
            }
            if (close) {
                connection.socket().shutdownOutput();
                return;
            }
        }
    }
}
