package io.github.sidecarshutdown.internal.jvm;

import io.github.sidecarshutdown.internal.Threads;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The JVM's other shutdown hook threads that are still running, seen from inside one of them (or
 * from a coordinator's own thread) while the JVM exits. Rules and measurements: docs/whole-jvm.md.
 *
 * <p>The JVM starts every application hook at once and then joins them one by one
 * ({@code java.lang.ApplicationShutdownHooks.runHooks}), on the thread that began the shutdown (the
 * signal's handler thread, the caller of {@code System.exit}, or {@code DestroyJavaVM}). A hook is
 * recognised, most exact first:
 * <ol>
 *   <li>by the JVM's own list, when the app opened {@code java.lang} to the library
 *       ({@link RegisteredHooks}); then nothing else is needed;</li>
 *   <li>as the thread that runner is joining: a hook, for sure (the thread monitor it waits on, from
 *       {@link ThreadMXBean}); one at a time, and never the ones after a hook that waits for the
 *       library itself;</li>
 *   <li>on Linux, as a thread that started in the clock ticks just after that hook
 *       ({@link NativeThreadStarts}): the JVM starts them all within microseconds. Such a thread
 *       counts unless it is parked idle ({@link ThreadRoles#isIdle}): a thread a hook started and left
 *       idle in a pool is not work.</li>
 * </ol>
 * A thread started later than that, while the hooks run, is one a hook (or the app) started during
 * the shutdown: an HTTP client's worker sending what a hook handed it, a flush thread. It counts too,
 * on the same terms: while it is not idle.
 * Never counted: the library's threads, the JVM's, the runner, the caller, and a hook waiting inside
 * {@code ShutdownCoordinator.shutdown()} (a coordinator, which the release accounts for as such).
 */
public final class HookThreads {

    /**
     * Clock ticks after the first hook's start that still count as "started with it": the JVM starts
     * them back to back, within a millisecond unless its thread is preempted; 5 ticks is 50 ms at
     * the usual 100 Hz.
     */
    static final long WINDOW_TICKS = 5;

    /** What a scan saw. */
    public record Scan(boolean jvmExiting, List<Busy> busy, String how) {

        static final Scan NOT_EXITING = new Scan(false, List.of(), "the JVM is not exiting");
    }

    /** Threads, the runner's join target and native start times, as one scan reads them; tests substitute it. */
    interface View {
        List<LiveThread> threads();

        @Nullable Thread joinTarget(LiveThread runner, List<LiveThread> threads);

        Optional<NativeThreadStarts> nativeStarts();

        Optional<List<Thread>> registered();

        boolean registeredStarted();
    }

    private static final AtomicBoolean WARM = new AtomicBoolean();
    /** The longest the warm-up's waiting thread lives. */
    private static final Duration WARM_WAIT = Duration.ofMillis(200);

    private final View view;

    public HookThreads() {
        this(JvmView.INSTANCE);
    }

    HookThreads(View view) {
        this.view = view;
    }

    /** Takes hold of the JVM's hook list if the app opened {@code java.lang} (call before shutdown begins; cheap when done). */
    public static void captureRegistered() {
        RegisteredHooks.capture();
    }

    /** Whether the JVM's hook list is held ({@code --add-opens java.base/java.lang=...}). */
    public static boolean registeredAvailable() {
        return RegisteredHooks.available();
    }

    /**
     * Loads and links what a scan during shutdown needs (once per JVM), and reads the start of every
     * thread alive now (each call: a thread is read once), so that the release does not pay for it.
     */
    public static void warmUp() {
        try {
            if (WARM.compareAndSet(false, true)) {
                for (LiveThread t : LiveThread.all()) {
                    ThreadRoles.isIdle(t);
                    ThreadRoles.isWaitingOnCoordinator(t);
                }
                ManagementFactory.getThreadMXBean().getThreadInfo(Thread.currentThread().getId());
                warmUpLockInfo();
            }
            NativeThreadStarts.read();
        } catch (RuntimeException | LinkageError e) {
            // a JVM without java.management or /proc: the scan copes without them
        }
    }

    /**
     * Reads the lock of a thread waiting on a monitor once, as the scan reads the hook runner's join:
     * the first such read in a JVM costs 6-10 ms of loading and linking (measured with C1 only), which
     * the release would otherwise pay between the app's last cleanup call and the Pod's end. The
     * waiting thread is the library's (the scan ignores it) and waits at most {@link #WARM_WAIT}.
     */
    private static void warmUpLockInfo() {
        Object monitor = new Object();
        Thread waiter = Threads.daemon(ThreadRoles.LIBRARY_PREFIX + "-warm-up", () -> {
            synchronized (monitor) {
                try {
                    monitor.wait(WARM_WAIT.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        waiter.start();
        long until = System.nanoTime() + WARM_WAIT.toNanos();
        while (waiter.getState() != Thread.State.TIMED_WAITING && waiter.isAlive() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(waiter.getId());
        LockInfo lock = info == null ? null : info.getLockInfo();
        if (lock != null && lock.getIdentityHashCode() == System.identityHashCode(monitor)) {
            lock.getClassName();
        }
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    /** The other hook threads still running now, and the threads started since that are at work; not exiting when no hook runner is seen. */
    public Scan scan() {
        List<LiveThread> threads = view.threads();
        LiveThread runner = null;
        for (LiveThread t : threads) {
            if (ThreadRoles.isHookRunner(t)) {
                runner = t;
                break;
            }
        }
        Thread self = Thread.currentThread();
        Optional<List<Thread>> registered = view.registered();
        if (runner == null && !(registered.isPresent() && view.registeredStarted())) {
            return Scan.NOT_EXITING;
        }
        List<Busy> busy = new ArrayList<>();
        List<Thread> hooks = new ArrayList<>();
        Thread joined = runner == null ? null : view.joinTarget(runner, threads);
        if (registered.isPresent()) {
            hooks.addAll(registered.get());
            for (Thread hook : registered.get()) {
                LiveThread seen = find(threads, hook);
                if (hook.isAlive() && hook != self && !ThreadRoles.isLibrary(hook)
                        && (seen == null || !ThreadRoles.isWaitingOnCoordinator(seen))) {
                    busy.add(Busy.hook(hook, "registered shutdown hook"));
                }
            }
        } else if (joined != null) {
            hooks.add(joined);
            LiveThread joinedSeen = find(threads, joined);
            if (joinedSeen != null && runner != null && counts(joinedSeen, self, runner)) {
                busy.add(Busy.hook(joinedSeen.thread(), "the JVM is waiting for it"));
            }
        }
        String known = registered.isPresent() ? "the JVM's list of hooks" : "the hook the JVM is waiting for";
        // The others: threads that started with the hooks or since, at work. Only those that could be are looked up in /proc.
        List<LiveThread> candidates = new ArrayList<>();
        for (LiveThread t : threads) {
            if (!hooks.contains(t.thread()) && counts(t, self, runner) && !ThreadRoles.isJvmSystem(t) && !ThreadRoles.isIdle(t)) {
                candidates.add(t);
            }
        }
        if (candidates.isEmpty()) {
            return new Scan(true, busy, known);
        }
        Optional<NativeThreadStarts> starts = view.nativeStarts();
        if (starts.isEmpty()) {
            return new Scan(true, busy, known + " (no /proc: threads started since cannot be told)");
        }
        long first = firstTick(starts.get(), runner, joined, registered.orElse(List.of()));
        if (first < 0) {
            return new Scan(true, busy, known + " (the hooks' start time unknown)");
        }
        for (LiveThread t : candidates) {
            if (registered.isEmpty() && starts.get().startedBetween(t.name(), first, first + WINDOW_TICKS)) {
                busy.add(Busy.startedWithHooks(t.thread()));
            } else if (starts.get().startedBetween(t.name(), registered.isEmpty() ? first + WINDOW_TICKS + 1 : first, Long.MAX_VALUE)) {
                busy.add(Busy.startedSinceHooks(t.thread()));
            }
        }
        return new Scan(true, busy, known + " and the threads started with them or since");
    }

    /**
     * The first clock tick of the hooks still to come: the start of a signal's handler thread that
     * runs them (created just before it starts them), else of the hook being joined (the runner
     * starts the hooks in the order it joins them, so the ones after it started at or after it), else
     * of the earliest registered hook. The earliest thread of a native name is taken: later ones
     * sharing its first 15 bytes (the library's sequence and task threads share its hook's) started
     * after it.
     */
    private static long firstTick(NativeThreadStarts starts, @Nullable LiveThread runner, @Nullable Thread joined,
            List<Thread> registered) {
        if (runner != null && runner.name().endsWith(" handler")) {
            long t = starts.earliestStart(runner.name());
            if (t >= 0) {
                return t;
            }
        }
        if (joined != null) {
            long t = starts.earliestStart(joined.getName());
            if (t >= 0) {
                return t;
            }
        }
        long first = -1;
        for (Thread hook : registered) {
            long t = starts.earliestStart(hook.getName());
            if (t >= 0 && (first < 0 || t < first)) {
                first = t;
            }
        }
        return first;
    }

    /** Whether {@code t} could be another hook at work: not the caller, the runner, the library's, nor waiting for a coordinator. */
    private static boolean counts(LiveThread t, Thread self, @Nullable LiveThread runner) {
        return t.thread() != self && (runner == null || t.thread() != runner.thread()) && t.thread().isAlive()
                && !ThreadRoles.isLibrary(t.thread()) && !ThreadRoles.isWaitingOnCoordinator(t) && !ThreadRoles.isHookRunner(t);
    }

    private static @Nullable LiveThread find(List<LiveThread> threads, Thread t) {
        for (LiveThread l : threads) {
            if (l.thread() == t) {
                return l;
            }
        }
        return null;
    }

    /** The running JVM. */
    private enum JvmView implements View {
        INSTANCE;

        @Override
        public List<LiveThread> threads() {
            return LiveThread.all();
        }

        /** The thread whose monitor the runner waits on in {@code Thread.join} (identity hash, then class, to be sure). */
        @Override
        public @Nullable Thread joinTarget(LiveThread runner, List<LiveThread> threads) {
            LockInfo lock;
            try {
                ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(runner.thread().getId());
                lock = info == null ? null : info.getLockInfo();
            } catch (RuntimeException | LinkageError e) {
                return null; // no java.management in this runtime
            }
            if (lock == null) {
                return null;
            }
            for (LiveThread t : threads) {
                if (System.identityHashCode(t.thread()) == lock.getIdentityHashCode()
                        && t.thread().getClass().getName().equals(lock.getClassName())) {
                    return t.thread();
                }
            }
            return null;
        }

        @Override
        public Optional<NativeThreadStarts> nativeStarts() {
            return NativeThreadStarts.read();
        }

        @Override
        public Optional<List<Thread>> registered() {
            return RegisteredHooks.threads();
        }

        @Override
        public boolean registeredStarted() {
            return RegisteredHooks.started();
        }
    }
}
