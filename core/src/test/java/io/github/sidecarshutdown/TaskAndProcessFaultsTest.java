package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.internal.engine.SequenceRun;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The task and process sides of the fault matrix on the virtual clock (the ones not already in
 * {@link ShutdownCoordinatorTest}: throws, hangs, ignores interrupts, registers a task;
 * {@link CoordinatorSigtermIT}: {@code System.exit}, a second SIGTERM).
 */
class TaskAndProcessFaultsTest {

    private final VirtualTime time = new VirtualTime();
    private final RecordingHooks hooks = new RecordingHooks();
    private final FakeSidecar sidecar = new FakeSidecar(time, FakeSidecar.istio(Duration.ofSeconds(30)));
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> stubborn = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> completions = new java.util.concurrent.ConcurrentHashMap<>();

    @AfterEach
    void releaseStubbornThreads() throws InterruptedException {
        stop.set(true);
        for (Thread t : stubborn) {
            t.interrupt();
            t.join(5_000);
        }
    }

    private ShutdownCoordinatorBuilder builder() {
        return ShutdownCoordinator.builder()
                .fromEnvironment(Map.of())
                .timeSource(time)
                .runtimeHooks(hooks)
                .sidecar(sidecar)
                .gracePeriod(Duration.ofSeconds(30))
                .propagationDelay(Duration.ofSeconds(1))
                .listener(new ShutdownListener() {
                    @Override
                    public void onTaskCompleted(TaskResult result) {
                        completions.computeIfAbsent(result.name(), n -> new AtomicInteger()).incrementAndGet();
                    }
                });
    }

