package io.github.sidecarshutdown.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A plain-http loopback client builds no TLS context (the start-up cost of the JDK's trust store)
 * and still speaks http; an https one keeps TLS; an endpoint builds its client at its first call.
 */
class LoopbackHttpTest {

    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.createContext("/ready", ex -> {
            byte[] body = "LIVE\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void aPlainHttpClientHasNoTlsAndStillCallsHttp() throws IOException {
        OkHttpClient http = LoopbackHttp.client(Duration.ofMillis(250), Duration.ofSeconds(1), false);
        try {
            assertThat(http.connectionSpecs()).containsExactly(ConnectionSpec.CLEARTEXT);
            assertThat(LoopbackHttp.call(http, "GET", HttpUrl.get(base() + "/ready"), 1024))
                    .isEqualTo(new LoopbackHttp.Answer(200, "LIVE\n"));
            assertThatThrownBy(() -> LoopbackHttp.call(http, "GET", HttpUrl.get("https://127.0.0.1:1/ready"), 1024))
                    .as("https with a plain-http client: refused before any I/O, never sent in clear")
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("CLEARTEXT-only");
        } finally {
            LoopbackHttp.close(http);
        }
    }

    @Test
    void aTlsClientKeepsTls() {
        OkHttpClient http = LoopbackHttp.client(Duration.ofMillis(250), Duration.ofSeconds(1), true);
        try {
            assertThat(http.connectionSpecs()).anyMatch(ConnectionSpec::isTls);
            assertThat(List.of(LoopbackHttp.client(Duration.ofMillis(250), Duration.ofSeconds(1)).connectionSpecs()))
                    .as("the two-argument client, as before").allMatch(specs -> specs.stream().anyMatch(ConnectionSpec::isTls));
        } finally {
            LoopbackHttp.close(http);
        }
    }

    @Test
    void anEndpointStillValidatesAtConstructionAndCallsLazily() throws IOException {
        assertThatThrownBy(() -> new LoopbackEndpoint("linkerd-admin-url", URI.create(base()), Duration.ZERO, false))
                .isInstanceOf(IllegalArgumentException.class);
        LoopbackEndpoint e = new LoopbackEndpoint("linkerd-admin-url", URI.create(base()), Duration.ofMillis(250), false);
        assertThat(e.call("GET", "/ready", Duration.ofSeconds(1))).isEqualTo(new LoopbackHttp.Answer(200, "LIVE\n"));
        e.close();
        assertThatThrownBy(() -> e.call("GET", "/ready", Duration.ofSeconds(1))).as("after close").isInstanceOf(IOException.class);
    }
}
