package io.github.sidecarshutdown.testkit.emulator;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.jspecify.annotations.Nullable;

/**
 * A deliberately tiny HTTP/1.1 codec: request and response heads, Content-Length and chunked bodies,
 * close-delimited response bodies. Raw sockets instead of {@code com.sun.net.httpserver} because the
 * emulator must refuse connections, reset them and decide per response whether to close
 * (Envoy's drain-close, and the RST of a SIGKILLed Envoy).
 */
final class HttpCodec {

    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_HEADERS = 200;

    private HttpCodec() {
    }

    /** Thrown for a request or response that cannot be parsed. */
    static final class MalformedHttpException extends IOException {
        MalformedHttpException(String message) {
            super(message);
        }
    }

    /** A response read from an upstream, plus whether its body was delimited by the connection end. */
    record UpstreamResponse(HttpResponse response, boolean closeDelimited) {
    }

    /** Reads one request; {@code null} on a clean end of stream before the first byte. */
    static @Nullable HttpRequest readRequest(InputStream in, InetAddress remote) throws IOException {
        String line = readLine(in);
        if (line == null) {
            return null;
        }
        while (line.isEmpty()) { // tolerate stray CRLF between pipelined requests (RFC 9112 2.2)
            line = readLine(in);
            if (line == null) {
                return null;
            }
        }
        String[] parts = line.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new MalformedHttpException("bad request line: " + line);
        }
        HttpHeaders headers = readHeaders(in);
        byte[] body = readBody(in, headers, false);
        return new HttpRequest(parts[0], parts[1], parts[2], headers, body, remote);
    }

    /** Reads one response; {@code headRequest} suppresses the body as RFC 9110 requires. */
    static UpstreamResponse readResponse(InputStream in, boolean headRequest) throws IOException {
        String line = readLine(in);
        if (line == null) {
            throw new EOFException("connection closed before a response");
        }
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new MalformedHttpException("bad status line: " + line);
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new MalformedHttpException("bad status line: " + line);
        }
        String reason = parts.length == 3 ? parts[2] : "";
        HttpHeaders headers = readHeaders(in);
        boolean noBody = headRequest || status / 100 == 1 || status == 204 || status == 304;
        boolean closeDelimited = !noBody && !headers.contains("Content-Length")
                && !headers.hasToken("Transfer-Encoding", "chunked");
        byte[] body = noBody ? new byte[0] : readBody(in, headers, true);
        return new UpstreamResponse(new HttpResponse(status, reason, headers, body), closeDelimited);
    }

    static void writeRequest(OutputStream out, String method, String target, HttpHeaders headers, byte[] body)
            throws IOException {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        headers.remove("Content-Length"); // the body is buffered: framing is ours to write
        headers.remove("Transfer-Encoding");
        appendHeaders(head, headers);
        if (body.length > 0 || requestMethodHasBody(method)) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** Writes a response with an exact Content-Length (bodies are always buffered). */
    static void writeResponse(OutputStream out, HttpResponse response, boolean headRequest) throws IOException {
        StringBuilder head = new StringBuilder();
        head.append("HTTP/1.1 ").append(response.status()).append(' ').append(response.reason()).append("\r\n");
        HttpHeaders headers = response.headers();
        headers.remove("Content-Length");
        headers.remove("Transfer-Encoding");
        appendHeaders(head, headers);
        if (response.status() != 204 && response.status() != 304 && response.status() / 100 != 1) {
            head.append("content-length: ").append(response.body().length).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!headRequest) {
            out.write(response.body());
        }
        out.flush();
    }

    static String httpDate() {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
    }

    private static boolean requestMethodHasBody(String method) {
        return "POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method);
    }

    private static void appendHeaders(StringBuilder head, HttpHeaders headers) {
        for (String[] e : headers.entries()) {
            head.append(e[0]).append(": ").append(e[1]).append("\r\n");
        }
    }

    private static HttpHeaders readHeaders(InputStream in) throws IOException {
        HttpHeaders headers = new HttpHeaders();
        for (int i = 0; ; i++) {
            String line = readLine(in);
            if (line == null) {
                throw new EOFException("connection closed inside the header block");
            }
            if (line.isEmpty()) {
                return headers;
            }
            if (i >= MAX_HEADERS) {
                throw new MalformedHttpException("too many headers");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedHttpException("bad header line: " + line);
            }
            headers.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
    }

    private static byte[] readBody(InputStream in, HttpHeaders headers, boolean toEofIfUndelimited)
            throws IOException {
        if (headers.hasToken("Transfer-Encoding", "chunked")) {
            return readChunked(in);
        }
        String length = headers.first("Content-Length");
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw new MalformedHttpException("bad Content-Length: " + length);
            }
            if (n < 0 || n > Integer.MAX_VALUE - 8) {
                throw new MalformedHttpException("bad Content-Length: " + length);
            }
            return readExactly(in, (int) n);
        }
        return toEofIfUndelimited ? in.readAllBytes() : new byte[0];
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                throw new EOFException("connection closed inside a chunked body");
            }
            int semi = sizeLine.indexOf(';');
            String hex = (semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim();
            int size;
            try {
                size = Integer.parseInt(hex, 16);
            } catch (NumberFormatException e) {
                throw new MalformedHttpException("bad chunk size: " + sizeLine);
            }
            if (size == 0) {
                String trailer;
                do { // trailers are read and dropped
                    trailer = readLine(in);
                } while (trailer != null && !trailer.isEmpty());
                return body.toByteArray();
            }
            body.write(readExactly(in, size));
            readLine(in); // CRLF after the chunk data
        }
    }

    private static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] data = in.readNBytes(n);
        if (data.length != n) {
            throw new EOFException("connection closed inside a body (" + data.length + " of " + n + " bytes)");
        }
        return data;
    }

    /** Reads a line ending in CRLF (or LF); {@code null} at end of stream before any byte. */
    static @Nullable String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0) {
                    return null;
                }
                throw new EOFException("connection closed inside a line");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            if (line.size() > MAX_LINE) {
                throw new MalformedHttpException("line too long");
            }
        }
    }
}
