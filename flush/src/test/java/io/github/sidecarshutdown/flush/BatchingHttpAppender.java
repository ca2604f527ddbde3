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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Logback appender that ships lines in batches, as log shippers' appenders do (Loki's, for one,
 * waits up to a minute for a batch to fill): it holds every line and posts them in one request,
 * one line each, only when stopped. Until then nothing of it is on the wire, so no wait for
 * outbound requests can see it; only a stop while the sidecar forwards gets its lines out.
 */
public final class BatchingHttpAppender extends AppenderBase<ILoggingEvent> {

    private final HttpClient client;
    private final URI endpoint;
    private final List<String> held = new ArrayList<>();
    /** Batches that could not be sent. */
    public final AtomicInteger failed = new AtomicInteger();

    public BatchingHttpAppender(URI endpoint, InetSocketAddress proxy) {
        this.endpoint = endpoint;
        this.client = HttpClient.newBuilder().proxy(ProxySelector.of(proxy)).connectTimeout(Duration.ofSeconds(1)).build();
        setName("BATCHING_HTTP");
    }

    @Override
    protected void append(ILoggingEvent event) {
        held.add(event.getFormattedMessage()); // AppenderBase.doAppend holds the appender's lock
    }

    @Override
    public synchronized void stop() {
        if (isStarted() && !held.isEmpty()) {
            try {
                client.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", held))).build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (InterruptedException e) {
                failed.incrementAndGet();
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                failed.incrementAndGet();
            }
            held.clear();
        }
        super.stop();
    }
}
