package io.github.sidecarshutdown.flush;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Logback appender that posts each line to a log backend over HTTP, as log shippers' appenders
 * do; here through the sidecar emulator's outbound proxy. A failed send is counted and dropped.
 */
public final class HttpLineAppender extends AppenderBase<ILoggingEvent> {

    private final HttpClient client;
    private final URI endpoint;
    public final AtomicInteger failed = new AtomicInteger();

    public HttpLineAppender(URI endpoint, InetSocketAddress proxy) {
        this.endpoint = endpoint;
        this.client = HttpClient.newBuilder().proxy(ProxySelector.of(proxy)).connectTimeout(Duration.ofSeconds(1)).build();
        setName("HTTP");
    }

    @Override
    protected void append(ILoggingEvent event) {
        try {
            client.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(event.getFormattedMessage())).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            failed.incrementAndGet();
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failed.incrementAndGet();
        }
    }
}
