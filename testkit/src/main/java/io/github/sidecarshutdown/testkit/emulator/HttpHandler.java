package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/** Answers one request on an emulated listener. */
@FunctionalInterface
interface HttpHandler {

    /**
     * Returns the response to write, or {@code null} when the handler took the connection over
     * (a CONNECT tunnel) and the request loop must stop.
     */
    @Nullable HttpResponse handle(HttpRequest request, ListenerConnection connection) throws IOException;
}
