package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Locale;

/**
 * How much inbound load was sent in one stretch of time, as the load generator itself measured it:
 * what a test checks before it trusts a verdict that needs traffic in that stretch. On a starved
 * machine the generator's own threads run late and send little; a test that finds too little here
 * has an inconclusive run, not a failure of what it tests. From {@link InboundLoadResult#window}.
 *
 * @param from the stretch's start, on the scale of {@link InboundRequest#sentAt()} (relative to
 *     the Pod's deletion)
 * @param to its end, exclusive
 * @param sent requests sent in {@code [from, to)}
 * @param clientsSending how many clients sent at least one of them
 * @param clients the load's configured clients (0 when unknown)
 * @param longestSilence the longest stretch inside {@code [from, to)} in which no request was
 *     sent (from {@code from} to the first send, between two sends, from the last send to
 *     {@code to}); the whole window when none was sent
 */
public record InboundLoadWindow(Duration from, Duration to, long sent, int clientsSending, int clients,
        Duration longestSilence) {

    /**
     * Validates the components.
     */
    public InboundLoadWindow {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        requireNonNull(longestSilence, "longestSilence");
        if (to.compareTo(from) < 0) {
            throw new IllegalArgumentException("to: " + to + " (expected: >= from " + from + ")");
        }
    }

    /**
     * Returns the window's length.
     *
     * @return {@code to - from}
     */
    public Duration length() {
        return to.minus(from);
    }

    /**
     * Returns the send rate over the window.
     *
     * @return requests sent per second, 0 for an empty window
     */
    public double requestsPerSecond() {
        long nanos = length().toNanos();
        return nanos == 0 ? 0 : sent * 1e9 / nanos;
    }

    /**
     * Returns one line for an assertion's or an inconclusive run's message, e.g.
     * {@code 6 requests from 4 of 50 clients in [0 ms, 700 ms) after the deletion (8.6/s, longest silence 512 ms)}.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d requests from %d of %s clients in [%d ms, %d ms) after the deletion"
                + " (%.1f/s, longest silence %d ms)", sent, clientsSending, clients == 0 ? "?" : String.valueOf(clients),
                from.toMillis(), to.toMillis(), requestsPerSecond(), longestSilence.toMillis());
    }
}
