package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Keep-alive request loop for one connection. Drain-close (sidecar-protocol.md section 1.4: "HTTP/1.1
 * responses get {@code Connection: close} and the connection is closed after the response") is decided
 * per response by {@code drainClose}, so a drain that starts while a connection is idle still affects
 * its next response.
 */
final class HttpConnectionLoop implements SocketListener.Handler {

    private final HttpHandler handler;
    private final BooleanSupplier drainClose;
    private final Consumer<HttpRequest> onRequest;

    HttpConnectionLoop(HttpHandler handler, BooleanSupplier drainClose, Consumer<HttpRequest> onRequest) {
        this.handler = handler;
        this.drainClose = drainClose;
        this.onRequest = onRequest;
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
            HttpResponse response = handler.handle(request, connection);
            if (response == null) {
                return; // tunnel: the handler owned the connection until it ended
            }
            boolean close = response.close() || !request.keepAlive() || drainClose.getAsBoolean();
            if (close) {
                response.headers().set("connection", "close");
            }
            HttpCodec.writeResponse(connection.out(), response, "HEAD".equals(request.method()));
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
