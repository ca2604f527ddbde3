package io.github.sidecarshutdown.internal.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the other hooks are recognised, on a scripted view of the JVM (the child-JVM tests in the test
 * kit run the real one): the runner's join target, the threads started with it, the JVM's own list.
 */
class HookThreadsTest {

    private static final StackTraceElement[] RUNNER = stack("java.lang.Object.wait", "java.lang.Thread.join",
            "java.lang.ApplicationShutdownHooks.runHooks", "java.lang.Shutdown.exit", "java.lang.Terminator$1.handle");
    private static final StackTraceElement[] SLEEPING = stack("java.lang.Thread.sleep", "com.example.App.lambda$hook$0", "java.lang.Thread.run");
    private static final StackTraceElement[] IDLE = stack("jdk.internal.misc.Unsafe.park", "java.util.concurrent.locks.LockSupport.park",
            "java.util.concurrent.LinkedBlockingQueue.take", "java.util.concurrent.ThreadPoolExecutor.getTask",
            "java.util.concurrent.ThreadPoolExecutor.runWorker");
    private static final StackTraceElement[] WAITING_ON_COORDINATOR = stack("jdk.internal.misc.Unsafe.park",
            "java.util.concurrent.CompletableFuture.get", "io.github.sidecarshutdown.SequenceRun.await",
            "io.github.sidecarshutdown.ShutdownCoordinator.shutdown", "org.springframework.boot.SpringApplicationShutdownHook.run");
    private static final StackTraceElement[] BUILDING_A_COORDINATOR = stack("io.github.sidecarshutdown.ShutdownCoordinatorBuilder.build",
            "com.example.Framework.lambda$hook$0", "java.lang.Thread.run");

    private final CountDownLatch end = new CountDownLatch(1);
    private final List<Thread> started = new ArrayList<>();

    @AfterEach
    void endThreads() throws InterruptedException {
        end.countDown();
        for (Thread t : started) {
            t.join();
        }
    }

    private static StackTraceElement[] stack(String... frames) {
        StackTraceElement[] out = new StackTraceElement[frames.length];
        for (int i = 0; i < frames.length; i++) {
            int dot = frames[i].lastIndexOf('.');
            out[i] = new StackTraceElement(frames[i].substring(0, dot), frames[i].substring(dot + 1), null, -1);
        }
        return out;
    }

