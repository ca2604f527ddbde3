package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sidecarshutdown.internal.Json;
import io.github.sidecarshutdown.internal.engine.SequenceRun;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The shutdown sequence on a virtual clock: order, budgets, outcomes, idempotence and the sidecar
 * guard, with no real sleeps.
 */
class ShutdownCoordinatorTest {

    private final VirtualTime time = new VirtualTime();
    private final RecordingHooks hooks = new RecordingHooks();
    private final FakeSidecar sidecar = new FakeSidecar(time, FakeSidecar.istio(Duration.ofSeconds(30)));
    private final List<String> events = new CopyOnWriteArrayList<>();

    private ShutdownCoordinatorBuilder builder() {
        return ShutdownCoordinator.builder()
                .fromEnvironment(Map.of())
                .timeSource(time)
                .runtimeHooks(hooks)
                .sidecar(sidecar)
                .gracePeriod(Duration.ofSeconds(30))
                .propagationDelay(Duration.ofSeconds(5))
                .listener(new ShutdownListener() {
                    @Override
                    public void onPhaseStarted(ShutdownPhase phase) {
                        events.add("phase:" + phase.tagValue());
                    }
                });
    }

    private ShutdownAction work(String name, Duration d) {
        return ctx -> {
            events.add("start:" + name);
            time.sleep(d);
            events.add("end:" + name);
        };
    }

    private static ShutdownAction hang() {
        return ctx -> new CountDownLatch(1).await();
    }

    @Test
    void phasesAndTasksRunInTheDesignedOrder() {
        // given one task in each phase that accepts tasks
        ShutdownCoordinator c = builder()
                .task(ShutdownTask.builder("release-pool", work("release-pool", Duration.ofMillis(10))).phase(ShutdownPhase.RELEASE).build())
                .task(ShutdownTask.of("flush", work("flush", Duration.ofMillis(10))))
                .task(ShutdownTask.builder("stop-server", work("stop-server", Duration.ofMillis(10))).phase(ShutdownPhase.INBOUND_DRAIN).build())
                .task(ShutdownTask.builder("deregister", work("deregister", Duration.ofMillis(10))).phase(ShutdownPhase.EARLY_OUTBOUND).build())
                .build();

        // when
        ShutdownReport report = c.shutdown();

        // then
        assertThat(report.phases()).extracting(PhaseResult::phase).containsExactly(
                ShutdownPhase.READINESS_OFF, ShutdownPhase.PROPAGATION_DELAY, ShutdownPhase.EARLY_OUTBOUND,
                ShutdownPhase.INBOUND_DRAIN, ShutdownPhase.CLEANUP, ShutdownPhase.RELEASE, ShutdownPhase.SIDECAR_RELEASE,
                ShutdownPhase.REPORT);
        assertThat(report.tasks()).extracting(TaskResult::name).containsExactly("deregister", "stop-server", "flush", "release-pool");
        assertThat(events).containsSubsequence("phase:readiness_off", "start:deregister", "phase:inbound_drain",
                "start:stop-server", "phase:cleanup", "start:flush", "phase:release", "start:release-pool", "phase:sidecar_release");
        assertThat(report.outcome()).isEqualTo(ReportOutcome.CLEAN);
        assertThat(sidecar.calls).containsSubsequence("drainInbound", "release");
    }

    @Test
    void earlyOutboundTasksRunDuringThePropagationDelay() {
        ShutdownCoordinator c = builder()
                .task(ShutdownTask.builder("deregister", work("deregister", Duration.ofSeconds(1))).phase(ShutdownPhase.EARLY_OUTBOUND).build())
                .build();

        ShutdownReport report = c.shutdown();

        TaskResult deregister = report.task("deregister").orElseThrow();
        assertThat(deregister.startOffset()).isLessThan(Duration.ofSeconds(1));
        assertThat(report.phase(ShutdownPhase.INBOUND_DRAIN).orElseThrow().startOffset())
                .isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        // The delay was not lengthened by the early task.
        assertThat(report.elapsed()).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void propagationDelayLastsItsConfiguredTime() {
        ShutdownReport report = builder().propagationDelay(Duration.ofSeconds(7)).build().shutdown();

        PhaseResult delay = report.phase(ShutdownPhase.PROPAGATION_DELAY).orElseThrow();
        assertThat(delay.elapsed()).isEqualTo(Duration.ofSeconds(7));
        assertThat(delay.outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
    }

    @Test
    void quietPeriodEndsTheDelayEarlyWhenNoRequestArrives() {
        ShutdownReport report = builder().propagationDelay(Duration.ofSeconds(10)).quietPeriod(Duration.ofSeconds(1)).build().shutdown();

        PhaseResult delay = report.phase(ShutdownPhase.PROPAGATION_DELAY).orElseThrow();
        assertThat(delay.elapsed()).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1500));
        assertThat(delay.detail()).contains("ended early");
    }

