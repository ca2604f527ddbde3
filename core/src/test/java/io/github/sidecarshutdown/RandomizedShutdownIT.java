package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.internal.engine.SequenceRun;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Generated shutdowns on the virtual clock: random settings and budgets, random tasks (quick,
 * slow, throwing, connection failures with retries, hanging, ignoring interrupts, registering
 * another task), a random sidecar (Istio classic with a random window, native, plain Envoy, none;
 * slow or hanging admin answers; Envoy dying at a random time; a failing release) and random
 * in-flight requests. Every run must keep the invariants of docs/guarantees.md.
 *
 * <p>The seed is printed; rerun with {@code -Drandomized.seed=N} (and {@code -Drandomized.runs=N}); a
 * failure names its run's own seed, replayed alone with {@code -Drandomized.run=S}.
 */
class RandomizedShutdownIT {

    private static final int RUNS = Integer.getInteger("randomized.runs", 500);
    private static final long SEED = Long.getLong("randomized.seed", 0x5EED_2026L);
    /** Replays the one run with this seed (as printed in a failure), skipping the others. */
    private static final Long ONLY_RUN = Long.getLong("randomized.run");

    @Test
    @Timeout(120)
    void everyGeneratedRunKeepsTheGuarantees() throws Exception {
        System.out.println("RandomizedShutdownIT seed=" + SEED + " runs=" + RUNS + " (rerun with -Drandomized.seed=" + SEED + ")");
        Random master = new Random(SEED);
        Map<String, Integer> outcomes = new HashMap<>();
        int released = 0;
        for (int i = 0; i < RUNS; i++) {
            long runSeed = master.nextLong();
            if (ONLY_RUN != null && !ONLY_RUN.equals(runSeed)) {
                continue;
            }
            Run run = new Run(i, runSeed);
            long t0 = System.nanoTime();
            try {
                ShutdownReport report = run.execute();
                report.tasks().forEach(t -> outcomes.merge(t.outcome().tagValue(), 1, Integer::sum));
                released += report.sidecarReleased() ? 1 : 0;
            } finally {
                long t1 = System.nanoTime();
                run.cleanUp();
                if (Boolean.getBoolean("randomized.timing")) {
                    System.out.println("TIMING run " + i + " " + (t1 - t0) / 1_000_000 + "ms cleanup " + (System.nanoTime() - t1) / 1_000_000 + "ms" + run.scenario);
                }
            }
        }
        System.out.println("RandomizedShutdownIT " + RUNS + " runs, task outcomes " + outcomes + ", released " + released);
        // the generator really reached every outcome and both release decisions
        if (ONLY_RUN == null) {
            assertThat(outcomes.keySet()).contains("succeeded", "failed", "timed_out", "skipped");
            assertThat(released).isPositive().isLessThan(RUNS);
        }
    }

    /** One generated scenario. */
    private static final class Run {
        final int index;
        final long seed;
        final Random r;
        final VirtualTime time = new VirtualTime();
        final AtomicBoolean stop = new AtomicBoolean();
        final CountDownLatch never = new CountDownLatch(1);
        final List<Thread> testThreads = new CopyOnWriteArrayList<>();
        final Map<String, AtomicInteger> heard = new ConcurrentHashMap<>();
        final AtomicInteger completedEvents = new AtomicInteger();
        final List<String> hanging = new ArrayList<>();
        final StringBuilder scenario = new StringBuilder();
        ScriptedSidecar sidecar;
        ShutdownCoordinator coordinator;
        Duration budget;

        /** Threads alive before this run (other tests' leftovers are not this run's business). */
        final Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());

        Run(int index, long seed) {
            this.index = index;
            this.seed = seed;
            this.r = new Random(seed);
        }

        private Duration ms(int min, int max) {
            return Duration.ofMillis(min + r.nextInt(max - min + 1));
        }

