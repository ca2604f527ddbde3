package io.github.sidecarshutdown.testkit.emulator;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/1.1 response to write (or one read from an upstream). Mutable on purpose: listeners add
 * {@code Connection: close} when they drain-close (envoy docs {@code intro/arch_overview/operations/draining.rst}).
 */
final class HttpResponse {

    private final int status;
    private final String reason;
    private final HttpHeaders headers;
    private final byte[] body;
    private boolean close;
    private @Nullable Runnable afterSend;

    HttpResponse(int status, String reason, HttpHeaders headers, byte[] body) {
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.body = body;
    }

    static HttpResponse of(int status, @Nullable String contentType, String body) {
        HttpHeaders headers = new HttpHeaders();
        if (contentType != null) {
            headers.add("content-type", contentType);
        }
        return new HttpResponse(status, reasonPhrase(status), headers, body.getBytes(StandardCharsets.UTF_8));
    }

    int status() {
        return status;
    }

    String reason() {
        return reason;
    }

    HttpHeaders headers() {
        return headers;
    }

    byte[] body() {
        return body;
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    boolean close() {
        return close;
    }

    HttpResponse closeAfterSend() {
        this.close = true;
        return this;
    }

    @Nullable Runnable afterSend() {
        return afterSend;
    }

    /** Work to run once the response bytes are flushed, e.g. Envoy's exit after {@code /quitquitquit}. */
    HttpResponse afterSend(Runnable action) {
        this.afterSend = action;
        return this;
    }

    static String reasonPhrase(int status) {
        switch (status) {
            case 200: return "OK";
            case 204: return "No Content";
            case 400: return "Bad Request";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 500: return "Internal Server Error";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            default: return "Status " + status;
        }
    }
}
