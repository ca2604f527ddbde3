package io.github.sidecarshutdown.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * One plain-http/1.1 call over a {@link Socket} of its own, for the calls made before the shutdown
 * begins (docs/timeline.md, "Off the startup path"): the JDK's sockets are loaded in a few
 * milliseconds and start no thread, where OkHttp loads some 250 classes (with Kotlin's) and leaves
 * its connection pool's and Okio's timeout threads running for a minute after a call.
 *
 * <p>The rules are {@link LoopbackHttp}'s: no proxy, no redirect, no retry, no pooled connection
 * (the socket is closed after the answer, which is read as OkHttp reads it: the request is the same
 * plain HTTP/1.1 request, without {@code Connection: close}), a body read up to a cap, and one deadline for the whole call: the
 * connect gets at most what is left of it, every read waits at most what is left of it
 * ({@code SO_TIMEOUT}), and an interrupt ends the call at its next step. Bodies are delimited by
 * {@code Content-Length}, chunked encoding, or the end of the stream. Failures are the exceptions
 * the JDK and OkHttp throw alike ({@link java.net.ConnectException} when refused,
 * {@link SocketTimeoutException} at the deadline), so {@link LoopbackHttp#classify} reads both.
 */
final class SocketHttp {

    /** The longest status or header line, and all header lines together, accepted. */
    private static final int MAX_LINE = 8 * 1024;
    private static final int MAX_HEADERS = 64 * 1024;

    private SocketHttp() {
    }

    /**
     * {@code method} ({@code GET}, or {@code POST} with an empty body) on {@code url}, an absolute
     * {@code http} URL, within {@code timeout} (at least 1 ms), connecting within at most
     * {@code connectTimeout}.
     *
     * @throws LoopbackHttp.BodyTooLargeException when the body has more than {@code maxBody} bytes
     */
    static LoopbackHttp.Answer call(String method, URI url, Duration connectTimeout, Duration timeout, long maxBody)
            throws IOException {
        long deadline = System.nanoTime() + Durations.toNanosSaturated(timeout);
        String host = url.getHost();
        if (host == null) {
            throw new IllegalArgumentException("url: " + url + " (expected: an http URL with a host)");
        }
        int port = url.getPort() == -1 ? 80 : url.getPort();
        checkInterrupt();
        // An IP literal resolves without a lookup; "[::1]" comes with its brackets.
        InetAddress address = InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        try (Socket socket = new Socket(Proxy.NO_PROXY)) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(address, port), millisLeft(deadline, connectTimeout));
            OutputStream out = socket.getOutputStream();
            out.write(request(method, url).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new Response(socket, deadline).read(maxBody);
        }
    }

    private static String request(String method, URI url) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        StringBuilder sb = new StringBuilder(160).append(method).append(' ').append(path);
        if (url.getRawQuery() != null) {
            sb.append('?').append(url.getRawQuery());
        }
        sb.append(" HTTP/1.1\r\nHost: ").append(url.getRawAuthority())
                .append("\r\nAccept-Encoding: identity\r\nUser-Agent: sidecar-shutdown\r\n");
        if (method.equals("POST")) {
            sb.append("Content-Length: 0\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /** What is left of the deadline for the next blocking step, capped, as {@code SO_TIMEOUT} wants it (>= 1 ms). */
    private static int millisLeft(long deadline, Duration cap) throws SocketTimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("timeout");
        }
        long ms = Math.min(Math.min(Durations.toNanosSaturated(cap), left), (long) Integer.MAX_VALUE * 1_000_000L) / 1_000_000L;
        return (int) Math.max(1, ms);
    }

    private static void checkInterrupt() throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted");
        }
    }

    /** Reads one response from the socket, every read bounded by the call's deadline. */
    private static final class Response {
        private static final Duration NO_CAP = Duration.ofNanos(Long.MAX_VALUE);

        private final Socket socket;
        private final InputStream in;
        private final long deadline;
        private final byte[] buf = new byte[8192];
        private int pos;
        private int lim;

        Response(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        LoopbackHttp.Answer read(long maxBody) throws IOException {
            while (true) {
                int status = statusLine(line());
                long length = -1;
                boolean chunked = false;
                int headerBytes = 0;
                for (String h = line(); !h.isEmpty(); h = line()) {
                    headerBytes += h.length();
                    if (headerBytes > MAX_HEADERS) {
                        throw new ProtocolException("response headers longer than " + MAX_HEADERS + " bytes");
                    }
                    int colon = h.indexOf(':');
                    if (colon <= 0) {
                        continue;
                    }
                    String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = h.substring(colon + 1).trim();
                    if (name.equals("content-length")) {
                        length = contentLength(value);
                    } else if (name.equals("transfer-encoding")) {
                        chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
                    }
                }
                if (status >= 100 && status < 200) {
                    continue; // an interim answer (100 Continue): the real one follows
                }
                if (status == 204 || status == 304) {
                    return new LoopbackHttp.Answer(status, "");
                }
                byte[] body;
                try {
                    body = chunked ? chunked(maxBody) : length >= 0 ? exactly(length, maxBody) : untilEnd(maxBody);
                } catch (LoopbackHttp.BodyTooLargeException e) {
                    throw new LoopbackHttp.BodyTooLargeException(maxBody, status);
                }
                return new LoopbackHttp.Answer(status, new String(body, StandardCharsets.UTF_8));
            }
        }

        private static int statusLine(String line) throws ProtocolException {
            // HTTP/1.1 200 OK (the reason phrase may be empty or absent)
            if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' '
                    || (line.length() > 12 && line.charAt(12) != ' ')) {
                throw new ProtocolException("Unexpected status line: " + LogSafe.of(line));
            }
            int status = 0;
            for (int i = 9; i < 12; i++) {
                char c = line.charAt(i);
                if (c < '0' || c > '9') {
                    throw new ProtocolException("Unexpected status line: " + LogSafe.of(line));
                }
                status = status * 10 + (c - '0');
            }
            return status;
        }

        private static long contentLength(String value) throws ProtocolException {
            try {
                long n = Long.parseLong(value);
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new ProtocolException("invalid Content-Length: " + LogSafe.of(value));
        }

        private byte[] chunked(long maxBody) throws IOException {
            Body body = new Body(maxBody);
            while (true) {
                String size = line();
                int semicolon = size.indexOf(';');
                long n;
                try {
                    n = Long.parseLong((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new ProtocolException("invalid chunk size: " + LogSafe.of(size));
                }
                if (n < 0) {
                    throw new ProtocolException("invalid chunk size: " + LogSafe.of(size));
                }
                if (n == 0) {
                    while (!line().isEmpty()) {
                        // trailers: not used
                    }
                    return body.bytes();
                }
                copy(n, body);
                if (!line().isEmpty()) {
                    throw new ProtocolException("chunk not followed by CRLF");
                }
            }
        }

        private byte[] exactly(long length, long maxBody) throws IOException {
            Body body = new Body(maxBody);
            copy(length, body);
            return body.bytes();
        }

        private byte[] untilEnd(long maxBody) throws IOException {
            Body body = new Body(maxBody);
            do {
                body.add(buf, pos, lim - pos); // what came with the headers first
                pos = lim;
            } while (fill());
            return body.bytes();
        }

        /** Copies exactly {@code n} bytes into {@code body}; the stream ending first is a protocol error. */
        private void copy(long n, Body body) throws IOException {
            long left = n;
            while (left > 0) {
                if (pos == lim && !fill()) {
                    throw new ProtocolException("unexpected end of stream");
                }
                int take = (int) Math.min(left, lim - pos);
                body.add(buf, pos, take);
                pos += take;
                left -= take;
            }
        }

        /** One line without its CRLF (or LF), in ISO-8859-1; the stream ending first is a protocol error. */
        private String line() throws IOException {
            StringBuilder sb = new StringBuilder(64);
            while (true) {
                if (pos == lim && !fill()) {
                    throw new ProtocolException("unexpected end of stream");
                }
                byte b = buf[pos++];
                if (b == '\n') {
                    int end = sb.length();
                    if (end > 0 && sb.charAt(end - 1) == '\r') {
                        sb.setLength(end - 1);
                    }
                    return sb.toString();
                }
                if (sb.length() >= MAX_LINE) {
                    throw new ProtocolException("response line longer than " + MAX_LINE + " bytes");
                }
                sb.append((char) (b & 0xff));
            }
        }

        /** Reads more into the empty buffer, waiting at most what is left of the deadline; false at the end of the stream. */
        private boolean fill() throws IOException {
            checkInterrupt();
            socket.setSoTimeout(millisLeft(deadline, NO_CAP));
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            lim = n;
            return true;
        }
    }

    /** A body growing up to a cap: one byte more than the cap is {@link LoopbackHttp.BodyTooLargeException}. */
    private static final class Body {
        private final long max;
        private byte[] bytes = new byte[256];
        private int size;

        Body(long max) {
            this.max = max;
        }

        void add(byte[] src, int off, int len) throws LoopbackHttp.BodyTooLargeException {
            if (size + (long) len > max) {
                throw new LoopbackHttp.BodyTooLargeException(max, -1);
            }
            if (size + len > bytes.length) {
                long grown = Math.min(Math.min(max, Integer.MAX_VALUE - 8L), Math.max(bytes.length * 2L, size + (long) len));
                if (grown < size + (long) len) {
                    throw new LoopbackHttp.BodyTooLargeException(max, -1);
                }
                bytes = Arrays.copyOf(bytes, (int) grown);
            }
            System.arraycopy(src, off, bytes, size, len);
            size += len;
        }

        byte[] bytes() {
            return Arrays.copyOf(bytes, size);
        }
    }
}