        ShutdownReport execute() throws Exception {
            sidecar = new ScriptedSidecar(time, r, scenario);
            Duration grace = ms(2_000, 40_000);
            Duration margin = ms(0, (int) Math.min(3_000, grace.toMillis() - 100));
            budget = grace.minus(margin);
            ShutdownCoordinatorBuilder b = ShutdownCoordinator.builder().fromEnvironment(Map.of())
                    .timeSource(time).runtimeHooks(new RecordingHooks()).sidecar(sidecar)
                    .gracePeriod(grace).safetyMargin(margin)
                    .propagationDelay(r.nextInt(3) == 0 ? Duration.ZERO : ms(0, 8_000))
                    .quietPeriod(r.nextInt(4) == 0 ? ms(100, 2_000) : Duration.ZERO)
                    .drainTimeout(ms(0, 3_000))
                    .taskTimeout(ms(100, 8_000))
                    .adminTimeout(ms(50, 1_500))
                    .minimumTaskWindow(ms(0, 500))
                    .releaseSidecar(r.nextInt(6) != 0);
            if (r.nextInt(3) == 0) {
                b.cleanupBudget(ms(100, 10_000));
            }
            b.listener(new ShutdownListener() {
                @Override
                public void onTaskCompleted(TaskResult result) {
                    heard.computeIfAbsent(result.name(), n -> new AtomicInteger()).incrementAndGet();
                }

                @Override
                public void onShutdownCompleted(ShutdownReport report) {
                    completedEvents.incrementAndGet();
                }
            });
            ShutdownCoordinator[] self = new ShutdownCoordinator[1];
            int n = r.nextInt(9);
            for (int i = 0; i < n; i++) {
                b.task(task("t" + i, self));
            }
            coordinator = b.build();
            self[0] = coordinator;
            scenario.append(" grace=").append(grace.toMillis()).append(" margin=").append(margin.toMillis())
                    .append(" settings=").append(coordinator.settings());
            startRequests();

            ShutdownReport report = coordinator.shutdown();

            check(report);
            return report;
        }

        private ShutdownTask task(String name, ShutdownCoordinator[] self) {
            ShutdownPhase phase = List.of(ShutdownPhase.EARLY_OUTBOUND, ShutdownPhase.INBOUND_DRAIN, ShutdownPhase.CLEANUP,
                    ShutdownPhase.RELEASE).get(r.nextInt(4));
            int kind = r.nextInt(10);
            Duration d = ms(0, 6_000);
            ShutdownAction action;
            String what;
            switch (kind) {
                case 0 -> {
                    what = "throws";
                    action = ctx -> {
                        time.sleep(d.dividedBy(4));
                        throw new IllegalStateException("boom");
                    };
                }
                case 1 -> {
                    what = "refused";
                    action = ctx -> {
                        time.sleep(d.dividedBy(8));
                        throw new IOException("connection refused");
                    };
                }
                case 2 -> {
                    what = "hangs";
                    hanging.add(name);
                    action = ctx -> never.await();
                }
                case 3 -> {
                    what = "ignores-interrupts";
                    hanging.add(name);
                    action = ctx -> {
                        testThreads.add(Thread.currentThread());
                        while (!stop.get()) {
                            try {
                                time.sleep(Duration.ofHours(1));
                            } catch (InterruptedException ignored) {
                                // on purpose
                            }
                        }
                    };
                }
                case 4 -> {
                    what = "registers";
                    action = ctx -> self[0].register(ShutdownTask.of(name + "-late", x -> { }));
                }
                default -> {
                    what = "works " + d.toMillis() + "ms";
                    action = ctx -> time.sleep(d);
                }
            }
            ShutdownTask.Builder tb = ShutdownTask.builder(name, action).phase(phase).retries(r.nextInt(3));
            if (r.nextBoolean()) {
                tb.timeout(ms(50, 10_000));
            }
            if (r.nextInt(4) == 0) {
                tb.needsSidecar(r.nextBoolean());
            }
            ShutdownTask t = tb.build();
            scenario.append(" ").append(t).append("=").append(what);
            return t;
        }

        private void startRequests() {
            // in-flight waits poll every few virtual ms, which costs real time: keep them to a quarter of the runs
            int requests = r.nextInt(4) == 0 ? 1 + r.nextInt(2) : 0;
            for (int i = 0; i < requests; i++) {
                int token = coordinator.inFlight().enter();
                if (r.nextInt(3) == 0) {
                    scenario.append(" request-never-ends");
                    continue;
                }
                Duration d = ms(0, 6_000);
                scenario.append(" request-ends-at=").append(d.toMillis());
                Thread t = new Thread(() -> {
                    try {
                        time.sleep(d);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        coordinator.inFlight().exit(token);
                    }
                }, "test-worker-request-" + index + "-" + i);
                t.setDaemon(true);
                testThreads.add(t);
                t.start();
            }
        }

