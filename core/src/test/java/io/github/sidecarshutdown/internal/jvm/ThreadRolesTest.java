package io.github.sidecarshutdown.internal.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Idle or at work, on real threads of the JDK's pools, timers, selectors and sockets: an idle
 * thread a hook left behind must not hold the release, a hook that sleeps, joins or reads must.
 */
class ThreadRolesTest {

    private final List<AutoCloseable> cleanUp = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : cleanUp) {
            c.close();
        }
    }

    /** The live view of the first thread {@code which} picks, once its stack shows {@code frame}. */
    private static LiveThread seen(Predicate<Thread> which, String frame) {
        return seen(which, frame, false);
    }

    /**
     * As {@link #seen(Predicate, String)}, and parked: a pool worker or a timer on its way back to
     * its wait (just done with a task) shows the frame before it parks, and is at work until then.
     */
    private static LiveThread seenParked(Predicate<Thread> which, String frame) {
        return seen(which, frame, true);
    }

    private static LiveThread seen(Predicate<Thread> which, String frame, boolean parked) {
        LiveThread[] found = new LiveThread[1];
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (LiveThread t : LiveThread.all()) {
                if (which.test(t.thread()) && (!parked || t.isParked())
                        && List.of(t.stack()).stream().anyMatch(f -> (f.getClassName() + "." + f.getMethodName()).contains(frame))) {
                    found[0] = t;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static Predicate<Thread> named(String name) {
        return t -> t.getName().equals(name);
    }

    private Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        cleanUp.add(t::interrupt);
        return t;
    }

    @Test
    void poolWorkersWaitingForATaskAreIdle() {
        ExecutorService fixed = Executors.newFixedThreadPool(1, r -> new Thread(r, "idle-fixed"));
        fixed.submit(() -> { });
        ExecutorService cached = Executors.newCachedThreadPool(r -> new Thread(r, "idle-cached"));
        cached.submit(() -> { });
        ScheduledExecutorService scheduled = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "idle-scheduled"));
        scheduled.schedule(() -> { }, 1, TimeUnit.HOURS);
        ForkJoinPool fj = new ForkJoinPool(1);
        fj.submit(() -> { }).join();
        cleanUp.add(fixed::shutdownNow);
        cleanUp.add(cached::shutdownNow);
        cleanUp.add(scheduled::shutdownNow);
        cleanUp.add(fj::shutdownNow);

        assertThat(ThreadRoles.isIdle(seenParked(named("idle-fixed"), "getTask"))).isTrue();
        assertThat(ThreadRoles.isIdle(seenParked(named("idle-cached"), "getTask"))).isTrue();
        assertThat(ThreadRoles.isIdle(seenParked(named("idle-scheduled"), "getTask"))).isTrue();
        assertThat(ThreadRoles.isIdle(seenParked(t -> t.getName().startsWith("ForkJoinPool-"), "awaitWork"))).isTrue();
    }

    @Test
    void timersSelectorsAndAcceptorsWaitingForTheirNextEventAreIdle() throws Exception {
        Timer timer = new Timer("idle-timer", true);
        timer.schedule(new TimerTask() {
            @Override
            public void run() {
            }
        }, 3_600_000);
        cleanUp.add(timer::cancel);
        Selector selector = Selector.open();
        cleanUp.add(selector::close);
        start("idle-selector", () -> {
            try {
                selector.select();
            } catch (Exception e) {
                // closed
            }
        });
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        cleanUp.add(server);
        start("idle-acceptor", () -> {
            try {
                server.accept();
            } catch (Exception e) {
                // closed
            }
        });

        assertThat(ThreadRoles.isIdle(seenParked(named("idle-timer"), "mainLoop"))).isTrue();
        assertThat(ThreadRoles.isIdle(seen(named("idle-selector"), "select"))).isTrue();
        assertThat(ThreadRoles.isIdle(seen(named("idle-acceptor"), "accept"))).isTrue();
    }

    @Test
    void theJdkHttpClientsSelectorIsIdleWithARequestInFlight() throws Exception {
        ServerSocket slow = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        cleanUp.add(slow);
        HttpClient client = HttpClient.newHttpClient();
        client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + slow.getLocalPort() + "/")).build(),
                HttpResponse.BodyHandlers.discarding());

        // the request in flight is the sidecar counters' business, not a thread's
        assertThat(ThreadRoles.isIdle(seen(t -> t.getName().contains("SelectorManager"), "EPoll"))).isTrue();
    }

    @Test
    void aJdkHelperThreadParkedWithNoAppCodeIsIdleButAHookParkedTheSameWayIsNot() {
        // JDK 25's ForkJoinPool.commonPool-delayScheduler, as a thread dump shows it
        StackTraceElement[] jdk = {new StackTraceElement("jdk.internal.misc.Unsafe", "park", null, -1),
                new StackTraceElement("java.util.concurrent.locks.LockSupport", "parkUntil", null, -1),
                new StackTraceElement("java.util.concurrent.DelayScheduler", "loop", null, -1),
                new StackTraceElement("java.util.concurrent.DelayScheduler", "run", null, -1)};
        StackTraceElement[] hook = {jdk[0], jdk[1], new StackTraceElement("com.example.App", "lambda$main$0", null, -1),
                new StackTraceElement("java.lang.Thread", "run", null, -1)};

        assertThat(ThreadRoles.isIdle(new LiveThread(Thread.currentThread(), Thread.State.TIMED_WAITING, jdk))).isTrue();
        assertThat(ThreadRoles.isIdle(new LiveThread(Thread.currentThread(), Thread.State.RUNNABLE, jdk))).isFalse();
        assertThat(ThreadRoles.isIdle(new LiveThread(Thread.currentThread(), Thread.State.TIMED_WAITING, hook))).isFalse();
    }

    /**
     * A pool worker is idle while parked in its queue's {@code take}, not while it runs inside
     * {@code take} on its way out with the task it just dequeued (unlocking the queue): that task
     * may be the one that calls out next. Parked means by its stack's top frame, not only by its
     * state, which is read a moment later.
     */
    @Test
    void aPoolWorkerLeavingTheQueueWithATaskIsAtWork() {
        StackTraceElement[] below = {new StackTraceElement("java.util.concurrent.LinkedBlockingQueue", "take", null, -1),
                new StackTraceElement("java.util.concurrent.ThreadPoolExecutor", "getTask", null, -1),
                new StackTraceElement("java.util.concurrent.ThreadPoolExecutor", "runWorker", null, -1),
                new StackTraceElement("java.util.concurrent.ThreadPoolExecutor$Worker", "run", null, -1),
                new StackTraceElement("java.lang.Thread", "run", null, -1)};
        StackTraceElement[] parked = concat(new StackTraceElement[] {
                new StackTraceElement("jdk.internal.misc.Unsafe", "park", null, -1),
                new StackTraceElement("java.util.concurrent.locks.LockSupport", "park", null, -1),
                new StackTraceElement("java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject", "await", null, -1)},
                below);
        StackTraceElement[] unlocking = concat(new StackTraceElement[] {
                new StackTraceElement("java.util.concurrent.locks.ReentrantLock", "unlock", null, -1)}, below);

        assertThat(ThreadRoles.isIdle(new LiveThread(Thread.currentThread(), Thread.State.WAITING, parked))).isTrue();
        assertThat(ThreadRoles.isIdle(new LiveThread(Thread.currentThread(), Thread.State.RUNNABLE, unlocking))).isFalse();
        assertThat(ThreadRoles.isIdle(new LiveThread(Thread.currentThread(), Thread.State.RUNNABLE, below))).isFalse();
        // the state is read after the stack: by then the worker may block in the task it took
        assertThat(ThreadRoles.isIdle(new LiveThread(Thread.currentThread(), Thread.State.WAITING, unlocking))).isFalse();
    }

    private static StackTraceElement[] concat(StackTraceElement[] top, StackTraceElement[] rest) {
        StackTraceElement[] all = java.util.Arrays.copyOf(top, top.length + rest.length);
        System.arraycopy(rest, 0, all, top.length, rest.length);
        return all;
    }

    @Test
    void aThreadThatSleepsJoinsWaitsOnALatchOrReadsASocketIsAtWork() throws Exception {
        start("sleeping-hook", () -> sleep(60_000));
        CountDownLatch never = new CountDownLatch(1);
        start("latch-hook", () -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                // done
            }
        });
        Thread other = start("joined", () -> sleep(60_000));
        start("joining-hook", () -> {
            try {
                other.join();
            } catch (InterruptedException e) {
                // done
            }
        });
        ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        cleanUp.add(silent);
        start("reading-hook", () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()));
                InputStream in = s.getInputStream();
                in.read();
            } catch (Exception e) {
                // closed
            }
        });

        assertThat(ThreadRoles.isIdle(seen(named("sleeping-hook"), "sleep"))).isFalse();
        assertThat(ThreadRoles.isIdle(seen(named("latch-hook"), "CountDownLatch.await"))).isFalse();
        assertThat(ThreadRoles.isIdle(seen(named("joining-hook"), "join"))).isFalse();
        assertThat(ThreadRoles.isIdle(seen(named("reading-hook"), "read"))).isFalse();
    }

    @Test
    void theLibrarysOwnThreadsAndTheJvmsAreKnown() {
        assertThat(ThreadRoles.isLibrary(new Thread("sidecar-shutdown-hook"))).isTrue();
        assertThat(ThreadRoles.isLibrary(new Thread("Thread-3"))).isFalse();
        LiveThread reference = seen(named("Reference Handler"), "");
        assertThat(ThreadRoles.isJvmSystem(reference)).isTrue();
        Thread me = Thread.currentThread();
        assertThat(ThreadRoles.isJvmSystem(seen(t -> t == me, ""))).isFalse();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
