package io.github.sidecarshutdown.grpc;

import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The calls of one server that are open now, so that the drain can wait for the ones that are work
 * and cut what is left at its end. Once {@link #cutIdle(Status)} ran, calls that are not work and
 * still arrive are refused; once {@link #cutAll(Status)} ran, every call that still arrives is,
 * before its handler starts.
 */
final class CallRegistry {

    /** What {@link #cutAll(Status)} closed. */
    record Cut(int work, int idle) {
    }

    private final Set<TrackedCall<?, ?>> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger counted = new AtomicInteger();
    private volatile boolean idleClosed;
    private volatile boolean closed;

    /**
     * Adds a started call.
     *
     * @return false if the registry was closed to it meanwhile: the caller refuses the call
     */
    boolean add(TrackedCall<?, ?> call) {
        if (call.isCounted()) {
            counted.incrementAndGet();
        }
        open.add(call);
        // Read after the add: either the cut's pass sees this call, or this sees the flag.
        return !refuses(call.isCounted());
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

    /** Whether a call arriving now is refused: any once everything was cut, one that is not work once idle ones were. */
    boolean refuses(boolean work) {
        return closed || (!work && idleClosed);
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Closes every open call that is not work (health watches, reflection streams: open as long as
     * their clients like, they would keep the server from terminating) and refuses such calls from
     * now on. Calls that are work go on, and new ones are still taken.
     *
     * @return how many it closed
     */
    int cutIdle(Status status) {
        idleClosed = true;
        return cut(status, false).idle();
    }

    /** Refuses calls from now on and closes every open one with {@code status}. */
    Cut cutAll(Status status) {
        closed = true;
        return cut(status, true);
    }

    private Cut cut(Status status, boolean work) {
        int cutWork = 0;
        int cutIdle = 0;
        for (TrackedCall<?, ?> call : open) {
            if (call.isCounted() && !work) {
                continue;
            }
            boolean closedNow;
            try {
                closedNow = call.cut(status);
            } catch (RuntimeException e) {
                // The status could not be sent (a broken connection, an executor that refuses work):
                // counted as cut, since the call cannot go on either way.
                closedNow = true;
            }
            if (closedNow) {
                if (call.isCounted()) {
                    cutWork++;
                } else {
                    cutIdle++;
                }
            }
        }
        return new Cut(cutWork, cutIdle);
    }
}
