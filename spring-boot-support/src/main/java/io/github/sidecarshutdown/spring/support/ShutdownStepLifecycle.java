package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPhase;
import org.springframework.context.SmartLifecycle;

/**
 * One slice of the coordinator's sequence run from Spring's lifecycle stop with
 * {@link ShutdownCoordinator#runThrough(ShutdownPhase)}: asynchronous only ({@link #stop()} is
 * unsupported), not pauseable (pausing the context must not start an exit that cannot be undone),
 * and done once the coordinator has completed the slice's last phase (or its deadline passed).
 */
abstract class ShutdownStepLifecycle implements SmartLifecycle {

    final ShutdownCoordinator coordinator;
    private final int phase;
    private volatile boolean running;

    ShutdownStepLifecycle(ShutdownCoordinator coordinator, int phase) {
        this.coordinator = coordinator;
        this.phase = phase;
    }

    @Override
    public void start() {
        running = true;
    }

    /** Unsupported: Spring calls {@link #stop(Runnable)}; stopping waits for the coordinator. */
    @Override
    public void stop() {
        throw new UnsupportedOperationException("Stop must not be invoked directly");
    }

    /**
     * Marks this lifecycle stopped, lets the sequence run through {@code done} and runs
     * {@code callback} once it did (or the sequence ended, or its deadline plus one second passed:
     * the core bounds the wait, so Spring is never held longer).
     */
    void stopWhenDone(ShutdownPhase done, Runnable callback) {
        running = false;
        coordinator.runThrough(done).whenComplete((ignored, failure) -> callback.run());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return phase;
    }

    /**
     * Never paused (Spring Framework 7 pauses lifecycles, e.g. of a cached test context, and
     * restarts them later): pausing must not start an exit that cannot be undone. No
     * {@code @Override}: compiled against Spring Framework 6.2 too, which has no such method.
     */
    public boolean isPauseable() {
        return false;
    }
}