    /** A live thread (so that it counts as alive), shown with the given stack. */
    private LiveThread thread(String name, Thread.State state, StackTraceElement[] stack) {
        Thread t = new Thread(() -> {
            try {
                end.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        started.add(t);
        return new LiveThread(t, state, stack);
    }

    private record View(List<LiveThread> threads, @Nullable Thread joined, @Nullable NativeThreadStarts starts,
            @Nullable List<Thread> hookList) implements HookThreads.View {

        @Override
        public @Nullable Thread joinTarget(LiveThread runner, List<LiveThread> all) {
            return joined;
        }

        @Override
        public Optional<NativeThreadStarts> nativeStarts() {
            return Optional.ofNullable(starts);
        }

        @Override
        public Optional<List<Thread>> registered() {
            return Optional.ofNullable(hookList);
        }

        @Override
        public boolean registeredStarted() {
            return hookList != null;
        }
    }

    private static List<String> names(HookThreads.Scan scan) {
        return scan.busy().stream().map(Busy::name).toList();
    }

    @Test
    void withoutAHookRunnerTheJvmIsNotExiting() {
        LiveThread app = thread("Thread-0", Thread.State.TIMED_WAITING, SLEEPING);

        HookThreads.Scan scan = new HookThreads(new View(List.of(app), null, null, null)).scan();

        assertThat(scan.jvmExiting()).isFalse();
        assertThat(scan.busy()).isEmpty();
    }

    @Test
    void theHookTheJvmIsJoiningIsAHookWhateverItDoes() {
        LiveThread runner = thread("SIGTERM handler", Thread.State.WAITING, RUNNER);
        LiveThread otel = thread("Thread-7", Thread.State.WAITING, IDLE);

        HookThreads.Scan scan = new HookThreads(new View(List.of(runner, otel), otel.thread(), null, null)).scan();

        assertThat(scan.jvmExiting()).isTrue();
        assertThat(names(scan)).containsExactly("'Thread-7'");
    }

    @Test
    void behindTheLibrarysOwnHookTheNonIdleThreadsStartedWithItAreHooks() {
        LiveThread runner = thread("SIGTERM handler", Thread.State.WAITING, RUNNER);
        LiveThread ours = thread("sidecar-shutdown-hook", Thread.State.WAITING, WAITING_ON_COORDINATOR);
        LiveThread hook = thread("Thread-3", Thread.State.TIMED_WAITING, SLEEPING);
        LiveThread lateHook = thread("Thread-4", Thread.State.TIMED_WAITING, SLEEPING);
        LiveThread oldSleeper = thread("nightly-job", Thread.State.TIMED_WAITING, SLEEPING);
        LiveThread idleWorker = thread("pool-9-thread-1", Thread.State.WAITING, IDLE);
        LiveThread spring = thread("SpringApplicationShutdownHook", Thread.State.WAITING, WAITING_ON_COORDINATOR);
        LiveThread building = thread("framework-hook", Thread.State.RUNNABLE, BUILDING_A_COORDINATOR);
        NativeThreadStarts starts = NativeThreadStarts.of(Map.of(
                "SIGTERM handler", new long[] {1000},
                "sidecar-shutdow", new long[] {1000, 1003}, // the hook, then the library's sequence thread
                "Thread-3", new long[] {1000},
                "Thread-4", new long[] {1000 + HookThreads.WINDOW_TICKS},
                "nightly-job", new long[] {400},
                "pool-9-thread-1", new long[] {1001},
                "SpringApplicati", new long[] {1000},
                "framework-hook", new long[] {1001}));
        View view = new View(List.of(runner, ours, hook, lateHook, oldSleeper, idleWorker, spring, building), ours.thread(), starts, null);

        HookThreads.Scan scan = new HookThreads(view).scan();

        // not the library's hook, not one waiting for a coordinator's report, not an idle or older thread;
        // one still building its coordinator is a hook at work
        assertThat(names(scan)).containsExactlyInAnyOrder("'Thread-3' (started with the hooks)", "'Thread-4' (started with the hooks)",
                "'framework-hook' (started with the hooks)");
    }

    @Test
    void aThreadStartedDuringTheShutdownCountsWhileItIsAtWorkEvenBesideTheJvmsOwnList() {
        LiveThread runner = thread("SIGTERM handler", Thread.State.WAITING, RUNNER);
        LiveThread ours = thread("sidecar-shutdown-hook", Thread.State.WAITING, WAITING_ON_COORDINATOR);
        LiveThread sender = thread("HttpClient-1-Worker-0", Thread.State.RUNNABLE, BUILDING_A_COORDINATOR); // at work
        LiveThread selector = thread("HttpClient-1-SelectorManager", Thread.State.RUNNABLE,
                stack("sun.nio.ch.EPoll.wait", "sun.nio.ch.EPollSelectorImpl.doSelect")); // idle
        NativeThreadStarts starts = NativeThreadStarts.of(Map.of("SIGTERM handler", new long[] {1000}, "sidecar-shutdow", new long[] {1000},
                "HttpClient-1-Wo", new long[] {1030}, "HttpClient-1-Se", new long[] {1030}));

        HookThreads.Scan guessed = new HookThreads(new View(List.of(runner, ours, sender, selector), ours.thread(), starts, null)).scan();
        HookThreads.Scan listed = new HookThreads(new View(List.of(runner, ours, sender, selector), ours.thread(), starts,
                List.of(ours.thread()))).scan();

        assertThat(names(guessed)).containsExactly("'HttpClient-1-Worker-0' (started during the shutdown)");
        assertThat(names(listed)).containsExactly("'HttpClient-1-Worker-0' (started during the shutdown)");
    }

    @Test
    void withoutProcOnlyTheJoinedHookIsKnown() {
        LiveThread runner = thread("SIGTERM handler", Thread.State.WAITING, RUNNER);
        LiveThread ours = thread("sidecar-shutdown-hook", Thread.State.WAITING, WAITING_ON_COORDINATOR);
        LiveThread hook = thread("Thread-3", Thread.State.TIMED_WAITING, SLEEPING);

        HookThreads.Scan scan = new HookThreads(new View(List.of(runner, ours, hook), ours.thread(), null, null)).scan();

        assertThat(scan.jvmExiting()).isTrue();
        assertThat(scan.busy()).isEmpty();
        assertThat(scan.how()).contains("no /proc");
    }

    @Test
    void theJvmsOwnListNamesEveryHookWithoutGuessing() {
        LiveThread runner = thread("DestroyJavaVM", Thread.State.WAITING, RUNNER);
        LiveThread ours = thread("sidecar-shutdown-hook", Thread.State.WAITING, WAITING_ON_COORDINATOR);
        LiveThread idleHook = thread("otel-shutdown", Thread.State.WAITING, IDLE); // a registered hook is a hook, idle or not
        LiveThread spring = thread("SpringApplicationShutdownHook", Thread.State.WAITING, WAITING_ON_COORDINATOR);
        LiveThread notAHook = thread("Thread-3", Thread.State.TIMED_WAITING, SLEEPING);
        View view = new View(List.of(runner, ours, idleHook, spring, notAHook), ours.thread(), null,
                List.of(ours.thread(), idleHook.thread(), spring.thread()));

        HookThreads.Scan scan = new HookThreads(view).scan();

        assertThat(names(scan)).containsExactly("'otel-shutdown'");
    }
}
