package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.ReadinessGate;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPhase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * The first step of the app's exit under Spring: starts the coordinator's sequence when the context
 * closes, before the web server drains. Readiness goes off at once (published as
 * {@link ReadinessState#REFUSING_TRAFFIC}, so Spring's readiness probe fails), the app keeps serving
 * for the propagation delay while early outbound tasks run, and only then is Spring told this
 * lifecycle stopped, which lets Spring's graceful shutdown drain the web server.
 *
 * <p>{@link #stop()} is unsupported: stopping is asynchronous, through {@link #stop(Runnable)}.
 * Not pauseable: pausing the context must not start an exit that cannot be undone.
 */
public final class SidecarShutdownLifecycle extends ShutdownStepLifecycle {

    /**
     * This lifecycle's phase: the web server's graceful shutdown phase + 512. Spring stops higher
     * phases first, so this stops before the web server's graceful shutdown (which refuses new
     * connections) and the readiness-off and propagation delay happen while the server still
     * accepts every request. Beans at {@link SmartLifecycle#DEFAULT_PHASE} (message listeners,
     * schedulers) still stop before it, as they would before the web server.
     *
     * @param gracefulShutdownPhase the phase of Spring Boot's graceful web server shutdown, from
     *     the Boot line's own constant (it moved between Boot 3.5 and 4)
     */
    public static int phaseFor(int gracefulShutdownPhase) {
        return gracefulShutdownPhase + 512;
    }

    private static final Logger logger = LoggerFactory.getLogger(SidecarShutdownLifecycle.class);


    /**
     * @param coordinator           the app's coordinator
     * @param publisher             where readiness changes are published (the application context)
     * @param gracefulShutdownPhase the phase of Spring Boot's graceful web server shutdown
     */
    public SidecarShutdownLifecycle(ShutdownCoordinator coordinator, ApplicationEventPublisher publisher, int gracefulShutdownPhase) {
        super(coordinator, phaseFor(gracefulShutdownPhase));
        coordinator.readiness().onChange(state -> {
            if (state == ReadinessGate.State.SHUTTING_DOWN) {
                // On the coordinator's thread, inside READINESS_OFF: the probe fails from now on.
                AvailabilityChangeEvent.publish(publisher, coordinator, ReadinessState.REFUSING_TRAFFIC);
            }
        });
    }

    /**
     * Starts the shutdown sequence and calls {@code callback} once its early outbound phase is done
     * (readiness off, propagation delay over), or the sequence ended, or its budget passed.
     */
    @Override
    public void stop(Runnable callback) {
        logger.info("Context closing: readiness off, then the propagation delay before the web server drains");
        stopWhenDone(ShutdownPhase.EARLY_OUTBOUND, callback);
    }
}
