package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.InFlightTracker;
import io.github.sidecarshutdown.ReadinessGate;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownCoordinatorBuilder;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.ShutdownTrigger;
import io.github.sidecarshutdown.Workload;
import io.github.sidecarshutdown.sidecar.ReleaseDecision;
import org.slf4j.helpers.NOPLogger;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarCallResult;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The rehearsal (docs/timeline.md, "Warm-up at SIGTERM"): runs the shutdown sequence once, end to
 * end, on a private engine, so that the classes and call sites the sidecar release needs are loaded
 * and linked before the real sequence reaches it, when every millisecond delays the Pod's end. It
 * runs when the first shutdown of the JVM starts, on the release watch's thread
 * ({@link ProcessRelease#begin}), beside the phases before the release (the propagation delay, the
 * drain, the cleanup), and only for a coordinator that may release its sidecar: at startup it would
 * cost every new Pod CPU while others start beside it.
 *
 * <p>It touches nothing of the app's: no network (the stand-in sidecar answers from memory), no log
 * (the rehearsal's sequence, its tasks and its runner log to nothing), no listener, no JVM hook, not
 * the app's readiness gate or in-flight tracker, and not the process-wide release latch
 * ({@link ProcessRelease#INSTANCE}), so it can neither take the app's release nor hold it. Its threads
 * are daemon threads of its own group, named as the library's (the hook scan ignores them), waited
 * for before it returns; an interrupt ends the wait and interrupts them, so that its sequence stops
 * at its next phase. Once per JVM.
 */
final class Rehearsal {

    private static final AtomicBoolean DONE = new AtomicBoolean();
    /** How long the watch's thread waits for the rehearsal at most; it takes milliseconds. */
    static final Duration BOUND = Duration.ofSeconds(2);

    private Rehearsal() {
    }

    /** Whether {@link #once} has begun its rehearsal in this JVM. */
    static boolean begun() {
        return DONE.get();
    }

    /** Rehearses once per JVM; later calls return at once. */
    static void once(ShutdownSettings real) {
        if (DONE.compareAndSet(false, true)) {
            run(real);
        }
    }

    /**
     * One rehearsal, on its own daemon thread in its own thread group, waited for (at most
     * {@link #BOUND}) together with every thread the sequence started, so that none outlives the
     * call (those still running at the bound are interrupted and stop at their next wait); its
     * report, for tests. Never throws: a failed rehearsal only costs the warm-up. An interrupt ends
     * the wait (the flag is kept) and interrupts the rehearsal's threads.
     */
    static Optional<ShutdownReport> run(ShutdownSettings real) {
        AtomicReference<Optional<ShutdownReport>> report = new AtomicReference<>(Optional.empty());
        ThreadGroup group = new ThreadGroup("sidecar-shutdown-rehearsal");
        Thread runner = new Thread(group, () -> report.set(rehearse(real)), "sidecar-shutdown-rehearsal");
        runner.setDaemon(true);
        long end = System.nanoTime() + BOUND.toNanos();
        runner.start();
        try {
            join(runner, end);
            // The sequence's runner and task threads end right after the report: wait for them too.
            Thread[] left = new Thread[group.activeCount() + 8];
            int n = group.enumerate(left);
            for (int i = 0; i < n; i++) {
                join(left[i], end);
            }
            if (group.activeCount() > 0) {
                // Still waiting at its bound (its release watch sees the app's own shutdown hooks at
                // work while the JVM exits): stop it rather than let it poll beside the real sequence.
                group.interrupt();
            }
        } catch (InterruptedException e) {
            // Whoever ran it is being stopped: the rehearsal's sequence stops at its next wait instead
            // of running on beside the real one, which needs the two cores more.
            group.interrupt();
            Thread.currentThread().interrupt();
        }
        Optional<ShutdownReport> r = report.get();
        return r != null ? r : Optional.empty();
    }

    private static void join(Thread t, long endNanos) throws InterruptedException {
        long left = endNanos - System.nanoTime();
        if (left > 0) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
    }

    private static Optional<ShutdownReport> rehearse(ShutdownSettings real) {
        try {
            ShutdownCoordinatorBuilder b = ShutdownCoordinator.builder()
                    .workload(real.workload() == Workload.JOB ? Workload.JOB : Workload.SERVICE)
                    .propagationDelay(Duration.ZERO)
                    .drainTimeout(Duration.ofSeconds(1))
                    .taskTimeout(Duration.ofSeconds(1))
                    .releaseSidecar(true);
            // One no-op task in each phase that runs tasks: the task runner, the guard's check and the
            // early phase's own thread are rehearsed too.
            List<ShutdownTask> tasks = new java.util.ArrayList<>();
            for (ShutdownPhase p : List.of(ShutdownPhase.EARLY_OUTBOUND, ShutdownPhase.CLEANUP, ShutdownPhase.RELEASE)) {
                tasks.add(ShutdownTask.builder("rehearsal-" + p.tagValue(), ctx -> ctx.remaining()).phase(p).build());
            }
            Engine engine = new Engine(b.settings(), StandIn.INSTANCE, List.of(), List.of(), TimeSource.system(),
                    new InFlightTracker(), new ReadinessGate(), new ProcessRelease(false), NOPLogger.NOP_LOGGER);
            return Optional.of(engine.start(ShutdownTrigger.PROGRAMMATIC, ShutdownPhase.REPORT, tasks).await());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A sidecar that answers from memory: terminating, drained and released on request, never a call. */
    enum StandIn implements Sidecar {
        INSTANCE;

        private static final SidecarFacts FACTS = new SidecarFacts(SidecarMode.ISTIO, Optional.of("rehearsal"),
                Optional.of(Duration.ofSeconds(5)), false, Optional.empty(), "rehearsal");

        @Override
        public SidecarState probe(Duration timeout) {
            return SidecarState.TERMINATING;
        }

        @Override
        public SidecarFacts facts(Duration timeout) {
            return FACTS;
        }

        @Override
        public boolean isReady(Duration timeout) {
            return true;
        }

        @Override
        public SidecarCallResult drainInbound(Duration timeout) {
            return SidecarCallResult.done("rehearsal");
        }

        @Override
        public SidecarCallResult release(Duration timeout) {
            return SidecarCallResult.done("rehearsal");
        }

        @Override
        public Optional<String> drainCall() {
            return Optional.of("rehearsal drain");
        }

        @Override
        public ReleaseDecision releaseDecision(SidecarState state) {
            return ReleaseDecision.release("rehearsal release");
        }

        @Override
        public String describe() {
            return "rehearsal stand-in";
        }
    }
}