    /** Waits on {@code latch} and goes back to waiting when interrupted, until the test ends. */
    private void waitIgnoringInterrupts(CountDownLatch latch) {
        stubborn.add(Thread.currentThread());
        while (!stop.get()) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // ignored on purpose
            }
        }
    }

    @Test
    void aTaskBlockedOnALockHeldByAHungTaskTimesOutAndTheRestGoOn() {
        // given "holder" takes a lock and hangs, ignoring interrupts; "waiter" needs the same lock
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch never = new CountDownLatch(1);
        ShutdownCoordinator c = builder()
                .task(ShutdownTask.builder("holder", ctx -> {
                    lock.lock();
                    try {
                        waitIgnoringInterrupts(never);
                    } finally {
                        lock.unlock(); // once the test lets it go, so that "waiter" ends too
                    }
                }).timeout(Duration.ofSeconds(2)).build())
                .task(ShutdownTask.builder("waiter", ctx -> {
                    stubborn.add(Thread.currentThread());
                    lock.lock(); // uninterruptible
                    lock.unlock();
                }).timeout(Duration.ofSeconds(3)).build())
                .task("after", ctx -> { })
                .build();

        ShutdownReport report = c.shutdown();

        assertThat(report.task("holder").orElseThrow().outcome()).isEqualTo(TaskOutcome.TIMED_OUT);
        TaskResult waiter = report.task("waiter").orElseThrow();
        assertThat(waiter.outcome()).isEqualTo(TaskOutcome.TIMED_OUT);
        assertThat(waiter.elapsed()).isEqualTo(Duration.ofSeconds(3));
        assertThat(report.task("after").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(report.sidecarReleased()).isTrue();
        assertThat(report.elapsed()).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void aTaskBlockedOnAMonitorHeldByAnotherThreadIsAbandonedAtItsTimeout() throws Exception {
        Object monitor = new Object();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Thread owner = new Thread(() -> {
            synchronized (monitor) {
                held.countDown();
                try {
                    letGo.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "test-worker-monitor-owner");
        owner.setDaemon(true);
        owner.start();
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        try {
            ShutdownCoordinator c = builder()
                    .task(ShutdownTask.builder("blocked", ctx -> {
                        synchronized (monitor) {
                            completions.computeIfAbsent("blocked-entered", n -> new AtomicInteger()).incrementAndGet();
                        }
                    }).timeout(Duration.ofSeconds(2)).build())
                    .task("after", ctx -> { })
                    .build();

            ShutdownReport report = c.shutdown();

            assertThat(report.task("blocked").orElseThrow().outcome()).isEqualTo(TaskOutcome.TIMED_OUT);
            assertThat(report.task("after").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
            assertThat(completions).doesNotContainKey("blocked-entered");
        } finally {
            letGo.countDown();
            owner.join(5_000);
        }
    }

    @Test
    void aTaskThatReturnsAfterItsDeadlineKeepsItsOneTimedOutOutcome() {
        // given a task that ignores the interrupt at its timeout and returns 1 s later, normally
        AtomicBoolean returnedLate = new AtomicBoolean();
        ShutdownCoordinator c = builder()
                .task(ShutdownTask.builder("late", ctx -> {
                    try {
                        time.sleep(Duration.ofHours(1));
                    } catch (InterruptedException ignored) {
                        time.sleep(Duration.ofSeconds(1));
                        returnedLate.set(true);
                    }
                }).timeout(Duration.ofSeconds(2)).build())
                .task("slow-next", ctx -> time.sleep(Duration.ofSeconds(3)))
                .build();

        ShutdownReport report = c.shutdown();

        assertThat(returnedLate).as("it did return, after being abandoned").isTrue();
        TaskResult late = report.task("late").orElseThrow();
        assertThat(late.outcome()).isEqualTo(TaskOutcome.TIMED_OUT);
        assertThat(late.elapsed()).isEqualTo(Duration.ofSeconds(2));
        assertThat(report.tasks()).extracting(TaskResult::name).containsExactly("late", "slow-next");
        assertThat(completions.get("late").get()).as("listeners hear of it once").isEqualTo(1);
        assertThat(c.report().orElseThrow()).isSameAs(report);
    }

    @Test
    void aTaskThatThrowsAnErrorIsFailedAndTheSequenceGoesOn() {
        ShutdownCoordinator c = builder()
                .task("overflows", ctx -> {
                    throw new StackOverflowError("deep");
                })
                .task("after", ctx -> { })
                .build();

        ShutdownReport report = c.shutdown();

        TaskResult r = report.task("overflows").orElseThrow();
        assertThat(r.outcome()).isEqualTo(TaskOutcome.FAILED);
        assertThat(r.failure()).isInstanceOf(StackOverflowError.class);
        assertThat(report.task("after").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(report.sidecarReleased()).isTrue();
    }

    @Test
    void aGracePeriodShorterThanThePlanCutsEveryPhaseButStillTriesTheRelease() {
        // given 3 s grace - 1 s margin = 2 s, against a 5 s delay, a 10 s drain and 5 s tasks
        ShutdownCoordinator c = builder().gracePeriod(Duration.ofSeconds(3)).safetyMargin(Duration.ofSeconds(1))
                .propagationDelay(Duration.ofSeconds(5)).drainTimeout(Duration.ofSeconds(10))
                .task(ShutdownTask.builder("deregister", ctx -> time.sleep(Duration.ofSeconds(5))).phase(ShutdownPhase.EARLY_OUTBOUND).build())
                .task("flush", ctx -> time.sleep(Duration.ofSeconds(5)))
                .task(ShutdownTask.builder("close", ctx -> { }).phase(ShutdownPhase.RELEASE).build())
                .build();
        c.inFlight().enter(); // a request that never ends

        assertThat(c.plan().fits()).isFalse();
        ShutdownReport report = c.shutdown();

        assertThat(report.complete()).isTrue();
        assertThat(report.elapsed()).isLessThanOrEqualTo(Duration.ofSeconds(2).plus(SequenceRun.OVERRUN_BOUND));
        assertThat(report.phase(ShutdownPhase.READINESS_OFF).orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(report.task("deregister").orElseThrow().outcome()).isEqualTo(TaskOutcome.TIMED_OUT);
        assertThat(report.task("flush").orElseThrow().outcome()).isEqualTo(TaskOutcome.SKIPPED);
        assertThat(report.task("close").orElseThrow().outcome()).isEqualTo(TaskOutcome.SKIPPED);
        assertThat(report.tasks()).allSatisfy(t -> assertThat(t.reason()).isNotBlank());
        // The request that never ends holds the release too (docs/whole-jvm.md), until the deadline cuts it off.
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().outcome()).isEqualTo(TaskOutcome.TIMED_OUT);
        assertThat(report.releaseWaits()).singleElement().satisfies(w -> {
            assertThat(w.kind()).isEqualTo(ReleaseWait.Kind.INBOUND_REQUESTS);
            assertThat(w.cutOff()).isTrue();
        });
        assertThat(sidecar.count("release")).isEqualTo(1);
    }

    @Test
    void theHookAndAProgrammaticShutdownRacingRunOneSequenceAndReleaseOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        ShutdownCoordinator c = builder().task("count", ctx -> {
            runs.incrementAndGet();
            time.sleep(Duration.ofSeconds(1));
        }).build().install();
        Thread hook = hooks.hooks.get(0);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> new Thread(r, "test-worker-race-" + System.nanoTime()));
        try {
            Future<?> fromHook = pool.submit(() -> {
                go.await();
                hook.run();
                return null;
            });
            Future<ShutdownReport> programmatic = pool.submit(() -> {
                go.await();
                return c.shutdown();
            });
            go.countDown();
            ShutdownReport report = programmatic.get(30, TimeUnit.SECONDS);
            fromHook.get(30, TimeUnit.SECONDS);

            assertThat(runs.get()).isEqualTo(1);
            assertThat(c.report().orElseThrow()).isSameAs(report);
            assertThat(sidecar.count("release")).isEqualTo(1);
            assertThat(c.state()).isEqualTo(ShutdownCoordinator.State.TERMINATED);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shutdownWhileStartupStillWaitsForTheSidecarEndsTheWaitAndNeverTurnsReady() throws Exception {
        // given a sidecar that never becomes ready and an app blocked in awaitSidecarReady()
        sidecar.ready = t -> false;
        sidecar.state = t -> SidecarState.STARTING;
        ShutdownCoordinator c = builder().propagationDelay(Duration.ZERO).build();
        ExecutorService startup = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-worker-startup"));
        try {
            Future<SidecarReadiness> waiting = startup.submit(() -> c.awaitSidecarReady(Duration.ofSeconds(60)));
            FutureTask<Void> never = new FutureTask<>(() -> null);
            time.awaitDone(never, Duration.ofSeconds(3)); // 3 s into the wait
            assertThat(waiting).isNotDone();

            // when SIGTERM arrives
            ShutdownReport report = c.shutdown();
            while (!waiting.isDone()) {
                time.awaitDone(never, Duration.ofMillis(50));
            }

            // then
            assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(SidecarReadiness.SHUTTING_DOWN);
            assertThat(c.readiness().isReady()).isFalse();
            assertThat(c.readiness().state()).isEqualTo(ReadinessGate.State.SHUTTING_DOWN);
            assertThat(report.complete()).isTrue();
            assertThat(report.sidecarReleased()).as("a starting sidecar is not released").isFalse();
        } finally {
            startup.shutdownNow();
        }
    }
}
