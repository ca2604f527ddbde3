package io.github.sidecarshutdown.flush;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.net.InetSocketAddress;
import java.net.URI;
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

    private final LinePoster poster;
    private final List<String> held = new ArrayList<>();
    /** Batches that could not be sent. */
    public final AtomicInteger failed;

    public BatchingHttpAppender(URI endpoint, InetSocketAddress proxy) {
        this.poster = new LinePoster(endpoint, proxy, Duration.ofSeconds(10));
        this.failed = poster.failed;
        setName("BATCHING_HTTP");
    }

    @Override
    protected void append(ILoggingEvent event) {
        held.add(event.getFormattedMessage()); // AppenderBase.doAppend holds the appender's lock
    }

    @Override
    public synchronized void stop() {
        if (isStarted() && !held.isEmpty()) {
            poster.post(String.join("\n", held));
            held.clear();
        }
        super.stop();
    }
}
