package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One sidecar release per process, and only once every coordinator's outbound work is done.
 * Several coordinators can live in one JVM (two libraries, an app and a framework): the sidecar
 * is shared, so the first one to finish must not release it under the others' cleanup calls.
 *
 * <p>A coordinator is <em>working</em> from the start of its sequence until its outbound work
 * (cleanup and release tasks) is done. During a JVM shutdown every coordinator that installed a
 * real JVM hook will run, so from a hook such a coordinator counts as working even before its own
 * hook thread has started. A coordinator shut down programmatically while others are merely
 * installed does not wait for them: the JVM is not exiting, their hooks may never run.
 */
final class ProcessRelease {

    static final ProcessRelease INSTANCE = new ProcessRelease();

    private static final Duration POLL = Duration.ofMillis(2);

    /** Coordinators whose sequence runs. */
    private final Set<Engine> running = new HashSet<>();
    /** Running coordinators whose outbound work is over. */
    private final Set<Engine> outboundDone = new HashSet<>();
    /** Coordinators that registered a real JVM hook and have not finished. */
    private final Set<Engine> hooked = new HashSet<>();
    /** Running coordinators whose sidecar another coordinator released while they ran, with who claimed it. */
    private final java.util.Map<Engine, Engine> covered = new java.util.HashMap<>();

    /** {@code c} registered a real JVM shutdown hook. */
    synchronized void hooked(Engine c) {
        hooked.add(c);
    }

    /** {@code c}'s sequence started. */
    synchronized void begin(Engine c) {
        running.add(c);
    }

    /** {@code c}'s outbound work is over (idempotent). */
    synchronized void end(Engine c) {
        outboundDone.add(c);
    }

    /** {@code c}'s sequence is over: nothing of it is kept. */
    synchronized void forget(Engine c) {
        running.remove(c);
        outboundDone.remove(c);
        hooked.remove(c);
        covered.remove(c);
    }

    /** The coordinators other than {@code self} whose outbound work may still go through the sidecar. */
    List<Engine> others(Engine self, boolean fromJvmHook) {
        List<Engine> busy = new ArrayList<>();
        List<Engine> notStarted = new ArrayList<>();
        synchronized (this) {
            for (Engine c : running) {
                if (c != self && !outboundDone.contains(c)) {
                    busy.add(c);
                }
            }
            if (fromJvmHook) {
                for (Engine c : hooked) {
                    if (c != self && !running.contains(c)) {
                        notStarted.add(c);
                    }
                }
            }
        }
        // A hooked coordinator that has not started will, since the JVM is exiting.
        for (Engine c : notStarted) {
            if (!c.isTerminated()) {
                busy.add(c);
            }
        }
        return busy;
    }

    /**
     * Waits until no other coordinator works, another one released the sidecar for {@code self}, or
     * {@code until} expires.
     *
     * @return the coordinators still working at the end (empty: the caller may claim the release)
     */
    List<Engine> awaitOthers(Engine self, boolean fromJvmHook, Deadline until, TimeSource time)
            throws InterruptedException {
        List<Engine> left = others(self, fromJvmHook);
        while (!left.isEmpty() && !until.isExpired() && !isCovered(self)) {
            time.sleep(until.cap(POLL));
            left = others(self, fromJvmHook);
        }
        return isCovered(self) ? List.of() : left;
    }

    private synchronized boolean isCovered(Engine c) {
        return covered.containsKey(c);
    }

    /**
     * Claims the release for {@code self}: false when another coordinator released the sidecar
     * while {@code self}'s sequence ran; otherwise true, and every other running coordinator is
     * covered by this release (their sequences overlap this one: they share the sidecar).
     */
    synchronized boolean claim(Engine self) {
        if (covered.remove(self) != null) {
            return false;
        }
        for (Engine c : running) {
            if (c != self) {
                covered.put(c, self);
            }
        }
        return true;
    }

    /** {@code self}'s release call failed: the others it covered are not covered after all. */
    synchronized void unclaim(Engine self) {
        covered.values().removeIf(claimant -> claimant == self);
    }
}
