package io.github.sidecarshutdown.internal.jvm;

import io.github.sidecarshutdown.ReleaseWait;
import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.OutboundTraffic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The wait before the sidecar release: until nothing else in the JVM may still send through the
 * sidecar, or the deadline (docs/whole-jvm.md). Each poll asks, cheapest first: the other
 * coordinators of the process, the JVM's other shutdown hooks ({@link HookThreads}), the app's inbound
 * requests in flight; and only when all of those are clear, the sidecar's own count of outbound
 * requests ({@link OutboundInFlight}), one admin call. It returns as soon as a poll finds nothing,
 * so with nothing else running it costs one admin call and one scan of the threads.
 *
 * <p>Between polls it waits on what it waits for: it joins a hook thread (so it wakes the moment
 * the hook ends), and otherwise sleeps a few milliseconds. Once what it waited for has ended it looks
 * once more {@link #SETTLE} later: a hook or a request that ended may have just sent something that
 * has not reached the sidecar yet. Every wait is capped by the deadline.
 */
public final class ReleaseWatch {

    /** Longest single join of a hook thread before the next poll (another hook may have ended meanwhile). */
    static final Duration HOOK_POLL = Duration.ofMillis(25);
    static final Duration COORDINATOR_POLL = Duration.ofMillis(2);
    static final Duration INBOUND_POLL = Duration.ofMillis(5);
    static final Duration OUTBOUND_POLL = Duration.ofMillis(10);
    /** The second look after something else ended, for what it started to reach the sidecar. */
    static final Duration SETTLE = Duration.ofMillis(25);

    /** What the watch asks on every poll, besides the hook threads. */
    public interface Sources {

        /** Other coordinators of the process whose outbound work is not done, named; {@code jvmExiting}: hooks are running. */
        List<String> coordinators(boolean jvmExiting);

        /** Whether another coordinator released the sidecar meanwhile (this one then has nothing to release). */
        boolean covered();

        /** The app's inbound requests in flight, over every coordinator of the process. */
        long inboundInFlight();

        /** The sidecar's outbound counters now, within {@code timeout}; empty when it cannot tell. */
        Optional<OutboundTraffic> outbound(Duration timeout);

        /** The sidecar's outbound counters from when the shutdown began, waiting at most {@code timeout}; empty when unknown. */
        Optional<OutboundTraffic> baseline(Duration timeout);
    }

    /**
     * How the wait ended.
     *
     * @param waits        everything it waited for, with how long, the cut-off ones marked
     * @param coordinators the other coordinators still working at the end (non-empty only when cut off)
     * @param covered      another coordinator released the sidecar meanwhile
     * @param note         how the outbound counters were read, when that matters for the report; may be empty
     */
    public record Result(List<ReleaseWait> waits, List<String> coordinators, boolean covered, String note) {

        /** Whether the deadline ended the wait with something still running. */
        public boolean cutOff() {
            for (ReleaseWait w : waits) {
                if (w.cutOff()) {
                    return true;
                }
            }
            return false;
        }

        /** For the phase detail: {@code waited 1.5s for shutdown hook 'Thread-3' 1.5s}; empty when it waited for nothing. */
        public String describe() {
            // Loops, not streams: this is made between the app's last call and the release (docs/timeline.md).
            StringJoiner done = new StringJoiner(", ");
            StringJoiner cut = new StringJoiner(", ");
            for (ReleaseWait w : waits) {
                (w.cutOff() ? cut : done).add(w.summary());
            }
            StringBuilder sb = new StringBuilder();
            if (done.length() > 0) {
                sb.append("waited for ").append(done);
            }
            if (cut.length() > 0) {
                sb.append(sb.length() == 0 ? "" : "; ").append("the deadline cut off ").append(cut);
            }
            if (!note.isEmpty()) {
                sb.append(sb.length() == 0 ? "" : "; ").append(note);
            }
            return sb.toString();
        }
    }

    private final HookThreads hooks;
    private final TimeSource time;

    public ReleaseWatch(HookThreads hooks, TimeSource time) {
        this.hooks = hooks;
        this.time = time;
    }

    /** Waits until nothing else may send through the sidecar, {@code until} expires, or another coordinator released it. */
    public Result await(Sources sources, Deadline until, Duration callTimeout) throws InterruptedException {
        return await(sources, until, callTimeout, null);
    }

    /**
     * As {@link #await(Sources, Deadline, Duration)}, but outbound requests that nothing in the JVM is
     * at work on any more (no hook, no coordinator, no inbound request: a request sent without waiting,
     * or one whose caller gave up, like a task cut at its timeout) hold the release for at most
     * {@code outboundAlone}; then they are cut off.
     */
    public Result await(Sources sources, Deadline until, Duration callTimeout, @Nullable Duration outboundAlone)
            throws InterruptedException {
        Map<String, Seen> seen = new LinkedHashMap<>();
        long aloneSince = -1; // when the outbound counters became the only thing waited for
        // Known before anything is asked of the sidecar (read when the shutdown began; normally long done).
        Optional<OutboundTraffic> baseline = sources.covered() ? Optional.empty() : sources.baseline(until.cap(callTimeout));
        List<Busy> lastOutbound = List.of();
        boolean settled = false;
        String note = "";
        while (true) {
            long now = time.nanoTime();
            if (sources.covered()) {
                return result(seen, List.of(), now, List.of(), true, note);
            }
            HookThreads.Scan scan = hooks.scan();
            List<Busy> busy = new ArrayList<>();
            List<String> coordinators = sources.coordinators(scan.jvmExiting());
            for (String c : coordinators) {
                busy.add(new Busy(ReleaseWait.Kind.COORDINATOR, c, null, "outbound work not done"));
            }
            busy.addAll(scan.busy());
            long inbound = sources.inboundInFlight();
            if (inbound > 0) {
                busy.add(new Busy(ReleaseWait.Kind.INBOUND_REQUESTS, "in-flight tracker", null, inbound + " request(s)"));
            }
            if (busy.isEmpty()) {
                // The only network call, and only once all else is clear: after the scan, so that what a
                // hook sent before it ended (between the two) is in the counters. Asked before it, a hook
                // that sent and ended in between was gone from the scan and its request not yet counted.
                if (baseline.isEmpty()) {
                    // Requests in flight now cannot be told from long-lived sessions without it.
                    note = "outbound requests not waited for (the sidecar's outbound counters from the start of the shutdown unknown)";
                } else if (until.isExpired()) {
                    busy.addAll(lastOutbound); // no time left to ask: what was in flight is cut off
                } else {
                    Optional<OutboundTraffic> counters = ask(sources, until.cap(callTimeout));
                    if (counters.isEmpty()) {
                        // Unknown is not quiet: what was seen in flight is still taken to be.
                        note = "the sidecar's outbound counters unavailable";
                        busy.addAll(lastOutbound);
                    } else {
                        lastOutbound = OutboundInFlight.busy(counters.get(), baseline.get());
                        busy.addAll(lastOutbound);
                    }
                }
                now = time.nanoTime();
            }
            long seenAt = now;
            for (Busy b : busy) {
                seen.computeIfAbsent(b.key(), k -> new Seen(b, seenAt)).cleared = -1; // busy (again)
            }
            for (Map.Entry<String, Seen> e : seen.entrySet()) {
                if (e.getValue().cleared < 0 && busy.stream().noneMatch(b -> b.key().equals(e.getKey()))) {
                    e.getValue().cleared = now;
                }
            }
            if (busy.isEmpty()) {
                if (seen.isEmpty() || settled || until.isExpired()) {
                    return result(seen, List.of(), now, List.of(), false, note);
                }
                // Something else ran until a moment ago: what it started last (a request sent without
                // waiting, a call-out at the end of a request) reaches the sidecar a moment later. Look once more.
                settled = true;
                time.sleep(until.cap(SETTLE));
                continue;
            }
            settled = false;
            boolean outboundOnly = busy.stream().allMatch(b -> b.kind() == ReleaseWait.Kind.OUTBOUND_REQUESTS);
            aloneSince = !outboundOnly ? -1 : aloneSince < 0 ? now : aloneSince;
            boolean aloneTooLong = outboundAlone != null && aloneSince >= 0 && now - aloneSince >= outboundAlone.toNanos();
            if (until.isExpired() || aloneTooLong) {
                return result(seen, busy, now, coordinators, false, note);
            }
            pause(busy, until);
        }
    }

    /** {@code sources.outbound(timeout)}; a failure to ask is an unknown answer. */
    private static Optional<OutboundTraffic> ask(Sources sources, Duration timeout) {
        try {
            return sources.outbound(timeout);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private void pause(List<Busy> busy, Deadline until) throws InterruptedException {
        Thread hook = null;
        boolean coordinator = false;
        boolean inbound = false;
        for (Busy b : busy) {
            if (b.thread() != null && hook == null) {
                hook = b.thread();
            }
            coordinator |= b.kind() == ReleaseWait.Kind.COORDINATOR;
            inbound |= b.kind() == ReleaseWait.Kind.INBOUND_REQUESTS;
        }
        if (hook != null && !coordinator) {
            // Wakes the moment the hook ends.
            long ms = Math.max(1, until.cap(HOOK_POLL).toMillis());
            TimeUnit.MILLISECONDS.timedJoin(hook, ms);
            return;
        }
        Duration poll = coordinator ? COORDINATOR_POLL : hook != null ? HOOK_POLL : inbound ? INBOUND_POLL : OUTBOUND_POLL;
        time.sleep(until.cap(poll));
    }

    /** One thing waited for: since when, and when it was first seen cleared (-1 while busy). */
    private static final class Seen {
        final Busy busy;
        final long first;
        long cleared = -1;

        Seen(Busy busy, long first) {
            this.busy = busy;
            this.first = first;
        }
    }

    private static Result result(Map<String, Seen> seen, List<Busy> cut, long now, List<String> coordinators, boolean covered,
            String note) {
        List<ReleaseWait> waits = new ArrayList<>();
        for (Map.Entry<String, Seen> e : seen.entrySet()) {
            Seen s = e.getValue();
            boolean stillBusy = cut.stream().anyMatch(c -> c.key().equals(e.getKey()));
            long end = s.cleared >= 0 && !stillBusy ? s.cleared : now;
            waits.add(new ReleaseWait(s.busy.kind(), s.busy.name(), Duration.ofNanos(Math.max(0, end - s.first)), stillBusy));
        }
        return new Result(List.copyOf(waits), List.copyOf(coordinators), covered, note);
    }
}
