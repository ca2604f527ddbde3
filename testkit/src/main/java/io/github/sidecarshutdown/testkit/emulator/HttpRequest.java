package io.github.sidecarshutdown.testkit.emulator;

import java.net.InetAddress;

/** One parsed HTTP/1.1 request as received by an emulated listener; the body is fully read. */
record HttpRequest(String method, String target, String version, HttpHeaders headers, byte[] body,
        InetAddress remoteAddress) {

    /** Path without the query; for absolute-form targets the target itself. */
    String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** Raw query (without {@code ?}), empty when there is none. */
    String rawQuery() {
        int q = target.indexOf('?');
        return q < 0 ? "" : target.substring(q + 1);
    }

    /** HTTP/1.1 keeps the connection unless told otherwise; HTTP/1.0 only with keep-alive. */
    boolean keepAlive() {
        if (headers.hasToken("Connection", "close")) {
            return false;
        }
        return !"HTTP/1.0".equals(version) || headers.hasToken("Connection", "keep-alive");
    }
}
