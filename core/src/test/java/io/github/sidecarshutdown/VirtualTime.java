package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;

/**
 * A virtual clock for unit tests: {@link #sleep(Duration)} parks the caller until the clock reaches
 * its wake-up time, and the clock moves only when every library thread ({@code sidecar-shutdown*})
 * and every test worker registered here is parked, jumping straight to the next wake-up or to the
 * waiter's deadline. So a 30 s shutdown runs in milliseconds, and "a task that hangs" (sleeps for an
 * hour, or blocks on a latch) deterministically reaches its timeout.
 */
final class VirtualTime implements TimeSource {

    private static final long REAL_SAFETY_CAP_NANOS = Duration.ofSeconds(20).toNanos();

    private final Object lock = new Object();
    private final List<Long> wakeUps = new ArrayList<>();
    private final List<Future<?>> awaited = new ArrayList<>();
    private long now = 1_000_000_000L;
    private int version;

    @Override
    public long nanoTime() {
        synchronized (lock) {
            return now;
        }
    }

    /** Elapsed virtual time since {@code startNanos}. */
    Duration since(long startNanos) {
        return Duration.ofNanos(nanoTime() - startNanos);
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        long nanos = Durations.toNanosSaturated(duration);
        if (nanos <= 0) {
            return;
        }
        synchronized (lock) {
            Long wake = Durations.saturatedAdd(now, nanos);
            wakeUps.add(wake);
            version++;
            lock.notifyAll();
            try {
                while (now < wake) {
                    lock.wait();
                }
            } finally {
                wakeUps.remove(wake);
                version++;
                lock.notifyAll();
            }
        }
    }

    @Override
    public boolean awaitDone(Future<?> future, Duration timeout) throws InterruptedException {
        long realStart = System.nanoTime();
        synchronized (lock) {
            Long deadline = Durations.saturatedAdd(now, Durations.toNanosSaturated(timeout));
            // A waiter's deadline is a wake-up too: no other waiter may jump the clock past it.
            wakeUps.add(deadline);
            awaited.add(future);
            version++;
            try {
                while (true) {
                    if (future.isDone()) {
                        return true;
                    }
                    if (now >= deadline) {
                        return false;
                    }
                    if (System.nanoTime() - realStart > REAL_SAFETY_CAP_NANOS) {
                        throw new AssertionError("virtual time made no progress for 20 s of real time");
                    }
                    if (!quiescent()) {
                        continue;
                    }
                    long next = wakeUps.stream().mapToLong(Long::longValue).min().orElse(deadline);
                    if (next > now) {
                        now = next;
                        version++;
                        lock.notifyAll();
                    }
                    // Let woken sleepers run before judging again.
                    lock.wait(1);
                }
            } finally {
                wakeUps.remove(deadline);
                awaited.remove(future);
                version++;
                lock.notifyAll();
            }
        }
    }

    /**
     * Whether nothing that could move virtual time is running: checked twice, 1 ms apart (the wait
     * releases the lock so that threads blocked on it get through), with no sleeper added or
     * removed in between.
     */
    private boolean quiescent() throws InterruptedException {
        int seen = version;
        // A waiter whose future is done is about to return (it is only between two checks): the
        // clock must not jump past its deadline under it.
        if (awaited.stream().anyMatch(Future::isDone) || !parked()) {
            lock.wait(1);
            return false;
        }
        lock.wait(1);
        return seen == version && awaited.stream().noneMatch(Future::isDone) && parked();
    }

    private static boolean parked() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        for (int i = 0; i < n; i++) {
            Thread t = threads[i];
            if (t == Thread.currentThread() || !(t.getName().startsWith("sidecar-shutdown") || t.getName().startsWith("test-worker"))) {
                continue;
            }
            Thread.State s = t.getState();
            if (s == Thread.State.RUNNABLE || s == Thread.State.NEW) {
                return false;
            }
            if (s != Thread.State.TERMINATED && lockOwnerIsRunning(t)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code t} waits for a monitor or lock whose owner is running, or for this clock's own
     * monitor: then it is about to move (a logger's stream lock held by a thread writing to a busy
     * pipe, say), not parked.
     */
    private static boolean lockOwnerIsRunning(Thread t) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        java.lang.management.ThreadInfo info = mx.getThreadInfo(t.getId());
        if (info == null || info.getLockOwnerId() == -1) {
            return false;
        }
        if (info.getLockOwnerId() == Thread.currentThread().getId()) {
            // The judge holds this clock's monitor: a thread blocked entering it (to read the time or
            // to sleep) runs as soon as the judge waits; one waiting inside it is a parked sleeper.
            return info.getThreadState() == Thread.State.BLOCKED;
        }
        java.lang.management.ThreadInfo owner = mx.getThreadInfo(info.getLockOwnerId());
        return owner != null && owner.getThreadState() == Thread.State.RUNNABLE;
    }
}
