package io.github.sidecarshutdown.testkit.emulator;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Raw HTTP/1.1 over loopback sockets, to see exactly what the emulator sends (headers, close, RST). */
final class TestHttp {

    private TestHttp() {
    }

    static HttpResponse get(URI base, String target) throws IOException {
        return send(base.getPort(), "GET", target);
    }

    static HttpResponse post(URI base, String target) throws IOException {
        return send(base.getPort(), "POST", target);
    }

    /** One request on a new connection. */
    static HttpResponse send(int port, String method, String target) throws IOException {
        try (Connection c = open(port)) {
            return c.send(method, target);
        }
    }

    static Connection open(int port) throws IOException {
        return new Connection(port);
    }

    /** True if a TCP connect to the port is refused. */
    static boolean isRefused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A keep-alive client connection. */
    static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        HttpResponse send(String method, String target, String... headerLines) throws IOException {
            StringBuilder sb = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1\r\n");
            for (String h : headerLines) {
                sb.append(h).append("\r\n");
            }
            if ("POST".equals(method)) {
                sb.append("Content-Length: 0\r\n");
            }
            sb.append("\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return HttpCodec.readResponse(in, "HEAD".equals(method)).response();
        }

        String readLine() throws IOException {
            return HttpCodec.readLine(in);
        }

        void writeRaw(String raw) throws IOException {
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        HttpResponse readResponse() throws IOException {
            return HttpCodec.readResponse(in, false).response();
        }

        /** Whether the server closed the connection (FIN or RST) within 2 s. */
        boolean isClosedByServer() throws IOException {
            socket.setSoTimeout(2_000);
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                return true;
            }
        }

        /** Reads until the server ends the connection; returns the exception if it was a reset. */
        IOException readUntilEnd() {
            try {
                socket.setSoTimeout(5_000);
                while (in.read() >= 0) {
                    // drain
                }
                return new IOException("orderly close (FIN)");
            } catch (IOException e) {
                return e;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
