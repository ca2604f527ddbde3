package io.github.sidecarshutdown;

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

    private final Set<ShutdownCoordinator> working = new HashSet<>();
    private final Set<ShutdownCoordinator> hooked = new HashSet<>();
    /** Coordinators waiting for their turn to release, with the sidecar they would release. */
    private final java.util.Map<ShutdownCoordinator, String> waiting = new java.util.HashMap<>();
    /** Coordinators whose sidecar another coordinator released while they waited. */
    private final Set<ShutdownCoordinator> covered = new HashSet<>();

    /** {@code c} registered a real JVM shutdown hook. */
    synchronized void hooked(ShutdownCoordinator c) {
        hooked.add(c);
    }

    /** {@code c}'s sequence started. */
    synchronized void begin(ShutdownCoordinator c) {
        working.add(c);
    }

    /** {@code c}'s outbound work is over (idempotent). */
    synchronized void end(ShutdownCoordinator c) {
        working.remove(c);
        hooked.remove(c);
    }

    /** {@code c}'s sequence is over: nothing of it is kept. */
    synchronized void forget(ShutdownCoordinator c) {
        end(c);
        covered.remove(c);
        waiting.remove(c);
    }

    /** The coordinators other than {@code self} whose outbound work may still go through the sidecar. */
    List<ShutdownCoordinator> others(ShutdownCoordinator self, boolean fromJvmHook) {
        List<ShutdownCoordinator> candidates;
        synchronized (this) {
            candidates = new ArrayList<>(working);
            if (fromJvmHook) {
                candidates.addAll(hooked);
            }
        }
        List<ShutdownCoordinator> out = new ArrayList<>();
        for (ShutdownCoordinator c : candidates) {
            // Asked outside this lock: state() takes the coordinator's own lock.
            if (c != self && !out.contains(c) && c.state() != ShutdownCoordinator.State.TERMINATED && !isDone(c)) {
                out.add(c);
            }
        }
        return out;
    }

    private synchronized boolean isDone(ShutdownCoordinator c) {
        return !working.contains(c) && !hooked.contains(c);
    }

    /**
     * Waits until no other coordinator works, or {@code until} expires.
     *
     * @return the coordinators still working at the end (empty: the caller may release)
     */
    List<ShutdownCoordinator> awaitOthers(ShutdownCoordinator self, String target, boolean fromJvmHook, Deadline until,
            TimeSource time) throws InterruptedException {
        synchronized (this) {
            waiting.put(self, target);
        }
        try {
            List<ShutdownCoordinator> left = others(self, fromJvmHook);
            while (!left.isEmpty() && !until.isExpired() && !isCovered(self)) {
                time.sleep(until.cap(POLL));
                left = others(self, fromJvmHook);
            }
            return left;
        } finally {
            synchronized (this) {
                waiting.remove(self);
            }
        }
    }

    private synchronized boolean isCovered(ShutdownCoordinator c) {
        return covered.contains(c);
    }

    /**
     * Claims the release of {@code target} for {@code self}: false when another coordinator of this
     * process released the same sidecar while {@code self} waited; otherwise true, and every
     * coordinator waiting to release the same sidecar is covered by this release.
     */
    synchronized boolean claim(ShutdownCoordinator self, String target) {
        if (covered.remove(self)) {
            return false;
        }
        waiting.forEach((c, t) -> {
            if (c != self && t.equals(target)) {
                covered.add(c);
            }
        });
        return true;
    }
}
