package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPhase;
import org.springframework.context.SmartLifecycle;

/**
 * One step of the coordinator's sequence hooked into Spring's lifecycle stop: asynchronous only
 * ({@link #stop()} is unsupported), not pauseable (pausing the context must not start an exit that
 * cannot be undone), and done once the coordinator has completed a given phase.
 */
abstract class ShutdownStepLifecycle implements SmartLifecycle {

    final ShutdownCoordinator coordinator;
    private final PhaseWatcher watcher;
    private final int phase;
    private volatile boolean running;

    ShutdownStepLifecycle(ShutdownCoordinator coordinator, int phase) {
        this.coordinator = coordinator;
        this.watcher = new PhaseWatcher(coordinator);
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

    /** Marks this lifecycle stopped and runs {@code callback} once {@code phase} is done (or the sequence ended). */
    void stopWhenDone(ShutdownPhase done, Runnable callback) {
        running = false;
        watcher.runWhenDone(coordinator, done, callback);
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
