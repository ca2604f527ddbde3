package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One request sent by the inbound load, and how it ended.
 *
 * @param client the index of the client that sent it, from 0
 * @param sentAt when it was sent, relative to the Pod's deletion (negative before it); relative
 *     to the load's start when the load ran without a Pod
 * @param latency how long until the outcome was known
 * @param outcome how it ended
 * @param statusCode the HTTP status, or 0 when no response arrived
 * @param detail the exception's class and message for failures without a response, otherwise
 *     empty
 */
public record InboundRequest(int client, Duration sentAt, Duration latency, InboundOutcome outcome,
        int statusCode, String detail) {

    /**
     * Validates the components.
     */
    public InboundRequest {
        requireNonNull(sentAt, "sentAt");
        requireNonNull(latency, "latency");
        requireNonNull(outcome, "outcome");
        requireNonNull(detail, "detail");
    }

    /**
     * Returns the time the request ended: {@code sentAt + latency}.
     *
     * @return the end, on the same scale as {@link #sentAt()}
     */
    public Duration endedAt() {
        return sentAt.plus(latency);
    }
}
