package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the inbound load observed: every request with its outcome, and counts.
 *
 * @param requests every request, ordered by the time it was sent
 */
public record InboundLoadResult(List<InboundRequest> requests) {

    /**
     * Validates and copies the components.
     */
    public InboundLoadResult {
        requests = List.copyOf(requireNonNull(requests, "requests"));
    }

    /**
     * Returns a result without requests, for Pods run without load.
     *
     * @return an empty result
     */
    public static InboundLoadResult empty() {
        return new InboundLoadResult(List.of());
    }

    /**
     * Returns the number of requests sent.
     *
     * @return the total
     */
    public long total() {
        return requests.size();
    }

    /**
     * Returns the number of requests with one outcome.
     *
     * @param outcome the outcome
     * @return how many requests ended so
     */
    public long count(InboundOutcome outcome) {
        requireNonNull(outcome, "outcome");
        return requests.stream().filter(r -> r.outcome() == outcome).count();
    }

    /**
     * Returns the number of requests that did not end {@link InboundOutcome#OK}.
     *
     * @return the failure count
     */
    public long failures() {
        return requests.stream().filter(r -> r.outcome().isFailure()).count();
    }

    /**
     * Returns the counts by outcome, every outcome present (zero when none).
     *
     * @return an immutable map in {@link InboundOutcome} order
     */
    public Map<InboundOutcome, Long> counts() {
        Map<InboundOutcome, Long> counts = new EnumMap<>(InboundOutcome.class);
        for (InboundOutcome outcome : InboundOutcome.values()) {
            counts.put(outcome, 0L);
        }
        for (InboundRequest request : requests) {
            counts.merge(request.outcome(), 1L, Long::sum);
        }
        return Collections.unmodifiableMap(counts);
    }

    /**
     * Returns the counts by HTTP status of the requests that got a response.
     *
     * @return an immutable map sorted by status
     */
    public Map<Integer, Long> statusCounts() {
        return Collections.unmodifiableMap(requests.stream()
                .filter(r -> r.statusCode() > 0)
                .collect(Collectors.groupingBy(InboundRequest::statusCode, TreeMap::new,
                        Collectors.counting())));
    }

    /**
     * Returns a one-line summary, e.g.
     * {@code 812 requests: OK=790 HTTP_ERROR=0 CONNECTION_REFUSED=22 ...}.
     *
     * @return the summary
     */
    public String summary() {
        StringBuilder text = new StringBuilder().append(total()).append(" requests:");
        counts().forEach((outcome, count) -> text.append(' ').append(outcome).append('=').append(count));
        Map<Integer, Long> statuses = statusCounts();
        if (!statuses.isEmpty()) {
            text.append(" statuses=").append(statuses);
        }
        return text.toString();
    }
}
