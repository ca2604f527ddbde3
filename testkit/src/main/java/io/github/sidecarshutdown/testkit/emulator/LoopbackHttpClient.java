package io.github.sidecarshutdown.testkit.emulator;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * One-shot HTTP/1.1 client to a loopback port, used by the emulated pilot-agent to call its Envoy
 * (drain, stats polling) and by the health listener to reach the agent. One connection per call, like
 * the agent's short-lived admin requests.
 */
final class LoopbackHttpClient {

    private LoopbackHttpClient() {
    }

    static HttpResponse send(int port, String method, String target, String origin, Duration connectTimeout,
            Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(SocketListener.LOOPBACK, port), millis(connectTimeout));
            socket.setSoTimeout(millis(timeout));
            HttpHeaders headers = new HttpHeaders()
                    .add("Host", "127.0.0.1:" + port)
                    .add("User-Agent", "Go-http-client/1.1")
                    .add(Recorder.ORIGIN_HEADER, origin)
                    .add("Connection", "close");
            HttpCodec.writeRequest(new BufferedOutputStream(socket.getOutputStream()), method, target, headers,
                    new byte[0]);
            return HttpCodec.readResponse(new BufferedInputStream(socket.getInputStream()), "HEAD".equals(method))
                    .response();
        }
    }

    static int millis(Duration d) {
        long ms = Math.max(1, d.toMillis());
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }
}
