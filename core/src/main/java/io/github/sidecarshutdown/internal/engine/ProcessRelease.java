package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.Threads;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.internal.jvm.HookThreads;
import io.github.sidecarshutdown.internal.jvm.ReleaseWatch;
import io.github.sidecarshutdown.sidecar.OutboundTraffic;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

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
 *
 * <p>Beyond coordinators, the release waits for the rest of the JVM ({@link #awaitQuiet},
 * docs/whole-jvm.md).
 */
final class ProcessRelease {

    static final ProcessRelease INSTANCE = new ProcessRelease(true);

    static {
        // The JVM's hook list, when the app opened java.lang: only readable before shutdown begins.
        HookThreads.captureRegistered();
    }

    /** Coordinators whose sequence runs, with the names of their tasks (for the report). */
    private final Map<Engine, String> running = new HashMap<>();
    /** Running coordinators whose outbound work is over. */
    private final Set<Engine> outboundDone = new HashSet<>();
    /** Coordinators that registered a real JVM hook and have not finished. */
    private final Set<Engine> hooked = new HashSet<>();
    /** Running coordinators whose sidecar another coordinator released while they ran, with who claimed it. */
    private final Map<Engine, Engine> covered = new HashMap<>();
    /** The rest of the JVM: its other shutdown hooks (docs/whole-jvm.md). */
    private final HookThreads hooks = new HookThreads();
    /** The sidecar's outbound counters when the first running coordinator began; null between shutdowns. */
    private @Nullable CompletableFuture<Optional<OutboundTraffic>> baseline; // guarded by this

    /** Whether the watch's thread also warms up the hook scan (JMX, /proc) and rehearses the sequence, once per JVM. */
    private final boolean warmsUp;

    /**
     * @param warmsUp whether the watch's thread warms up the hook scan and rehearses the sequence once
     *                per JVM; the rehearsal's own does not
     */
    ProcessRelease(boolean warmsUp) {
        this.warmsUp = warmsUp;
    }

    /** {@code c} registered a real JVM shutdown hook. */
    synchronized void hooked(Engine c) {
        hooked.add(c);
        HookThreads.captureRegistered();
    }

    /**
     * {@code c}'s sequence started, with tasks {@code taskNames}. The first one to start reads, on
     * its own thread, the sidecar's outbound counters (the baseline the release compares with), then
     * warms up the hook scan and the release's path (docs/timeline.md, "Warm-up at SIGTERM"); when it
     * may release nothing, the baseline is empty and no thread starts.
     */
    void begin(Engine c, String taskNames) {
        CompletableFuture<Optional<OutboundTraffic>> first = null;
        synchronized (this) {
            running.put(c, taskNames);
            if (baseline == null) {
                baseline = first = new CompletableFuture<>();
            }
        }
        if (first != null && !mayRelease(c)) {
            // Nothing to compare with and no release to prepare: no thread, and none of the hook
            // scan's warm-up (JMX, /proc) competing with a sequence that may have started cold.
            first.complete(Optional.empty());
        } else if (first != null) {
            CompletableFuture<Optional<OutboundTraffic>> b = first;
            // A class, not a lambda: this runs at the start of a sequence that may be cold (docs/timeline.md).
            Threads.daemon("sidecar-shutdown-watch", new Runnable() {
                @Override
                public void run() {
                    try {
                        b.complete(c.sidecar().outboundTraffic(c.settings().adminTimeout()));
                    } catch (RuntimeException e) {
                        b.complete(Optional.empty());
                    }
                    if (warmsUp) {
                        // Warm what the release will need while the phases before it run (the
                        // propagation delay, the drain, the cleanup): the hook scan, then the
                        // sequence itself on a stand-in, isolated from this one (Rehearsal).
                        HookThreads.warmUp();
                        Rehearsal.once(c.settings());
                    }
                }
            }).start();
        }
    }

    private static boolean mayRelease(Engine c) {
        if (!c.settings().enabled() || !c.settings().releaseSidecar()) {
            return false;
        }
        for (SidecarState s : SidecarState.values()) {
            if (c.sidecar().releaseDecision(s).releases()) {
                return true;
            }
        }
        return false;
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
        if (running.isEmpty()) {
            baseline = null; // the next shutdown (tests, a programmatic one) reads its own
        }
    }

    /**
     * The coordinators other than {@code self} whose outbound work may still go through the sidecar,
     * each described by its tasks; {@code exiting}: the JVM runs its hooks (from a hook of ours, or
     * seen running), so every installed coordinator will run.
     */
    List<String> others(Engine self, boolean exiting) {
        List<String> busy = new ArrayList<>();
        List<Engine> notStarted = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<Engine, String> e : running.entrySet()) {
                if (e.getKey() != self && !outboundDone.contains(e.getKey())) {
                    busy.add("with tasks " + e.getValue());
                }
            }
            if (exiting) {
                for (Engine c : hooked) {
                    if (c != self && !running.containsKey(c)) {
                        notStarted.add(c);
                    }
                }
            }
        }
        // A hooked coordinator that has not started will, since the JVM is exiting.
        for (Engine c : notStarted) {
            if (!c.isTerminated()) {
                busy.add("installed, its hook not started yet");
            }
        }
        return busy;
    }

    private synchronized boolean isCovered(Engine c) {
        return covered.containsKey(c);
    }

    /** The app's inbound requests in flight, over every running coordinator's tracker. */
    synchronized long inboundInFlight() {
        long n = 0;
        for (Engine c : running.keySet()) {
            n += c.inFlight().active();
        }
        return n;
    }

    /**
     * Waits, until {@code until}, for nothing else in the JVM to be able to send through the sidecar:
     * no other coordinator with outbound work, no other JVM shutdown hook running, no inbound request
     * of the app and no outbound request begun since the shutdown started in flight
     * (docs/whole-jvm.md). Returns at once when another coordinator released the sidecar meanwhile.
     */
    ReleaseWatch.Result awaitQuiet(Engine self, boolean fromJvmHook, Deadline until, TimeSource time, Duration callTimeout)
            throws InterruptedException {
        // A request no one in the JVM is at work on any more (sent without waiting, or given up on, like a
        // task cut at its timeout) is given at most task-timeout, the longest the library gives any call.
        Duration outboundAlone = self.settings().taskTimeout();
        return new ReleaseWatch(hooks, time).await(new ReleaseWatch.Sources() {
            @Override
            public List<String> coordinators(boolean jvmExiting) {
                return others(self, fromJvmHook || jvmExiting);
            }

            @Override
            public boolean covered() {
                return isCovered(self);
            }

            @Override
            public long inboundInFlight() {
                return ProcessRelease.this.inboundInFlight();
            }

            @Override
            public Optional<OutboundTraffic> outbound(Duration timeout) {
                return self.sidecar().outboundTraffic(timeout);
            }

            @Override
            public Optional<OutboundTraffic> baseline(Duration timeout) {
                CompletableFuture<Optional<OutboundTraffic>> b;
                synchronized (ProcessRelease.this) {
                    b = baseline;
                }
                if (b == null) {
                    return Optional.empty();
                }
                try {
                    return b.get(Math.max(1, Durations.toNanosSaturated(timeout)), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                } catch (Exception e) {
                    return Optional.empty();
                }
            }
        }, until, callTimeout, outboundAlone);
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
        for (Engine c : running.keySet()) {
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
