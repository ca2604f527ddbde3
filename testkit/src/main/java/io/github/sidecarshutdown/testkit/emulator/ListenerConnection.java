package io.github.sidecarshutdown.testkit.emulator;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One accepted downstream connection plus the upstream sockets opened on its behalf, so that a
 * "SIGKILL" of the emulated Envoy can reset both sides at once (pilot-agent's SIGKILL of Envoy).
 */
final class ListenerConnection {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Set<Socket> linked = ConcurrentHashMap.newKeySet();

    ListenerConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    Socket socket() {
        return socket;
    }

    InputStream in() {
        return in;
    }

    OutputStream out() {
        return out;
    }

    /** Registers an upstream socket that must die with this connection. */
    void link(Socket upstream) {
        linked.add(upstream);
    }

    void unlink(Socket upstream) {
        linked.remove(upstream);
    }

    /** Abortive close: SO_LINGER 0 makes the kernel send RST instead of FIN, as a killed process would. */
    void reset() {
        for (Socket s : linked) {
            resetQuietly(s);
        }
        resetQuietly(socket);
    }

    /** Orderly close (FIN) of this connection and its upstreams. */
    void close() {
        for (Socket s : linked) {
            closeQuietly(s);
        }
        closeQuietly(socket);
    }

    static void resetQuietly(Socket s) {
        try {
            if (!s.isClosed()) {
                s.setSoLinger(true, 0);
            }
        } catch (IOException ignored) {
            // already gone: nothing to reset
        }
        closeQuietly(s);
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }
}
