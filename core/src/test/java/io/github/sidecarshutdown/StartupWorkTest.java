package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.internal.engine.StartupWork;
import io.github.sidecarshutdown.sidecar.ReleaseDecision;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@code install()} leaves for after it returns (docs/timeline.md, "Off the startup path"): the
 * plan's question to the sidecar is asked on the startup work's own thread, after install() returned,
 * and that thread ends when its work ends. A shutdown that starts while the work runs runs the whole
 * sequence at once, without waiting for the work, releases the sidecar once, and the work stops.
 */
@Timeout(60)
class StartupWorkTest {

    /** Long enough that a sequence waiting for the startup work would plainly show it. */
    private static final Duration HELD = Duration.ofSeconds(20);

    @Test
    void installReturnsBeforeThePlanIsAskedForWhichHappensOnTheStartupThreadThatThenEnds() throws Exception {
        HeldSidecar sidecar = new HeldSidecar();
        ShutdownCoordinator c = coordinator(sidecar);

        long start = System.nanoTime();
        c.install();
        Duration install = Duration.ofNanos(System.nanoTime() - start);
        assertThat(sidecar.factsAsked.await(10, TimeUnit.SECONDS)).as("the plan asks the sidecar after install()").isTrue();

        assertThat(install).as("install() did not wait for the held plan question").isLessThan(HELD);
        assertThat(sidecar.factsThreads).containsOnly(StartupWork.THREAD_NAME);
        StartupWork work = c.startupWork().orElseThrow();
        assertThat(work.isDone()).as("still held in the plan step").isFalse();

        sidecar.releaseFacts.countDown();
        assertThat(work.await(Duration.ofSeconds(30))).as("the thread ends with its work").isTrue();
        assertThat(aliveNamed(StartupWork.THREAD_NAME)).isZero();
        assertThat(c.report()).as("no sequence ran").isEmpty();
    }

    @Test
    void aShutdownWhileTheStartupWorkIsHeldRunsTheWholeSequenceAtOnceAndReleasesOnce() throws Exception {
        HeldSidecar sidecar = new HeldSidecar();
        ShutdownCoordinator c = coordinator(sidecar);
        c.install();
        assertThat(sidecar.factsAsked.await(10, TimeUnit.SECONDS)).isTrue();
        StartupWork work = c.startupWork().orElseThrow();

        long start = System.nanoTime();
        ShutdownReport report = c.shutdown();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(report.complete()).as(report.summaryLine()).isTrue();
        assertThat(report.phases()).as(report.summaryLine()).hasSize(ShutdownPhase.values().length);
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().outcome()).as(report.summaryLine())
                .isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(report.tasks()).as(report.summaryLine()).allMatch(t -> t.outcome() == TaskOutcome.SUCCEEDED);
        assertThat(sidecar.releases.get()).isEqualTo(1);
        assertThat(took).as("the sequence did not wait for the held startup work").isLessThan(HELD.dividedBy(2));
        assertThat(work.await(Duration.ofSeconds(30))).as("the shutdown ended the startup work").isTrue();
        assertThat(sidecar.factsInterrupted.get()).as("the held step was interrupted, not waited out").isEqualTo(1);
    }

    @Test
    void aShutdownAtAnyPointOfTheStartupWorkReleasesOnceAndLeavesNoThread() throws Exception {
        Random random = new Random(24);
        for (int i = 0; i < 20; i++) {
            HeldSidecar sidecar = new HeldSidecar();
            sidecar.releaseFacts.countDown(); // the plan step is not held: the shutdown lands anywhere in the work
            ShutdownCoordinator c = coordinator(sidecar);
            c.install();
            Thread.sleep(random.nextInt(40));

            ShutdownReport report = c.shutdown();

            assertThat(report.complete()).as("run %d: %s", i, report.summaryLine()).isTrue();
            assertThat(sidecar.releases.get()).as("run %d", i).isEqualTo(1);
            assertThat(c.startupWork().orElseThrow().await(Duration.ofSeconds(30))).as("run %d", i).isTrue();
        }
        assertThat(aliveNamed(StartupWork.THREAD_NAME)).isZero();
    }

    @Test
    void theStartupWorkWaitsForTheAppsReadinessThenStartsAnywayAfterAtMostTheFallback() throws Exception {
        HeldSidecar sidecar = new HeldSidecar();
        sidecar.releaseFacts.countDown();
        ShutdownCoordinator c = coordinator(sidecar);

        long start = System.nanoTime();
        c.install(); // and never awaitSidecarReady(): the readiness stays STARTING

        assertThat(sidecar.factsAsked.await(30, TimeUnit.SECONDS)).isTrue();
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        assertThat(waited).as("nothing of the work before the readiness wait's fallback").isGreaterThanOrEqualTo(StartupWork.READY_WAIT);
        assertThat(c.startupWork().orElseThrow().await(Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void aShutdownBeforeInstallLeavesNothingForLater() {
        HeldSidecar sidecar = new HeldSidecar();
        ShutdownCoordinator c = coordinator(sidecar);
        c.shutdown();

        c.install();

        assertThat(c.startupWork()).as("no startup work once the sequence ran").isEmpty();
        assertThat(sidecar.factsThreads).doesNotContain(StartupWork.THREAD_NAME);
    }

    private static ShutdownCoordinator coordinator(Sidecar sidecar) {
        return ShutdownCoordinator.builder().fromEnvironment(Map.of()).runtimeHooks(new RecordingHooks()).sidecar(sidecar)
                .propagationDelay(Duration.ZERO).adminTimeout(HELD).gracePeriod(Duration.ofSeconds(60))
                .task("cleanup", ctx -> { }).build();
    }

    private static long aliveNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().equals(name)).count();
    }

    /**
     * A classic sidecar, terminating (so the sequence releases it), whose facts are held for the startup
     * work's thread until {@link #releaseFacts} opens (or the call's timeout, or an interrupt).
     */
    private static final class HeldSidecar implements Sidecar {
        final CountDownLatch factsAsked = new CountDownLatch(1);
        final CountDownLatch releaseFacts = new CountDownLatch(1);
        final List<String> factsThreads = new CopyOnWriteArrayList<>();
        final AtomicInteger factsInterrupted = new AtomicInteger();
        final AtomicInteger releases = new AtomicInteger();
        private final SidecarFacts facts = FakeSidecar.istio(Duration.ofSeconds(30));

        @Override
        public SidecarFacts facts(Duration timeout) {
            String thread = Thread.currentThread().getName();
            factsThreads.add(thread);
            if (thread.equals(StartupWork.THREAD_NAME)) {
                factsAsked.countDown();
                try {
                    releaseFacts.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    factsInterrupted.incrementAndGet();
                    Thread.currentThread().interrupt();
                }
            }
            return facts;
        }

        @Override
        public SidecarState probe(Duration timeout) {
            return SidecarState.TERMINATING;
        }

        @Override
        public boolean isReady(Duration timeout) {
            return true;
        }

        @Override
        public SidecarCallResult drainInbound(Duration timeout) {
            return SidecarCallResult.done("drained");
        }

        @Override
        public SidecarCallResult release(Duration timeout) {
            releases.incrementAndGet();
            return SidecarCallResult.done("released");
        }

        @Override
        public ReleaseDecision releaseDecision(SidecarState state) {
            return state == SidecarState.TERMINATING ? ReleaseDecision.release("terminating") : ReleaseDecision.never("not terminating");
        }

        @Override
        public String describe() {
            return "held stand-in";
        }
    }
}
