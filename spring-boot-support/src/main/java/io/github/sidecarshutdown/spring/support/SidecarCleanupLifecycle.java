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


    /**
     * @param coordinator           the app's coordinator
     * @param gracefulShutdownPhase the phase of Spring Boot's graceful web server shutdown
     */
    public SidecarCleanupLifecycle(ShutdownCoordinator coordinator, int gracefulShutdownPhase) {
        super(coordinator, phaseFor(gracefulShutdownPhase));
    }

    /**
     * Runs the sequence through {@link ShutdownPhase#RELEASE} (inbound drain, cleanup, release
     * tasks) and calls {@code callback} once that is done, or the sequence ended, or its budget passed.
     */
    @Override
    public void stop(Runnable callback) {
        // Runs the next slice of the sequence SidecarShutdownLifecycle started (starts it if that one never ran).
        stopWhenDone(ShutdownPhase.RELEASE, callback);
    }
}
