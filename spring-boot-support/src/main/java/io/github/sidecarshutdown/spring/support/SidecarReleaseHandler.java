package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownReport;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.SpringApplication;

/**
 * The last step of the app's exit under Spring: lets the coordinator release the sidecar
 * ({@link ShutdownPhase#SIDECAR_RELEASE}) only once the application context is closed, every bean
 * destroyed, and waits (bounded by the coordinator's deadline plus one second) for the report.
 *
 * <p>Two ways in, one used per exit:
 * <ul>
 *   <li><b>SIGTERM</b>: this is a {@link SpringApplication#getShutdownHandlers() shutdown handler}.
 *       Spring Boot's one JVM hook closes every context first and runs the handlers afterwards, in
 *       reverse order of registration, so this runs after the context closed and before the
 *       handler that stops the logging system (registered earlier), and the report still gets
 *       logged.</li>
 *   <li><b>{@code context.close()} without the JVM exiting</b> (tests, the actuator shutdown
 *       endpoint, {@code spring.main.register-shutdown-hook=false}): the handlers would only run at
 *       JVM exit, if at all. So this is also a {@link DisposableBean}, registered before any
 *       application bean exists (by {@code ReleaseOrderingPostProcessor}); Spring destroys
 *       disposable beans in reverse order of registration, so it is destroyed after all others.
 *       It then removes itself from the shutdown handlers; that removal is refused while Spring's
 *       hook runs, which is how it tells the two cases apart: refused means the handler will run
 *       after the close, so nothing happens here.</li>
 * </ul>
 */
public final class SidecarReleaseHandler implements Runnable, DisposableBean {

    private static final Logger logger = LoggerFactory.getLogger(SidecarReleaseHandler.class);

    private final AtomicBoolean released = new AtomicBoolean();
    private volatile @Nullable ShutdownCoordinator coordinator;
    private volatile boolean handlerRegistered;

    SidecarReleaseHandler() {
    }

    /** Binds the coordinator and adds this as a Spring Boot shutdown handler. */
    void attach(ShutdownCoordinator coordinator) {
        this.coordinator = coordinator;
        try {
            SpringApplication.getShutdownHandlers().add(this);
            handlerRegistered = true;
        } catch (IllegalStateException e) {
            // Shutdown already in progress: the bean-destruction path will release.
            logger.debug("Not registered as a shutdown handler: {}", e.getMessage());
        }
    }

    /** Spring Boot's shutdown handler: the context is closed; release the sidecar and wait for the report. */
    @Override
    public void run() {
        release("after the application context closed");
    }

    /** Destroyed after every other bean: release now unless Spring's JVM hook will run {@link #run()}. */
    @Override
    public void destroy() {
        if (handlerRegistered) {
            try {
                SpringApplication.getShutdownHandlers().remove(this);
                handlerRegistered = false;
            } catch (IllegalStateException hookRunning) {
                return; // run() follows once the context is closed
            }
        }
        release("after every bean was destroyed (context closed without JVM shutdown)");
    }

    private void release(String when) {
        ShutdownCoordinator c = coordinator;
        if (c == null || !released.compareAndSet(false, true)) {
            return;
        }
        ShutdownCoordinator.State state = c.state();
        if (state != ShutdownCoordinator.State.STOPPING && state != ShutdownCoordinator.State.TERMINATED) {
            return; // no shutdown ran (the context failed to start): nothing to release
        }
        logger.debug("Signalling sidecar release {}", when);
        // Runs the sequence's last slice (the sidecar release, the report); bounded by its deadline
        // plus one second (core contract).
        ShutdownReport report = c.shutdown();
        if (!report.complete()) {
            logger.warn("Returning before the shutdown sequence ended: {}", report.summaryLine());
        }
    }
}
