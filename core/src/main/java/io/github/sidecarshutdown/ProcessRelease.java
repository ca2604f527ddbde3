package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.Threads;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.internal.jvm.HookThreads;
import io.github.sidecarshutdown.internal.jvm.ReleaseWatch;
import io.github.sidecarshutdown.sidecar.OutboundTraffic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
 */
final class ProcessRelease {

    static final ProcessRelease INSTANCE = new ProcessRelease();

    static {
        // The JVM's hook list, when the app opened java.lang: only readable before shutdown begins.
        HookThreads.captureRegistered();
    }

    private static final Duration POLL = Duration.ofMillis(2);

    /** Coordinators whose sequence runs. */
    private final Set<ShutdownCoordinator> running = new HashSet<>();
    /** Running coordinators whose outbound work is over. */
    private final Set<ShutdownCoordinator> outboundDone = new HashSet<>();
    /** Coordinators that registered a real JVM hook and have not finished. */
    private final Set<ShutdownCoordinator> hooked = new HashSet<>();
    /** Running coordinators whose sidecar another coordinator released while they ran. */
    private final Set<ShutdownCoordinator> covered = new HashSet<>();
    /** The rest of the JVM: its other shutdown hooks (docs/whole-jvm.md). */
    private final HookThreads hooks = new HookThreads();
    /** The sidecar's outbound counters when the first running coordinator began; null between shutdowns. */
    private @Nullable CompletableFuture<Optional<OutboundTraffic>> baseline; // guarded by this

    /** {@code c} registered a real JVM shutdown hook. */
    synchronized void hooked(ShutdownCoordinator c) {
        hooked.add(c);
        HookThreads.captureRegistered();
    }

    /**
     * {@code c}'s sequence started. The first one to start reads, on its own thread, the sidecar's
     * outbound counters (the baseline the release compares with) and warms up the hook scan.
     */
    void begin(ShutdownCoordinator c) {
        CompletableFuture<Optional<OutboundTraffic>> first = null;
        synchronized (this) {
            running.add(c);
            if (baseline == null) {
                baseline = first = new CompletableFuture<>();
            }
        }
        if (first != null) {
            CompletableFuture<Optional<OutboundTraffic>> b = first;
            Threads.daemon("sidecar-shutdown-watch", () -> {
                try {
                    b.complete(mayRelease(c) ? c.sidecar().outboundTraffic(c.settings().adminTimeout()) : Optional.empty());
                } catch (RuntimeException e) {
                    b.complete(Optional.empty());
                }
                HookThreads.warmUp();
            }).start();
        }
    }

    private static boolean mayRelease(ShutdownCoordinator c) {
        return c.settings().enabled() && c.settings().releaseSidecar() && c.sidecar().releaseCall().isPresent();
    }

    /** {@code c}'s outbound work is over (idempotent). */
    synchronized void end(ShutdownCoordinator c) {
        outboundDone.add(c);
    }

    /** {@code c}'s sequence is over: nothing of it is kept. */
    synchronized void forget(ShutdownCoordinator c) {
        running.remove(c);
        outboundDone.remove(c);
        hooked.remove(c);
        covered.remove(c);
        if (running.isEmpty()) {
            baseline = null; // the next shutdown (tests, a programmatic one) reads its own
        }
    }

    /**
     * The coordinators other than {@code self} whose outbound work may still go through the sidecar;
     * {@code exiting}: the JVM runs its hooks (from a hook of ours, or seen running), so every
     * installed coordinator will run.
     */
    List<ShutdownCoordinator> others(ShutdownCoordinator self, boolean exiting) {
        List<ShutdownCoordinator> busy = new ArrayList<>();
        List<ShutdownCoordinator> notStarted = new ArrayList<>();
        synchronized (this) {
            for (ShutdownCoordinator c : running) {
                if (c != self && !outboundDone.contains(c)) {
                    busy.add(c);
                }
            }
            if (exiting) {
                for (ShutdownCoordinator c : hooked) {
                    if (c != self && !running.contains(c)) {
                        notStarted.add(c);
                    }
                }
            }
        }
        // Asked outside this lock (state() takes the coordinator's own lock): a hooked coordinator
        // that has not started will, since the JVM is exiting.
        for (ShutdownCoordinator c : notStarted) {
            if (c.state() != ShutdownCoordinator.State.TERMINATED) {
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
    List<ShutdownCoordinator> awaitOthers(ShutdownCoordinator self, boolean fromJvmHook, Deadline until, TimeSource time)
            throws InterruptedException {
        List<ShutdownCoordinator> left = others(self, fromJvmHook);
        while (!left.isEmpty() && !until.isExpired() && !isCovered(self)) {
            time.sleep(until.cap(POLL));
            left = others(self, fromJvmHook);
        }
        return isCovered(self) ? List.of() : left;
    }

    private synchronized boolean isCovered(ShutdownCoordinator c) {
        return covered.contains(c);
    }

    /** The app's inbound requests in flight, over every running coordinator's tracker. */
    synchronized long inboundInFlight() {
        long n = 0;
        for (ShutdownCoordinator c : running) {
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
    ReleaseWatch.Result awaitQuiet(ShutdownCoordinator self, boolean fromJvmHook, Deadline until, TimeSource time,
            Duration callTimeout) throws InterruptedException {
        return new ReleaseWatch(hooks, time).await(new ReleaseWatch.Sources() {
            @Override
            public List<String> coordinators(boolean jvmExiting) {
                return others(self, fromJvmHook || jvmExiting).stream().map(ProcessRelease::describe).collect(Collectors.toList());
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
        }, until, callTimeout);
    }

    private static String describe(ShutdownCoordinator c) {
        List<ShutdownTask> tasks = c.tasks();
        return "with tasks " + (tasks.isEmpty() ? "(none)" : tasks.stream().map(ShutdownTask::name).collect(Collectors.joining(", ")));
    }

    /**
     * Claims the release for {@code self}: false when another coordinator released the sidecar
     * while {@code self}'s sequence ran; otherwise true, and every other running coordinator is
     * covered by this release (their sequences overlap this one: they share the sidecar).
     */
    synchronized boolean claim(ShutdownCoordinator self) {
        if (covered.remove(self)) {
            return false;
        }
        for (ShutdownCoordinator c : running) {
            if (c != self) {
                covered.add(c);
            }
        }
        return true;
    }
}
