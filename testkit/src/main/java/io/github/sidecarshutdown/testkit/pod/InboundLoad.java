package io.github.sidecarshutdown.testkit.pod;

import java.net.URI;
import java.time.Duration;

/**
 * Immutable configuration of inbound load: concurrent clients sending HTTP GETs to one URL while
 * the Pod terminates. Built with {@link #builder()}.
 *
 * <p>Each client sends a request, waits for its outcome (bounded by the request timeout), pauses
 * and repeats, until the Pod has ended, {@link #maxDuration()} has passed since the load started,
 * or {@link #maxRequests()} requests were sent in total.
 *
 * @param url the target, normally the sidecar emulator's inbound port, e.g.
 *     {@code http://127.0.0.1:<inbound>/}
 * @param clients the number of concurrent clients
 * @param requestTimeout connect and response timeout of each request
 * @param pause pause of each client between two requests
 * @param leadTime how long the load runs before the Pod is deleted
 * @param maxDuration upper bound on the whole load
 * @param maxRequests upper bound on the number of requests, all clients together
 */
public record InboundLoad(URI url, int clients, Duration requestTimeout, Duration pause,
        Duration leadTime, Duration maxDuration, long maxRequests) {

    /**
     * Validates the components; see {@link InboundLoadBuilder} for the rules.
     */
    public InboundLoad {
        InboundLoadBuilder.checkUrl(url);
        InboundLoadBuilder.checkClients(clients);
        InboundLoadBuilder.checkPositive(requestTimeout, "requestTimeout");
        InboundLoadBuilder.checkNotNegative(pause, "pause");
        InboundLoadBuilder.checkNotNegative(leadTime, "leadTime");
        InboundLoadBuilder.checkPositive(maxDuration, "maxDuration");
        InboundLoadBuilder.checkMaxRequests(maxRequests);
    }

    /**
     * Returns a new builder.
     *
     * @return a builder with the documented defaults
     */
    public static InboundLoadBuilder builder() {
        return new InboundLoadBuilder();
    }
}
