package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.PhaseResult;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownListener;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownReport;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the coordinator's phase events into futures a lifecycle can wait on, and finishes a
 * Spring stop callback once a phase is done, the whole sequence ended (a disabled or failed
 * sequence reports its skipped phases without events), or a bound passed, whichever comes first.
 */
final class PhaseWatcher implements ShutdownListener {

    private static final Logger logger = LoggerFactory.getLogger(PhaseWatcher.class);

    /** Added to the sequence's own budget before a Spring callback is released regardless. */
    static final Duration OVERRUN = Duration.ofSeconds(2);

    private final Map<ShutdownPhase, CompletableFuture<Void>> completed = new EnumMap<>(ShutdownPhase.class);

    PhaseWatcher(ShutdownCoordinator coordinator) {
        for (ShutdownPhase p : ShutdownPhase.values()) {
            completed.put(p, new CompletableFuture<>());
        }
        coordinator.addListener(this);
    }

    @Override
    public void onPhaseCompleted(PhaseResult result) {
        completed.get(result.phase()).complete(null);
    }

    @Override
    public void onShutdownCompleted(ShutdownReport report) {
        completed.values().forEach(f -> f.complete(null));
    }

    /**
     * Runs {@code callback} once {@code phase} completed or the sequence ended, at the latest after
     * the coordinator's budget plus {@link #OVERRUN}, so Spring is never held longer than that.
     */
    void runWhenDone(ShutdownCoordinator coordinator, ShutdownPhase phase, Runnable callback) {
        CompletableFuture<ShutdownReport> run = coordinator.shutdownAsync();
        long boundMillis = coordinator.settings().budget().plus(OVERRUN).toMillis();
        CompletableFuture.anyOf(completed.get(phase), run)
                .orTimeout(boundMillis, TimeUnit.MILLISECONDS)
                .whenComplete((r, t) -> {
                    if (t != null) {
                        logger.warn("Phase {} not done within {} ms; letting Spring go on", phase.tagValue(), boundMillis);
                    }
                    callback.run();
                });
    }
}
