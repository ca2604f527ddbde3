package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One listening TCP socket on the loopback address with a thread per accepted connection.
 *
 * <p>Three ways to end, because the sidecar ends in three ways: {@link #stopAccepting()} closes only
 * the listening socket (new connects are refused, open connections live on: Envoy's stopped listeners,
 * pilot-agent's closed 15020); {@link #reset()} also resets
 * every open connection (SIGKILL of Envoy); {@link #close()} closes them in order (emulator shutdown,
 * agent exit).
 */
final class SocketListener {

    /** Serves one connection until it should close; exceptions just end the connection. */
    interface Handler {
        void serve(ListenerConnection connection) throws IOException;
    }

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final String name;
    private final ThreadFactory threads;
    private final Handler handler;
    private final Set<ListenerConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong total = new AtomicLong();
    private final int requestedPort;
    private volatile @Nullable ServerSocket server;
    private volatile @Nullable Thread acceptor;
    private volatile int port = -1;
    private volatile boolean dead;
    private volatile boolean resetMode;

    SocketListener(String name, int port, ThreadFactory threads, Handler handler) {
        this.name = name;
        this.requestedPort = port;
        this.threads = threads;
        this.handler = handler;
    }

    String name() {
        return name;
    }

    /** Binds {@code 127.0.0.1:port} (0 = ephemeral) and starts accepting. */
    void start() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(LOOPBACK, requestedPort), 128);
        this.server = socket;
        this.port = socket.getLocalPort();
        Thread t = threads.newThread(this::acceptLoop);
        t.setName(t.getName() + "-" + name + "-accept");
        this.acceptor = t;
        t.start();
    }

    int port() {
        return port;
    }

    boolean isAccepting() {
        ServerSocket s = server;
        return s != null && !s.isClosed();
    }

    int activeConnections() {
        return connections.size();
    }

    long totalConnections() {
        return total.get();
    }

    /**
     * Refuse new connections from now on; open connections are untouched. Returns only once the
     * acceptor thread has left {@code accept()}: the JDK closes a socket that another thread is blocked
     * on by signalling that thread, and until it wakes the kernel still completes handshakes, so a
     * caller could otherwise see a connect succeed right after "closing".
     */
    void stopAccepting() {
        ServerSocket s = server;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing is best effort
            }
        }
        Thread t = acceptor;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Refuse new connections and reset (RST) every open one. */
    void reset() {
        resetMode = true;
        dead = true;
        stopAccepting();
        for (ListenerConnection c : List.copyOf(connections)) {
            c.reset();
        }
    }

    /** Refuse new connections and close every open one in order. */
    void close() {
        dead = true;
        stopAccepting();
        for (ListenerConnection c : List.copyOf(connections)) {
            c.close();
        }
    }

    private void acceptLoop() {
        ServerSocket s = server;
        while (s != null && !s.isClosed()) {
            Socket socket;
            try {
                socket = s.accept();
            } catch (IOException e) {
                return; // listening socket closed
            }
            total.incrementAndGet();
            ListenerConnection connection;
            try {
                socket.setTcpNoDelay(true);
                connection = new ListenerConnection(socket);
            } catch (IOException e) {
                ListenerConnection.closeQuietly(socket);
                continue;
            }
            connections.add(connection);
            if (dead) { // raced with reset()/close(): treat like the others
                if (resetMode) {
                    connection.reset();
                } else {
                    connection.close();
                }
                connections.remove(connection);
                continue;
            }
            Thread worker = threads.newThread(() -> serve(connection));
            worker.setName(worker.getName() + "-" + name + "-conn");
            worker.start();
        }
    }

    private void serve(ListenerConnection connection) {
        try {
            handler.serve(connection);
        } catch (IOException | RuntimeException e) {
            // the peer went away or the connection was reset: the connection just ends
        } finally {
            connection.close();
            connections.remove(connection);
        }
    }
}
