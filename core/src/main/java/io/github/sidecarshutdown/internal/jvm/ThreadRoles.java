package io.github.sidecarshutdown.internal.jvm;

import java.util.Set;

/**
 * What a live thread is, for the release's watch over the rest of the JVM: the library's own, the
 * JVM's, the thread running the JVM's hooks, a thread waiting for a coordinator's report, or one
 * parked where idle threads park. The stack patterns are the JDK's and the common pools' idle waits
 * (docs/whole-jvm.md, "How a thread is recognised").
 */
final class ThreadRoles {

    /** The JDK class that starts and joins the application's shutdown hooks. */
    static final String HOOKS_CLASS = "java.lang.ApplicationShutdownHooks";
    /** Every thread the library starts is named so ({@code sidecar-shutdown}, {@code -hook}, {@code -early}, {@code -task-...}). */
    static final String LIBRARY_PREFIX = "sidecar-shutdown";
    private static final String COORDINATOR = "io.github.sidecarshutdown.ShutdownCoordinator";

    /** The JVM's own threads that a snapshot may list (the others are native and never listed). */
    private static final Set<String> JVM_THREADS = Set.of("Reference Handler", "Finalizer", "Signal Dispatcher",
            "Attach Listener", "Common-Cleaner", "Notification Thread", "process reaper", "DestroyJavaVM");

    private ThreadRoles() {
    }

    static boolean isLibrary(Thread t) {
        return t.getName().startsWith(LIBRARY_PREFIX);
    }

    /** The thread running the JVM's application hooks: the signal's handler thread, the caller of {@code System.exit}, or {@code DestroyJavaVM}. */
    static boolean isHookRunner(LiveThread t) {
        return t.hasFrame(HOOKS_CLASS, "runHooks");
    }

    static boolean isJvmSystem(LiveThread t) {
        ThreadGroup g = t.thread().getThreadGroup();
        return (g != null && (g.getName().equals("system") || g.getName().equals("InnocuousThreadGroup")))
                || JVM_THREADS.contains(t.name());
    }

    /**
     * Waiting inside {@code ShutdownCoordinator.shutdown()} or a coordinator's own hook: a hook
     * thread (Spring Boot's, another library's, the app's) that handed its work to a coordinator,
     * which the release accounts for as a coordinator. Only while it waits: a thread still
     * building or starting a coordinator is a hook at work.
     */
    static boolean isWaitingOnCoordinator(LiveThread t) {
        return t.isWaiting() && (t.hasFrame(COORDINATOR, "shutdown") || t.hasFrame(COORDINATOR, "runFromHook"));
    }

    /**
     * Parked where an idle thread waits for work or for the network: a pool worker waiting for a
     * task, a queue consumer waiting for an element, a selector or an acceptor waiting for I/O, a
     * timer or cleaner waiting for its next time; a thread stuck in {@code System.exit} (it waits
     * for the hooks and never runs again); a thread of the JDK's own, parked with no code of the app
     * on its stack. Not idle: sleeping, joining, waiting on a latch or a
     * future, reading a socket; a hook doing any of those is at work.
     */
    static boolean isIdle(LiveThread t) {
        if (t.hasFrame("java.lang.Shutdown", "exit")) {
            return true; // blocked in System.exit while the hooks run: it never runs again
        }
        if (t.isParked() && isJdkOnly(t.stack())) {
            // The JDK's own helper threads, parked with no code of the app on their stack (JDK 25's
            // ForkJoinPool.commonPool-delayScheduler, started by CompletableFuture timeouts, is one).
            return true;
        }
        for (StackTraceElement f : t.stack()) {
            String c = f.getClassName();
            String m = f.getMethodName();
            if (isParkedIdleFrame(c, m)) {
                // only while parked there: running inside take() or getTask(), it may hold the
                // element or task it just dequeued
                return t.isParked();
            }
            if (isIoWaitFrame(c, m)) {
                return true; // waiting for I/O in native code, where the thread shows RUNNABLE
            }
            if (!isWaitMachinery(c)) {
                return false; // the first frame of the thread's own code decides
            }
        }
        return false;
    }

    /** A frame that says the thread waits for work when it is parked below it: a pool's or queue's take, a timer. */
    private static boolean isParkedIdleFrame(String c, String m) {
        return (c.equals("java.util.concurrent.ThreadPoolExecutor") && m.equals("getTask"))
                || (c.equals("java.util.concurrent.ForkJoinPool") && m.equals("awaitWork"))
                || (isConcurrentQueue(c) && (m.startsWith("take") || m.startsWith("poll")))
                || (c.equals("java.util.TimerThread") && m.equals("mainLoop"))
                || (c.equals("java.lang.ref.ReferenceQueue") && m.equals("remove"))
                || (c.equals("okhttp3.internal.concurrent.TaskRunner$RealBackend") && m.equals("coordinatorWait"))
                || (c.startsWith("okio.AsyncTimeout") && m.startsWith("awaitTimeout"));
    }

    /** A frame that says the thread waits for the network: a selector, an acceptor (native code, state RUNNABLE). */
    private static boolean isIoWaitFrame(String c, String m) {
        return c.equals("sun.nio.ch.EPoll") || c.equals("sun.nio.ch.KQueue") || c.equals("sun.nio.ch.WEPoll")
                || (c.startsWith("sun.nio.ch.") && c.endsWith("SelectorImpl") && m.equals("doSelect"))
                || (c.endsWith(".channel.epoll.Native") && m.startsWith("epollWait"))
                || (c.endsWith(".channel.kqueue.Native") && m.startsWith("keventWait"))
                || ((c.equals("sun.nio.ch.Net") || c.equals("sun.nio.ch.NioSocketImpl")) && m.equals("accept"));
    }

    /**
     * The JDK's parking, waiting and queue frames, which sit above the frame that says why a thread
     * waits. Any other frame is the thread's own code: seen first, the thread is not idle.
     */
    private static boolean isWaitMachinery(String c) {
        return c.equals("jdk.internal.misc.Unsafe") || c.startsWith("java.util.concurrent.locks.")
                || c.equals("java.lang.Object") || c.startsWith("java.lang.ref.") || c.startsWith("sun.nio.ch.")
                || isConcurrentQueue(c) || c.equals("java.util.concurrent.ForkJoinPool")
                || c.endsWith(".channel.epoll.Native") || c.endsWith(".channel.kqueue.Native");
    }

    private static boolean isJdkOnly(StackTraceElement[] stack) {
        if (stack.length == 0) {
            return false;
        }
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (!(c.startsWith("java.") || c.startsWith("javax.") || c.startsWith("jdk.") || c.startsWith("sun.")
                    || c.startsWith("com.sun."))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isConcurrentQueue(String c) {
        return c.startsWith("java.util.concurrent.") && (c.contains("Queue") || c.contains("Deque"));
    }
}
