package io.github.sidecarshutdown.flush;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Posts text to a log backend through a proxy (the sidecar emulator's), counting what could not be sent. */
final class LinePoster {

    private final HttpClient client;
    private final URI endpoint;
    private final Duration timeout;
    final AtomicInteger failed = new AtomicInteger();

    LinePoster(URI endpoint, InetSocketAddress proxy, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().proxy(ProxySelector.of(proxy)).connectTimeout(Duration.ofSeconds(1)).build();
    }

    /** Sends {@code text}; a failed send is counted and dropped, an interrupt kept. */
    void post(String text) {
        try {
            client.send(HttpRequest.newBuilder(endpoint).timeout(timeout).POST(HttpRequest.BodyPublishers.ofString(text)).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            failed.incrementAndGet();
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failed.incrementAndGet();
        }
    }
}