    @Test
    void quietPeriodWaitsWhileRequestsKeepArriving() throws Exception {
        ShutdownCoordinator c = builder().propagationDelay(Duration.ofSeconds(10)).quietPeriod(Duration.ofSeconds(1)).build();
        // a client that sends a request every 200 ms for 3 s after shutdown begins
        Thread client = new Thread(() -> {
            try {
                for (int i = 0; i < 15; i++) {
                    time.sleep(Duration.ofMillis(200));
                    c.inFlight().exit(c.inFlight().enter());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-worker-client");
        client.start();

        ShutdownReport report = c.shutdown();
        client.join(5000);

        PhaseResult delay = report.phase(ShutdownPhase.PROPAGATION_DELAY).orElseThrow();
        assertThat(delay.elapsed()).isBetween(Duration.ofSeconds(4), Duration.ofMillis(4500));
    }

    @Test
    void aHungTaskTimesOutAndTheSequenceGoesOn() {
        ShutdownCoordinator c = builder()
                .task(ShutdownTask.builder("stuck", hang()).timeout(Duration.ofSeconds(2)).build())
                .task(ShutdownTask.of("after", work("after", Duration.ofMillis(10))))
                .build();

        ShutdownReport report = c.shutdown();

        TaskResult stuck = report.task("stuck").orElseThrow();
        assertThat(stuck.outcome()).isEqualTo(TaskOutcome.TIMED_OUT);
        assertThat(stuck.elapsed()).isEqualTo(Duration.ofSeconds(2));
        assertThat(stuck.reason()).contains("did not finish within 2s");
        assertThat(report.task("after").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(report.outcome()).isEqualTo(ReportOutcome.DEGRADED);
    }

    @Test
    void aThrowingTaskIsRecordedFailedWithItsCause() {
        IllegalStateException boom = new IllegalStateException("boom");
        ShutdownCoordinator c = builder()
                .task("explodes", ctx -> {
                    throw boom;
                })
                .task(ShutdownTask.of("after", work("after", Duration.ofMillis(10))))
                .build();

        ShutdownReport report = c.shutdown();

        TaskResult r = report.task("explodes").orElseThrow();
        assertThat(r.outcome()).isEqualTo(TaskOutcome.FAILED);
        assertThat(r.failure()).isSameAs(boom);
        assertThat(r.reason()).contains("boom");
        assertThat(report.task("after").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
    }

    @Test
    void aTaskThatIgnoresInterruptsIsAbandonedAtItsTimeout() {
        AtomicInteger interruptsIgnored = new AtomicInteger();
        ShutdownCoordinator c = builder()
                .task(ShutdownTask.builder("stubborn", ctx -> {
                    for (int i = 0; i < 1000; i++) {
                        try {
                            time.sleep(Duration.ofHours(1));
                        } catch (InterruptedException e) {
                            interruptsIgnored.incrementAndGet();
                        }
                    }
                }).timeout(Duration.ofSeconds(1)).build())
                .task(ShutdownTask.of("after", work("after", Duration.ofMillis(10))))
                .build();

        ShutdownReport report = c.shutdown();

        assertThat(report.task("stubborn").orElseThrow().outcome()).isEqualTo(TaskOutcome.TIMED_OUT);
        assertThat(report.task("after").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(interruptsIgnored.get()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void taskTimeoutsAreCappedByWhatIsLeftOfTheBudget() {
        // budget 10 s - 2 s margin = 8 s; 5 s delay leaves 3 s for a task that wants 30 s
        ShutdownCoordinator c = builder().gracePeriod(Duration.ofSeconds(10)).sidecar(new FakeSidecar(time, SidecarFacts.none("test")))
                .task(ShutdownTask.builder("long", hang()).timeout(Duration.ofSeconds(30)).build())
                .task(ShutdownTask.of("never-reached", work("never-reached", Duration.ofMillis(1))))
                .build();

        ShutdownReport report = c.shutdown();

        TaskResult longTask = report.task("long").orElseThrow();
        assertThat(longTask.outcome()).isEqualTo(TaskOutcome.TIMED_OUT);
        assertThat(longTask.elapsed()).isLessThanOrEqualTo(Duration.ofSeconds(3));
        TaskResult next = report.task("never-reached").orElseThrow();
        assertThat(next.outcome()).isEqualTo(TaskOutcome.SKIPPED);
        assertThat(next.reason()).contains("no time left");
        assertThat(report.elapsed()).isLessThanOrEqualTo(Duration.ofSeconds(8).plus(SequenceRun.OVERRUN_BOUND));
    }

    @Test
    void everyTaskEndsWithExactlyOneOutcomeEvenWhenTheBudgetRunsOut() {
        ShutdownCoordinatorBuilder b = builder().gracePeriod(Duration.ofSeconds(12)).propagationDelay(Duration.ZERO);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String name = "t" + i;
            names.add(name);
            ShutdownPhase phase = ShutdownPhase.values()[2 + (i % 4)];
            b.task(ShutdownTask.builder(name, i % 3 == 0 ? hang() : work(name, Duration.ofSeconds(1)))
                    .phase(phase).timeout(Duration.ofSeconds(4)).build());
        }

        ShutdownReport report = b.build().shutdown();

        assertThat(report.complete()).isTrue();
        assertThat(report.tasks()).extracting(TaskResult::name).containsExactlyInAnyOrderElementsOf(names);
        assertThat(report.tasks()).allSatisfy(t -> assertThat(t.outcome()).isNotNull());
        assertThat(report.elapsed()).isLessThanOrEqualTo(Duration.ofSeconds(10).plus(SequenceRun.OVERRUN_BOUND));
    }

    @Test
    void aSecondShutdownReturnsTheSameReportAndRunsNothingAgain() {
        AtomicInteger runs = new AtomicInteger();
        ShutdownCoordinator c = builder().task("count", ctx -> runs.incrementAndGet()).build();

        ShutdownReport first = c.shutdown();
        ShutdownReport second = c.shutdown();

        assertThat(second).isSameAs(first);
        assertThat(runs.get()).isEqualTo(1);
        assertThat(c.state()).isEqualTo(ShutdownCoordinator.State.TERMINATED);
        assertThat(sidecar.count("release")).isEqualTo(1);
    }

    @Test
    void concurrentCallersAllGetTheOneReport() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        ShutdownCoordinator c = builder().task("count", ctx -> {
            runs.incrementAndGet();
            time.sleep(Duration.ofSeconds(1));
        }).build();
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> new Thread(r, "test-worker-caller-" + System.nanoTime()));
        try {
            List<Future<ShutdownReport>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(pool.submit(c::shutdown));
            }
            ShutdownReport first = calls.get(0).get();
            for (Future<ShutdownReport> f : calls) {
                assertThat(f.get()).isSameAs(first);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(runs.get()).isEqualTo(1);
    }

    @Test
    void registeringATaskAfterShutdownBeganIsRefused() {
        ShutdownCoordinator c = builder().build();
        c.shutdown();

        assertThatThrownBy(() -> c.register(ShutdownTask.of("late", ctx -> { })))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot register task 'late'")
                .hasMessageContaining("Register tasks at startup");
    }

    @Test
    void aTaskThatRegistersAnotherTaskFailsWithTheReason() {
        ShutdownCoordinator[] holder = new ShutdownCoordinator[1];
        holder[0] = builder().task("sneaky", ctx -> holder[0].register(ShutdownTask.of("late", x -> { }))).build();

        ShutdownReport report = holder[0].shutdown();

        TaskResult r = report.task("sneaky").orElseThrow();
        assertThat(r.outcome()).isEqualTo(TaskOutcome.FAILED);
        assertThat(r.reason()).contains("Cannot register task 'late'");
        assertThat(report.task("late")).isEmpty();
    }

    @Test
    void installRegistersExactlyOneHookAndTheHookRunsTheSequence() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        ShutdownCoordinator c = builder().task("count", ctx -> runs.incrementAndGet()).build();

        c.install();
        c.install();

        assertThat(hooks.hooks).hasSize(1);
        assertThat(c.state()).isEqualTo(ShutdownCoordinator.State.INSTALLED);
        Thread hook = hooks.hooks.get(0);
        assertThat(hook.getName()).isEqualTo("sidecar-shutdown-hook");
        // when the JVM would run it
        hook.run();
        assertThat(runs.get()).isEqualTo(1);
        assertThat(c.report().orElseThrow().trigger()).isEqualTo(ShutdownTrigger.JVM_HOOK);
        assertThat(c.report().orElseThrow().complete()).isTrue();
    }

    @Test
    void disabledCoordinatorInstallsNoHookAndReportsEveryTaskSkipped() {
        ShutdownCoordinator c = builder().enabled(false).task("t", ctx -> events.add("ran")).build();

        c.install();
        ShutdownReport report = c.shutdown();

        assertThat(hooks.hooks).isEmpty();
        assertThat(events).doesNotContain("ran");
        assertThat(report.task("t").orElseThrow().outcome()).isEqualTo(TaskOutcome.SKIPPED);
        assertThat(report.task("t").orElseThrow().reason()).contains("SIDECAR_SHUTDOWN_ENABLED=false");
    }

    @Test
    void readinessTurnsOffBeforeAnyTaskRuns() {
        ShutdownCoordinator[] holder = new ShutdownCoordinator[1];
        List<ReadinessGate.State> seen = new CopyOnWriteArrayList<>();
        holder[0] = builder().task(ShutdownTask.builder("look", ctx -> seen.add(holder[0].readiness().state()))
                .phase(ShutdownPhase.EARLY_OUTBOUND).build()).build();
        holder[0].readiness().markReady();

        holder[0].shutdown();

        assertThat(seen).containsExactly(ReadinessGate.State.SHUTTING_DOWN);
    }

    @Test
    void inboundDrainWaitsForInFlightRequests() throws Exception {
        ShutdownCoordinator c = builder().propagationDelay(Duration.ofSeconds(1)).build();
        c.inFlight().enter();
        Thread request = new Thread(() -> {
            try {
                time.sleep(Duration.ofSeconds(4));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                c.inFlight().exit(0);
            }
        }, "test-worker-request");
        request.start();

        ShutdownReport report = c.shutdown();

        PhaseResult drain = report.phase(ShutdownPhase.INBOUND_DRAIN).orElseThrow();
        assertThat(drain.outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(drain.startOffset().plus(drain.elapsed())).isBetween(Duration.ofSeconds(4), Duration.ofMillis(4100));
        assertThat(drain.detail()).contains("drain_listeners?inboundonly&graceful&skip_exit sent");
    }

    @Test
    void inboundDrainTimesOutWhenRequestsNeverFinish() {
        ShutdownCoordinator c = builder().drainTimeout(Duration.ofSeconds(3))
                .task(ShutdownTask.of("after", work("after", Duration.ofMillis(1)))).build();
        c.inFlight().enter();

        ShutdownReport report = c.shutdown();

        PhaseResult drain = report.phase(ShutdownPhase.INBOUND_DRAIN).orElseThrow();
        assertThat(drain.outcome()).isEqualTo(TaskOutcome.TIMED_OUT);
        assertThat(drain.elapsed()).isEqualTo(Duration.ofSeconds(3));
        assertThat(drain.detail()).contains("1 request(s) still in flight");
        assertThat(report.task("after").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
    }

    @Test
    void noSidecarMeansNoAdminCallsNoWindowAndNoRelease() {
        FakeSidecar none = new FakeSidecar(time, SidecarFacts.none("test"));
        none.state = t -> SidecarState.ABSENT;
        ShutdownCoordinator c = builder().sidecar(none).propagationDelay(Duration.ZERO)
                .task(ShutdownTask.builder("long", work("long", Duration.ofSeconds(20))).timeout(Duration.ofSeconds(25)).build())
                .build();

        ShutdownReport report = c.shutdown();

        assertThat(none.calls).doesNotContain("drainInbound", "release");
        assertThat(report.task("long").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().detail()).isEqualTo("no sidecar");
    }

    @Test
    void theSidecarIsReleasedOnceWhenItIsTerminating() {
        ShutdownCoordinator c = builder().build();

        ShutdownReport report = c.shutdown();
        c.shutdown();

        assertThat(report.sidecarReleased()).isTrue();
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(sidecar.count("release")).isEqualTo(1);
        assertThat(sidecar.calls.get(sidecar.calls.size() - 1)).isEqualTo("release");
    }

    @Test
    void theSidecarIsLeftRunningWhenPilotAgentIsStillReady() {
        sidecar.state = t -> SidecarState.LIVE;

        ShutdownReport report = builder().build().shutdown();

        PhaseResult release = report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow();
        assertThat(release.outcome()).isEqualTo(TaskOutcome.SKIPPED);
        assertThat(release.detail()).contains("not being deleted");
        assertThat(sidecar.count("release")).isZero();
    }

    @Test
    void aNativeSidecarIsNeverReleased() {
        sidecar.facts = FakeSidecar.nativeSidecar();

        ShutdownReport report = builder().build().shutdown();

        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().detail()).contains("native sidecar");
        assertThat(sidecar.count("release")).isZero();
    }

    @Test
    void releaseCanBeTurnedOff() {
        ShutdownReport report = builder().releaseSidecar(false).build().shutdown();

        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().detail()).isEqualTo("release-sidecar=false");
        assertThat(sidecar.count("release")).isZero();
    }

    @Test
    void aFailedReleaseIsReportedNotThrown() {
        sidecar.releaseFailure = new IllegalStateException("admin said no");

        ShutdownReport report = builder().build().shutdown();

        PhaseResult release = report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow();
        assertThat(release.outcome()).isEqualTo(TaskOutcome.FAILED);
        assertThat(release.detail()).contains("admin said no");
        assertThat(report.complete()).isTrue();
    }

    @Test
    void aTaskFailsFastWhenTheSidecarIsGone() {
        sidecar.state = t -> SidecarState.GONE;
        AtomicInteger runs = new AtomicInteger();

        ShutdownReport report = builder().task("notify", ctx -> runs.incrementAndGet()).build().shutdown();

        TaskResult r = report.task("notify").orElseThrow();
        assertThat(r.outcome()).isEqualTo(TaskOutcome.FAILED);
        assertThat(r.reason()).contains("sidecar gone");
        assertThat(r.attempts()).isZero();
        assertThat(runs.get()).isZero();
    }

    @Test
    void aLocalTaskRunsEvenWhenTheSidecarIsGone() {
        sidecar.state = t -> SidecarState.GONE;

        ShutdownReport report = builder()
                .task(ShutdownTask.builder("close-files", ctx -> { }).phase(ShutdownPhase.RELEASE).build())
                .task(ShutdownTask.builder("local-cleanup", ctx -> { }).needsSidecar(false).build())
                .build().shutdown();

        assertThat(report.task("close-files").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(report.task("local-cleanup").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
    }

    @Test
    void theSidecarWindowCapsANetworkTaskTimeout() {
        // terminationDrainDuration 5 s seen terminating at start; 3 s delay leaves 2 s of window
        sidecar.facts = FakeSidecar.istio(Duration.ofSeconds(5));

        ShutdownReport report = builder().propagationDelay(Duration.ofSeconds(3))
                .task(ShutdownTask.builder("slow-flush", hang()).timeout(Duration.ofSeconds(10)).build())
                .build().shutdown();

        TaskResult r = report.task("slow-flush").orElseThrow();
        assertThat(r.outcome()).isEqualTo(TaskOutcome.TIMED_OUT);
        assertThat(r.elapsed()).isEqualTo(Duration.ofSeconds(2));
        assertThat(r.reason()).contains("capped").contains("outbound window");
    }

    @Test
    void aNetworkTaskIsSkippedWhenTheWindowHasEnded() {
        sidecar.facts = FakeSidecar.istio(Duration.ofSeconds(5));
        AtomicInteger runs = new AtomicInteger();

        ShutdownReport report = builder().propagationDelay(Duration.ofSeconds(5))
                .task("notify-peers", ctx -> runs.incrementAndGet()).build().shutdown();

        TaskResult r = report.task("notify-peers").orElseThrow();
        assertThat(r.outcome()).isEqualTo(TaskOutcome.SKIPPED);
        assertThat(r.reason()).contains("terminationDrainDuration=5s").contains("minimum-task-window");
        assertThat(runs.get()).isZero();
    }

    @Test
    void theWindowStartsAtTheLastLiveSightingWhenTerminationIsSeenLater() {
        // live for the first 2 s of shutdown, then terminating: the window (4 s) is counted from ~2 s
        sidecar.facts = FakeSidecar.istio(Duration.ofSeconds(4));
        long start = time.nanoTime();
        sidecar.state = t -> t - start < Duration.ofSeconds(2).toNanos() ? SidecarState.LIVE : SidecarState.TERMINATING;

        ShutdownReport report = builder().propagationDelay(Duration.ofSeconds(3))
                .task(ShutdownTask.builder("probe-early", ctx -> { }).phase(ShutdownPhase.EARLY_OUTBOUND).build())
                .task(ShutdownTask.builder("flush", hang()).timeout(Duration.ofSeconds(10)).build())
                .build().shutdown();

        // last seen live at 0 s (the early task's probe), so the window ends at 4 s; flush starts at 3 s
        TaskResult flush = report.task("flush").orElseThrow();
        assertThat(flush.outcome()).isEqualTo(TaskOutcome.TIMED_OUT);
        assertThat(flush.elapsed()).isLessThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void withExitOnZeroConnectionsTasksAreNotCappedByTheMinimumDrain() {
        sidecar.facts = FakeSidecar.exitOnZero();

        ShutdownReport report = builder().propagationDelay(Duration.ofSeconds(5))
                .task(ShutdownTask.builder("flush", work("flush", Duration.ofSeconds(3))).timeout(Duration.ofSeconds(10)).build())
                .build().shutdown();

        assertThat(report.task("flush").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
    }

    @Test
    void connectionFailuresAreRetriedWithinTheTimeout() {
        AtomicInteger attempts = new AtomicInteger();

        ShutdownReport report = builder().task(ShutdownTask.builder("flaky", ctx -> {
            if (attempts.incrementAndGet() < 3) {
                throw new ConnectException("Connection refused");
            }
        }).retries(2).build()).build().shutdown();

        TaskResult r = report.task("flaky").orElseThrow();
        assertThat(r.outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(r.attempts()).isEqualTo(3);
        assertThat(sidecar.count("probe")).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aFailureWithoutAMessageIsReportedWithItsRootCause() {
        // given the shape of the JDK HttpClient's failure for a host that does not resolve (no DNS asked here):
        // a ConnectException without message, over another, over the UnresolvedAddressException that says why
        ShutdownReport report = builder().task("deregister", ctx -> {
            ConnectException inner = new ConnectException();
            inner.initCause(new java.nio.channels.UnresolvedAddressException());
            ConnectException outer = new ConnectException();
            outer.initCause(inner);
            throw outer;
        }).build().shutdown();

        // then: the line says more than "java.net.ConnectException"
        TaskResult r = report.task("deregister").orElseThrow();
        assertThat(r.outcome()).isEqualTo(TaskOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("java.net.ConnectException (root cause: java.nio.channels.UnresolvedAddressException)");
        assertThat(report.summaryLine()).contains("deregister=failed").contains("UnresolvedAddressException");
    }

    @Test
    void aFailureWithAMessageIsReportedAsItIs() {
        ShutdownReport report = builder().task("refused", ctx -> {
            throw new java.io.IOException("ledger said no", new ConnectException("Connection refused"));
        }).build().shutdown();

        assertThat(report.task("refused").orElseThrow().reason()).isEqualTo("java.io.IOException: ledger said no");
    }

    @Test
    void otherFailuresAreNotRetried() {
        AtomicInteger attempts = new AtomicInteger();

        ShutdownReport report = builder().task(ShutdownTask.builder("broken", ctx -> {
            attempts.incrementAndGet();
            throw new IllegalArgumentException("bad payload");
        }).retries(3).build()).build().shutdown();

        assertThat(report.task("broken").orElseThrow().outcome()).isEqualTo(TaskOutcome.FAILED);
        assertThat(attempts.get()).isEqualTo(1);
    }

    @Test
    void theTaskContextReportsItsBudget() {
        List<Duration> remaining = new CopyOnWriteArrayList<>();
        List<String> names = new CopyOnWriteArrayList<>();

        builder().task(ShutdownTask.builder("measure", ctx -> {
            names.add(ctx.taskName() + "/" + ctx.phase().tagValue() + "/" + ctx.attempt() + "/" + ctx.sidecarState());
            remaining.add(ctx.remaining());
            time.sleep(Duration.ofSeconds(1));
            remaining.add(ctx.remaining());
        }).timeout(Duration.ofSeconds(4)).build()).build().shutdown();

        assertThat(names).containsExactly("measure/cleanup/1/TERMINATING");
        assertThat(remaining).containsExactly(Duration.ofSeconds(4), Duration.ofSeconds(3));
    }

    @Test
    void listenerFailuresAreIsolated() {
        ShutdownReport report = builder()
                .listener(new ShutdownListener() {
                    @Override
                    public void onPhaseStarted(ShutdownPhase phase) {
                        throw new RuntimeException("listener bug");
                    }
                })
                .task("t", ctx -> { })
                .build().shutdown();

        assertThat(report.complete()).isTrue();
        assertThat(report.task("t").orElseThrow().outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
    }

    @Test
    void listenersSeeEveryPhaseEveryTaskAndTheReport() {
        List<String> seen = new CopyOnWriteArrayList<>();
        ShutdownReport report = builder()
                .listener(new ShutdownListener() {
                    @Override
                    public void onShutdownStarted(ShutdownPlan plan) {
                        seen.add("started");
                    }

                    @Override
                    public void onPhaseCompleted(PhaseResult result) {
                        seen.add("phase:" + result.phase().tagValue());
                    }

                    @Override
                    public void onTaskCompleted(TaskResult result) {
                        seen.add("task:" + result.name());
                    }

                    @Override
                    public void onSidecarState(SidecarState state) {
                        seen.add("state:" + state);
                    }

                    @Override
                    public void onShutdownCompleted(ShutdownReport r) {
                        seen.add("completed:" + r.outcome());
                    }
                })
                .task("a", ctx -> { })
                .build().shutdown();

        assertThat(seen).startsWith("state:TERMINATING", "started");
        assertThat(seen).contains("task:a", "phase:cleanup", "phase:sidecar_release", "phase:report");
        assertThat(seen).endsWith("completed:" + report.outcome());
    }

    @Test
    void theSummaryLineAndJsonNameEveryPhaseAndTask() {
        ShutdownReport report = builder()
                .task("deliver", ctx -> { })
                .task(ShutdownTask.builder("stuck", hang()).timeout(Duration.ofSeconds(1)).build())
                .build().shutdown();

        String line = report.summaryLine();
        for (ShutdownPhase p : ShutdownPhase.values()) {
            assertThat(line).contains(p.tagValue() + "=");
        }
        assertThat(line).contains("deliver=succeeded", "stuck=timed_out", "released");
        Map<?, ?> json = (Map<?, ?>) Json.parse(report.toJson());
        assertThat(json.get("outcome")).isEqualTo("degraded");
        assertThat((List<?>) json.get("tasks")).hasSize(2);
        assertThat((List<?>) json.get("phases")).hasSize(ShutdownPhase.values().length);
    }

    @Test
    void aReportTakenWhileRunningIsMarkedIncomplete() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        ShutdownCoordinator c = builder().propagationDelay(Duration.ZERO).sidecar(new FakeSidecar(time, SidecarFacts.none("t")))
                .task(ShutdownTask.builder("wait", ctx -> {
                    inside.countDown();
                    letGo.await();
                }).timeout(Duration.ofSeconds(20)).build()).build();

        java.util.concurrent.CompletableFuture<ShutdownReport> running = c.shutdownAsync();
        assertThat(inside.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        ShutdownReport snapshot = c.report().orElseThrow();
        letGo.countDown();

        assertThat(snapshot.complete()).isFalse();
        assertThat(snapshot.outcome()).isEqualTo(ReportOutcome.INCOMPLETE);
        assertThat(c.state()).isIn(ShutdownCoordinator.State.STOPPING, ShutdownCoordinator.State.TERMINATED);
        assertThat(running.get(20, java.util.concurrent.TimeUnit.SECONDS).complete()).isTrue();
    }

    @Test
    void aFrameworkRunsTheSequenceSliceBySliceUnderOneDeadline() throws Exception {
        ShutdownCoordinator c = builder().propagationDelay(Duration.ofSeconds(1))
                .task("flush", ctx -> events.add("flush")).build();

        // the framework's first lifecycle callback: readiness off and the delay, then its web server drains
        assertThat(time.awaitDone(c.runThrough(ShutdownPhase.EARLY_OUTBOUND), Duration.ofSeconds(30))).isTrue();
        events.add("web-server-drained");
        time.sleep(Duration.ofSeconds(3)); // the web server's own graceful shutdown takes 3 s
        assertThat(events).doesNotContain("phase:inbound_drain", "flush");
        // its second callback: inbound drain, cleanup, release tasks while its beans live
        assertThat(time.awaitDone(c.runThrough(ShutdownPhase.RELEASE), Duration.ofSeconds(30))).isTrue();
        events.add("beans-destroyed");
        assertThat(events).doesNotContain("phase:sidecar_release");
        // after its context closed: the sidecar release and the report
        ShutdownReport report = c.shutdown();

        assertThat(report.trigger()).isEqualTo(ShutdownTrigger.FRAMEWORK);
        assertThat(events).containsSubsequence("phase:propagation_delay", "web-server-drained", "phase:inbound_drain", "flush",
                "beans-destroyed", "phase:sidecar_release");
        assertThat(report.phase(ShutdownPhase.INBOUND_DRAIN).orElseThrow().startOffset()).isEqualTo(Duration.ofSeconds(4));
        assertThat(report.sidecarReleased()).isTrue();
    }

    @Test
    void aStepThatNeverComesCannotHoldTheSequencePastItsDeadline() throws Exception {
        java.util.concurrent.CompletableFuture<ShutdownReport> ended = new java.util.concurrent.CompletableFuture<>();
        ShutdownCoordinator c = builder().gracePeriod(Duration.ofSeconds(10)).task("flush", ctx -> { })
                .listener(new ShutdownListener() {
                    @Override
                    public void onShutdownCompleted(ShutdownReport r) {
                        ended.complete(r);
                    }
                }).build();

        // the framework ran the first slice and then never called again
        assertThat(time.awaitDone(c.runThrough(ShutdownPhase.PROPAGATION_DELAY), Duration.ofSeconds(30))).isTrue();
        assertThat(time.awaitDone(ended, Duration.ofSeconds(30))).isTrue();
        ShutdownReport report = ended.join();

        assertThat(report.complete()).isTrue();
        assertThat(report.elapsed()).isLessThanOrEqualTo(Duration.ofSeconds(9));
        assertThat(report.task("flush").orElseThrow().outcome()).isEqualTo(TaskOutcome.SKIPPED);
    }

    @Test
    void aStepReturnsAtTheLatestAtTheDeadlinePlusOneSecondAndNeverFails() throws Exception {
        ShutdownCoordinator c = builder().gracePeriod(Duration.ofSeconds(10))
                .task("hangs", ctx -> time.sleep(Duration.ofHours(1))).build();

        java.util.concurrent.CompletableFuture<Void> step = c.runThrough(ShutdownPhase.RELEASE);
        assertThat(time.awaitDone(step, Duration.ofSeconds(60))).isTrue();

        assertThat(step).isCompletedWithValue(null);
        assertThat(c.report().orElseThrow().elapsed()).isLessThanOrEqualTo(Duration.ofSeconds(9).plus(SequenceRun.OVERRUN_BOUND));
    }

    // ---- startup ----

    @Test
    void awaitSidecarReadyReturnsAsSoonAsTheSidecarIsReady() throws Exception {
        long start = time.nanoTime();
        sidecar.ready = t -> t - start >= Duration.ofMillis(300).toNanos();
        ShutdownCoordinator c = builder().sidecarMode(io.github.sidecarshutdown.sidecar.SidecarMode.ISTIO).build();

        long[] readyAt = new long[1];
        SidecarReadiness result = runVirtually(() -> {
            SidecarReadiness r = c.awaitSidecarReady();
            readyAt[0] = time.nanoTime();
            return r;
        });

        assertThat(result).isEqualTo(SidecarReadiness.READY);
        // polled every 2, 4, 8, 16, then 20 ms: released within one interval of becoming ready
        assertThat(Duration.ofNanos(readyAt[0] - start)).isBetween(Duration.ofMillis(300), Duration.ofMillis(320));
        assertThat(c.readiness().isReady()).isTrue();
    }

    @Test
    void awaitSidecarReadyGoesOnAtOnceWithoutASidecarInAutoMode() throws Exception {
        FakeSidecar absent = new FakeSidecar(time, SidecarFacts.none("t"));
        absent.ready = t -> false;
        absent.state = t -> SidecarState.ABSENT;
        ShutdownCoordinator c = builder().sidecar(absent).build();
        long start = time.nanoTime();

        assertThat(c.awaitSidecarReady()).isEqualTo(SidecarReadiness.NO_SIDECAR);
        assertThat(time.since(start)).isZero();
        assertThat(c.readiness().isReady()).isTrue();
    }

    @Test
    void awaitSidecarReadyFailsWithTheFixWhenRequiredAndNeverReady() {
        sidecar.ready = t -> false;
        ShutdownCoordinator c = builder().startupPolicy(StartupPolicy.REQUIRED).build();

        assertThatThrownBy(() -> runVirtually(() -> c.awaitSidecarReady(Duration.ofSeconds(2))))
                .hasRootCauseInstanceOf(SidecarNotReadyException.class)
                .rootCause().hasMessageContaining("not ready within 2s")
                .hasMessageContaining("SIDECAR_SHUTDOWN_STARTUP_WAIT")
                .hasMessageContaining("SIDECAR_SHUTDOWN_STARTUP_POLICY=optional");
        assertThat(c.readiness().isReady()).isFalse();
    }

    @Test
    void awaitSidecarReadyTimesOutQuietlyWhenOptional() throws Exception {
        sidecar.ready = t -> false;
        sidecar.state = t -> SidecarState.STARTING;
        ShutdownCoordinator c = builder().build();

        assertThat(runVirtually(() -> c.awaitSidecarReady(Duration.ofSeconds(2)))).isEqualTo(SidecarReadiness.TIMED_OUT);
        assertThat(c.readiness().isReady()).isTrue();
    }

    @Test
    void awaitSidecarReadyStopsWhenShutdownBegins() throws Exception {
        sidecar.ready = t -> false;
        sidecar.state = t -> SidecarState.STARTING;
        ShutdownCoordinator c = builder().propagationDelay(Duration.ZERO).build();
        c.shutdown();

        assertThat(runVirtually(() -> c.awaitSidecarReady(Duration.ofSeconds(60)))).isEqualTo(SidecarReadiness.SHUTTING_DOWN);
    }

    /** Runs {@code call} on a tracked worker while this thread drives virtual time. */
    private <T> T runVirtually(java.util.concurrent.Callable<T> call) throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-worker-virtual"));
        try {
            Future<T> f = ex.submit(call);
            java.util.concurrent.FutureTask<Void> never = new java.util.concurrent.FutureTask<>(() -> null);
            while (!f.isDone()) {
                time.awaitDone(never, Duration.ofMillis(50));
            }
            return f.get();
        } finally {
            ex.shutdownNow();
        }
    }
}