        private void check(ShutdownReport report) throws InterruptedException {
            String where = "run " + index + " (seed " + seed + "):" + scenario + "\n  report: " + report.summaryLine();
            // the sequence finished, by its deadline plus the bound
            assertThat(report.complete()).as(where).isTrue();
            assertThat(report.elapsed()).as(where).isLessThanOrEqualTo(budget.plus(SequenceRun.OVERRUN_BOUND));
            // every task exactly one outcome, with a reason unless it succeeded
            List<String> registered = coordinator.tasks().stream().map(ShutdownTask::name).collect(Collectors.toList());
            assertThat(report.tasks()).as(where).extracting(TaskResult::name).containsExactlyInAnyOrderElementsOf(registered);
            for (TaskResult t : report.tasks()) {
                assertThat(t.outcome() == TaskOutcome.SUCCEEDED || (t.reason() != null && !t.reason().isBlank()))
                        .as(where + "\n  task " + t.summary()).isTrue();
                assertThat(t.outcome() != TaskOutcome.SUCCEEDED || t.attempts() >= 1).as(where).isTrue();
                assertThat(heard.getOrDefault(t.name(), new AtomicInteger()).get()).as(where + "\n  heard " + t.name())
                        .isLessThanOrEqualTo(1);
                assertThat(t.startOffset().plus(t.elapsed())).as(where + "\n  task " + t.summary())
                        .isLessThanOrEqualTo(report.elapsed());
            }
            assertThat(completedEvents.get()).as(where).isEqualTo(1);
            // tasks of a phase are reported in registration order
            for (ShutdownPhase p : ShutdownPhase.values()) {
                List<String> planned = coordinator.tasks().stream().filter(t -> t.phase() == p).map(ShutdownTask::name)
                        .collect(Collectors.toList());
                assertThat(report.tasks()).as(where).filteredOn(t -> t.phase() == p).extracting(TaskResult::name)
                        .containsExactlyElementsOf(planned);
            }
            // phases: each once, in order, ending in order, within the run
            assertThat(report.phases()).as(where).extracting(PhaseResult::phase).containsExactly(ShutdownPhase.values());
            // EARLY_OUTBOUND runs alongside PROPAGATION_DELAY by design: it starts with the delay and
            // ends before the inbound drain; every other phase starts and ends after the one before
            Duration lastStart = Duration.ZERO;
            Duration lastEnd = Duration.ZERO;
            for (PhaseResult p : report.phases()) {
                Duration end = p.startOffset().plus(p.elapsed());
                assertThat(end).as(where + "\n  phase " + p.summary()).isLessThanOrEqualTo(report.elapsed());
                if (p.phase() == ShutdownPhase.EARLY_OUTBOUND) {
                    PhaseResult delay = report.phase(ShutdownPhase.PROPAGATION_DELAY).orElseThrow();
                    PhaseResult drain = report.phase(ShutdownPhase.INBOUND_DRAIN).orElseThrow();
                    assertThat(p.startOffset()).as(where + "\n  phase " + p.summary()).isLessThanOrEqualTo(delay.startOffset());
                    assertThat(end).as(where + "\n  phase " + p.summary()).isLessThanOrEqualTo(drain.startOffset());
                    continue;
                }
                assertThat(p.startOffset()).as(where + "\n  phase " + p.summary()).isGreaterThanOrEqualTo(lastStart);
                assertThat(end).as(where + "\n  phase " + p.summary()).isGreaterThanOrEqualTo(lastEnd);
                lastStart = p.startOffset();
                lastEnd = end;
            }
            // the sidecar: released at most once, only classic Istio seen terminating, and said so
            assertThat(sidecar.releases.get()).as(where).isLessThanOrEqualTo(1);
            // "released" in the report means the sidecar acknowledged it; a refused call is not a release
            assertThat(report.sidecarReleased()).as(where).isEqualTo(sidecar.releases.get() == 1 && !sidecar.releaseFails);
            if (sidecar.releases.get() == 1) {
                assertThat(sidecar.facts.mode()).as(where).isEqualTo(SidecarMode.ISTIO);
                assertThat(sidecar.stateAtRelease).as(where).isEqualTo(SidecarState.TERMINATING);
                assertThat(coordinator.settings().releaseSidecar()).as(where).isTrue();
            }
            // no thread of ours left running but abandoned hung tasks, and those are daemons
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                String name = t.getName();
                if (!name.startsWith("sidecar-shutdown") || before.contains(t)) {
                    continue;
                }
                boolean abandoned = hanging.stream().anyMatch(h -> name.equals("sidecar-shutdown-task-" + h));
                if (abandoned) {
                    assertThat(t.isDaemon()).as(where + "\n  thread " + name).isTrue();
                    String task = name.substring("sidecar-shutdown-task-".length());
                    assertThat(report.task(task).orElseThrow().outcome()).as(where + "\n  thread " + name).isEqualTo(TaskOutcome.TIMED_OUT);
                } else {
                    t.join(5_000); // the sequence's own thread returns right after completing the report
                    assertThat(t.isAlive()).as(where + "\n  left running: " + name + " " + t.getState()).isFalse();
                }
            }
        }

        void cleanUp() throws InterruptedException {
            stop.set(true);
            never.countDown();
            List<Thread> ours = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && (t.getName().startsWith("sidecar-shutdown") || testThreads.contains(t)))
                    .collect(Collectors.toList());
            for (Thread t : ours) {
                t.interrupt();
            }
            for (Thread t : ours) {
                t.join(5_000);
                assertThat(t.isAlive()).as("run %d: %s did not end after the test released it", index, t.getName()).isFalse();
            }
        }
    }

    /** A sidecar whose answers, delays, death and release failure are drawn at random; honours every timeout. */
    private static final class ScriptedSidecar implements Sidecar {
        final VirtualTime time;
        final SidecarFacts facts;
        final long start;
        final long diesAfter;
        final boolean terminating;
        final Duration probeDelay;
        final boolean releaseFails;
        final AtomicInteger releases = new AtomicInteger();
        volatile SidecarState stateAtRelease;
        volatile SidecarState lastProbe = SidecarState.UNKNOWN;

        ScriptedSidecar(VirtualTime time, Random r, StringBuilder scenario) {
            this.time = time;
            this.start = time.nanoTime();
            switch (r.nextInt(6)) {
                case 0 -> facts = SidecarFacts.none("generated");
                case 1 -> facts = new SidecarFacts(SidecarMode.NATIVE, Optional.empty(), Optional.empty(), false, Optional.empty(), "gen");
                case 2 -> facts = new SidecarFacts(SidecarMode.ENVOY, Optional.of("envoy 1.34.2"), Optional.empty(), false,
                        Optional.empty(), "gen");
                default -> facts = new SidecarFacts(SidecarMode.ISTIO, Optional.of("istio 1.26.2"),
                        Optional.of(Duration.ofMillis(500 + r.nextInt(30_000))), r.nextInt(5) == 0, Optional.empty(), "gen");
            }
            diesAfter = r.nextInt(3) == 0 ? Long.MAX_VALUE : Duration.ofMillis(r.nextInt(20_000)).toNanos();
            terminating = r.nextInt(4) != 0;
            int delayKind = r.nextInt(5);
            probeDelay = delayKind == 0 ? Duration.ofHours(1) : delayKind == 1 ? Duration.ofMillis(r.nextInt(2_000)) : Duration.ZERO;
            releaseFails = r.nextInt(8) == 0;
            scenario.append("sidecar ").append(facts.mode()).append(" window=").append(facts.guaranteedWindow().orElse(null))
                    .append(" exitOnZero=").append(facts.exitOnZeroActiveConnections())
                    .append(" diesAfterMs=").append(diesAfter == Long.MAX_VALUE ? "never" : diesAfter / 1_000_000)
                    .append(" terminating=").append(terminating).append(" probeDelay=").append(probeDelay.toMillis())
                    .append(" releaseFails=").append(releaseFails);
        }

        private SidecarState stateNow() {
            if (time.nanoTime() - start >= diesAfter) {
                return SidecarState.GONE;
            }
            return terminating ? SidecarState.TERMINATING : SidecarState.LIVE;
        }

        /** Sleeps {@code delay} but never past {@code timeout}; false when the timeout ran out first. */
        private boolean answerWithin(Duration timeout) {
            try {
                if (probeDelay.compareTo(timeout) > 0) {
                    time.sleep(timeout);
                    return false;
                }
                time.sleep(probeDelay);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public SidecarState probe(Duration timeout) {
            assertThat(timeout).isPositive();
            lastProbe = answerWithin(timeout) ? stateNow() : SidecarState.UNKNOWN;
            return lastProbe;
        }

        @Override
        public SidecarFacts facts(Duration timeout) {
            return facts;
        }

        @Override
        public boolean isReady(Duration timeout) {
            return answerWithin(timeout) && stateNow() == SidecarState.LIVE;
        }

        @Override
        public SidecarCallResult drainInbound(Duration timeout) {
            return answerWithin(timeout) ? SidecarCallResult.done("sent") : SidecarCallResult.failed("drain timed out");
        }

        @Override
        public SidecarCallResult release(Duration timeout) {
            releases.incrementAndGet();
            stateAtRelease = lastProbe;
            return releaseFails ? SidecarCallResult.failed("quitquitquit refused") : SidecarCallResult.done("exits");
        }

        @Override
        public Optional<String> drainCall() {
            return facts.mode() == SidecarMode.NONE ? Optional.empty() : Optional.of("POST /drain_listeners");
        }

        @Override
        public io.github.sidecarshutdown.sidecar.ReleaseDecision releaseDecision(SidecarState state) {
            return facts.mode() == SidecarMode.ISTIO ? io.github.sidecarshutdown.sidecar.ReleaseDecision.release("POST /quitquitquit")
                    : io.github.sidecarshutdown.sidecar.ReleaseDecision.never("not istio");
        }

        @Override
        public String describe() {
            return "scripted sidecar " + System.identityHashCode(this);
        }
    }
}
