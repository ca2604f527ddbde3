package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the inbound load observed: every request with its outcome, and counts; and, per stretch of
 * time ({@link #window}), how much load was actually sent, so that a test can tell a starved run
 * from a verdict.
 *
 * @param requests every request, ordered by the time it was sent
 * @param clients the load's configured number of clients (0 for {@link #empty()})
 */
public record InboundLoadResult(List<InboundRequest> requests, int clients) {

    /**
     * Validates and copies the components.
     */
    public InboundLoadResult {
        requests = List.copyOf(requireNonNull(requests, "requests"));
        if (clients < 0) {
            throw new IllegalArgumentException("clients: " + clients + " (expected: >= 0)");
        }
    }

    /**
     * A result whose clients are those that sent at least one request.
     *
     * @param requests every request, ordered by the time it was sent
     */
    public InboundLoadResult(List<InboundRequest> requests) {
        this(requests, (int) requireNonNull(requests, "requests").stream().mapToInt(InboundRequest::client).distinct().count());
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
     * Returns how much load was sent in {@code [from, to)}, measured by the load generator itself:
     * check it before an assertion that needs traffic in that stretch (e.g. failures expected
     * while endpoints still route to a stopped app, or none expected under load).
     *
     * @param from the start, relative to the Pod's deletion like {@link InboundRequest#sentAt()}
     * @param to the end, exclusive, &gt;= {@code from}
     * @return the counts, clients and longest silence of that stretch
     */
    public InboundLoadWindow window(Duration from, Duration to) {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        if (to.compareTo(from) < 0) {
            throw new IllegalArgumentException("to: " + to + " (expected: >= from " + from + ")");
        }
        List<InboundRequest> inside = requests.stream()
                .filter(r -> r.sentAt().compareTo(from) >= 0 && r.sentAt().compareTo(to) < 0)
                .sorted(java.util.Comparator.comparing(InboundRequest::sentAt))
                .toList();
        Duration silence = Duration.ZERO;
        Duration previous = from;
        for (InboundRequest r : inside) {
            silence = max(silence, r.sentAt().minus(previous));
            previous = r.sentAt();
        }
        silence = max(silence, to.minus(previous));
        int sending = (int) inside.stream().mapToInt(InboundRequest::client).distinct().count();
        return new InboundLoadWindow(from, to, inside.size(), sending, clients, silence);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
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
