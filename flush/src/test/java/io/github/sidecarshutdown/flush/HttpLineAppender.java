package io.github.sidecarshutdown.flush;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Logback appender that posts each line to a log backend over HTTP, as log shippers' appenders
 * do; here through the sidecar emulator's outbound proxy. A failed send is counted and dropped.
 */
public final class HttpLineAppender extends AppenderBase<ILoggingEvent> {

    private final LinePoster poster;
    public final AtomicInteger failed;

    public HttpLineAppender(URI endpoint, InetSocketAddress proxy) {
        this.poster = new LinePoster(endpoint, proxy, Duration.ofSeconds(60));
        this.failed = poster.failed;
        setName("HTTP");
    }

    @Override
    protected void append(ILoggingEvent event) {
        poster.post(event.getFormattedMessage());
    }
}
