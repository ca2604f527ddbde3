package io.github.sidecarshutdown.grpc;

import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The calls of one server that are open now, so that the drain can wait for the ones that are work
 * and cut what is left at its end. Once {@link #cutAll(Status)} ran, calls that still arrive are
 * refused before their handler starts.
 */
final class CallRegistry {

    /** What {@link #cutAll(Status)} closed. */
    record Cut(int work, int idle) {
    }

    private final Set<TrackedCall<?, ?>> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger counted = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;

    /**
     * Adds a started call.
     *
     * @return false if the registry was closed meanwhile: the caller refuses the call
     */
    boolean add(TrackedCall<?, ?> call) {
        if (call.isCounted()) {
            counted.incrementAndGet();
        }
        open.add(call);
        // Read after the add: either cutAll's pass sees this call, or this sees the flag.
        return !closed;
    }

    void remove(TrackedCall<?, ?> call) {
        if (open.remove(call) && call.isCounted()) {
            counted.decrementAndGet();
        }
    }

    /** Counted calls (work, not health watches) open now. */
    int countedOpen() {
        return counted.get();
    }

    /** A stream of a call that is work was accepted by the transport ({@link AcceptedStreams}). */
    void streamAccepted() {
        accepted.incrementAndGet();
    }

    /** A stream counted by {@link #streamAccepted()} closed. */
    void streamEnded() {
        accepted.decrementAndGet();
    }

    /**
     * Whether work is still open: a call the interceptor counted, or a stream the transport accepted
     * that has not closed (it may still wait for the server's executor, where the interceptor runs).
     */
    boolean workOpen() {
        return counted.get() > 0 || accepted.get() > 0;
    }

    /** Streams of calls that are work, accepted and not closed (0 without {@link AcceptedStreams}). */
    int streamsOpen() {
        return accepted.get();
    }

    boolean isClosed() {
        return closed;
    }

    /** Refuses calls from now on and closes every open one with {@code status}. */
    Cut cutAll(Status status) {
        closed = true;
        int work = 0;
        int idle = 0;
        for (TrackedCall<?, ?> call : open) {
            if (call.cut(status)) {
                if (call.isCounted()) {
                    work++;
                } else {
                    idle++;
                }
            }
        }
        return new Cut(work, idle);
    }
}
