package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPhase;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The middle of the app's exit under Spring: once the web server has drained and stopped, lets the
 * coordinator enter {@link ShutdownPhase#INBOUND_DRAIN} (it asks the sidecar to drain inbound only
 * and waits for what is still in flight), then runs the cleanup and release tasks, and only then
 * tells Spring it stopped. So cleanup tasks run while every bean (HTTP clients, data sources) is
 * still alive: Spring destroys beans only after all lifecycles stopped.
 *
 * <p>{@link #stop()} is unsupported: stopping is asynchronous, through {@link #stop(Runnable)}.
 */
public final class SidecarCleanupLifecycle extends ShutdownStepLifecycle {

    /**
     * This lifecycle's phase: the web server's graceful shutdown phase - 1024 - 512. The web
     * server itself stops at the graceful shutdown phase - 1024 (Spring Boot's
     * {@code WebServerStartStopLifecycle}, for Tomcat, Jetty and Reactor Netty alike, in Boot 3.5
     * and 4), and Spring stops lower phases later, so this runs after inbound requests drained and
     * the server stopped, and before lifecycles of lower phases (connection pools, message
     * containers at phase 0).
     *
     * @param gracefulShutdownPhase the phase of Spring Boot's graceful web server shutdown
     */
    public static int phaseFor(int gracefulShutdownPhase) {
        return gracefulShutdownPhase - 1024 - 512;
    }

    private static final Logger logger = LoggerFactory.getLogger(SidecarCleanupLifecycle.class);

    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * @param coordinator           the app's coordinator
     * @param gracefulShutdownPhase the phase of Spring Boot's graceful web server shutdown
     */
    public SidecarCleanupLifecycle(ShutdownCoordinator coordinator, int gracefulShutdownPhase) {
        super(coordinator, phaseFor(gracefulShutdownPhase));
    }

    /**
     * Signals {@link ShutdownPhase#INBOUND_DRAIN} and calls {@code callback} once the
     * {@link ShutdownPhase#RELEASE} phase is done, or the sequence ended, or its budget passed.
     */
    @Override
    public void stop(Runnable callback) {
        // Joins the sequence SidecarShutdownLifecycle started (starts it if that one never ran).
        stopWhenDone(ShutdownPhase.RELEASE, callback);
        signal(coordinator, ShutdownPhase.INBOUND_DRAIN, warned);
    }

    /** Signals a phase, or warns once if the coordinator was built without waiting for it. */
    static void signal(ShutdownCoordinator coordinator, ShutdownPhase phase, AtomicBoolean warned) {
        try {
            coordinator.signal(phase);
        } catch (IllegalArgumentException e) {
            if (warned.compareAndSet(false, true)) {
                logger.warn("The ShutdownCoordinator bean was built without awaitSignalBefore(INBOUND_DRAIN, SIDECAR_RELEASE):"
                        + " its phases do not wait for Spring's web server drain and bean destruction ({})", e.getMessage());
            }
        }
    }
}
