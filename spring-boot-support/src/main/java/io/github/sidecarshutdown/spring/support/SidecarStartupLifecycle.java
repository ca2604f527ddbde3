package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.SidecarNotReadyException;
import io.github.sidecarshutdown.SidecarReadiness;
import io.github.sidecarshutdown.StartupPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps the app's readiness off until the sidecar can carry traffic: a Pod must never take traffic
 * before Envoy can carry it. The wait for the sidecar ({@code awaitSidecarReady}, bounded by
 * {@code sidecar.shutdown.startup-wait}) starts on a daemon thread as the first lifecycle of the
 * context, so it overlaps the rest of startup. Spring Boot publishes
 * {@code ReadinessState.ACCEPTING_TRAFFIC} right after {@link ApplicationReadyEvent}; this listener
 * holds that event until the wait is over, so readiness only turns on once the sidecar is ready (in
 * practice the wait is over by then and nothing is held). With {@code startup-policy=required} a
 * sidecar that never gets ready fails startup with {@link SidecarNotReadyException}.
 *
 * <p>Once the sidecar answered, logs the shutdown plan, with a warning and its fix for everything
 * that cannot fit the grace period or {@code spring.lifecycle.timeout-per-shutdown-phase}.
 */
public final class SidecarStartupLifecycle implements SmartLifecycle, ApplicationListener<ApplicationReadyEvent> {

    /**
     * {@code Integer.MIN_VALUE}: started before every other lifecycle (the web server starts at
     * the graceful shutdown phase - 1024), so the wait for the
     * sidecar overlaps the rest of startup; stopped last, by which time only an unfinished wait is
     * left to interrupt.
     */
    public static final int PHASE = Integer.MIN_VALUE;

    private static final Logger logger = LoggerFactory.getLogger(SidecarStartupLifecycle.class);

    private final ShutdownCoordinator coordinator;
    private final Duration timeoutPerShutdownPhase;
    private final CompletableFuture<SidecarReadiness> ready = new CompletableFuture<>();
    private volatile @Nullable Thread waiter;
    private volatile boolean running;

    /**
     * @param coordinator             the app's coordinator
     * @param timeoutPerShutdownPhase Spring's {@code spring.lifecycle.timeout-per-shutdown-phase}
     */
    public SidecarStartupLifecycle(ShutdownCoordinator coordinator, Duration timeoutPerShutdownPhase) {
        this.coordinator = coordinator;
        this.timeoutPerShutdownPhase = timeoutPerShutdownPhase;
    }

    @Override
    public void start() {
        if (running) {
            return;
        }
        running = true;
        Thread t = new Thread(this::awaitSidecar, "sidecar-shutdown-startup");
        t.setDaemon(true); // never keeps the JVM alive
        waiter = t;
        t.start();
    }

    private void awaitSidecar() {
        try {
            SidecarReadiness r = coordinator.awaitSidecarReady();
            logPlan();
            ready.complete(r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ready.complete(SidecarReadiness.SHUTTING_DOWN);
        } catch (Throwable t) {
            ready.completeExceptionally(t);
        }
    }

    private void logPlan() {
        if (!coordinator.settings().enabled()) {
            return;
        }
        ShutdownPlan plan = coordinator.plan();
        List<String> spring = springWarnings(plan, timeoutPerShutdownPhase);
        // The plan is information; what does not fit is a warning, one line each, so that a log
        // search for WARN finds the fix and not a whole multi-line table every start.
        logger.info("{}", plan.render());
        plan.warnings().forEach(w -> logger.warn("Shutdown plan: {}", w));
        spring.forEach(w -> logger.warn("Shutdown plan: {}", w));
    }

    /**
     * What cannot fit Spring's shutdown: each of the two lifecycle phases must end within
     * {@code spring.lifecycle.timeout-per-shutdown-phase} (or Spring moves on without it), and
     * Spring's graceful web server drain, bounded by the same timeout, comes on top of the
     * propagation delay within the grace period.
     */
    static List<String> springWarnings(ShutdownPlan plan, Duration timeoutPerShutdownPhase) {
        List<String> warnings = new ArrayList<>();
        String timeout = "spring.lifecycle.timeout-per-shutdown-phase=" + seconds(timeoutPerShutdownPhase);
        Duration first = max(end(plan, ShutdownPhase.PROPAGATION_DELAY), end(plan, ShutdownPhase.EARLY_OUTBOUND));
        if (first.compareTo(timeoutPerShutdownPhase) > 0) {
            warnings.add("Readiness-off, propagation delay and early outbound tasks may take " + seconds(first) + ", longer than "
                    + timeout + ": Spring would start draining the web server before the delay ends. Fix: set "
                    + "spring.lifecycle.timeout-per-shutdown-phase=" + (ceilSeconds(first) + 1) + "s or shorten "
                    + "sidecar.shutdown.propagation-delay");
        }
        Duration cleanup = end(plan, ShutdownPhase.RELEASE).minus(start(plan, ShutdownPhase.INBOUND_DRAIN));
        if (cleanup.compareTo(timeoutPerShutdownPhase) > 0) {
            warnings.add("Inbound drain, cleanup and release tasks may take " + seconds(cleanup) + ", longer than " + timeout
                    + ": Spring would destroy beans while tasks still use them. Fix: set "
                    + "spring.lifecycle.timeout-per-shutdown-phase=" + (ceilSeconds(cleanup) + 1) + "s or shorten task timeouts "
                    + "(sidecar.shutdown.task-timeout, sidecar.shutdown.cleanup-budget)");
        }
        Duration webDrainEnd = first.plus(timeoutPerShutdownPhase);
        if (webDrainEnd.compareTo(plan.budget()) > 0) {
            warnings.add("Spring's graceful shutdown may wait up to " + timeout + " for in-flight requests after the propagation "
                    + "delay, until " + seconds(webDrainEnd) + " after SIGTERM, but the budget (grace-period minus safety-margin) "
                    + "is " + seconds(plan.budget()) + ": a hanging request would leave no time for cleanup. Fix: set "
                    + "spring.lifecycle.timeout-per-shutdown-phase below " + seconds(plan.budget().minus(first))
                    + " or raise terminationGracePeriodSeconds (and sidecar.shutdown.grace-period)");
        }
        return warnings;
    }

    private static Optional<ShutdownPlan.Step> step(ShutdownPlan plan, ShutdownPhase phase) {
        return plan.steps().stream().filter(s -> s.phase() == phase).findFirst();
    }

    private static Duration end(ShutdownPlan plan, ShutdownPhase phase) {
        return step(plan, phase).map(ShutdownPlan.Step::end).orElse(Duration.ZERO);
    }

    private static Duration start(ShutdownPlan plan, ShutdownPhase phase) {
        return step(plan, phase).map(ShutdownPlan.Step::start).orElse(Duration.ZERO);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static long ceilSeconds(Duration d) {
        return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /**
     * Holds Spring Boot's readiness until the sidecar is ready, bounded by {@code startup-wait}
     * plus two admin timeouts.
     *
     * @throws SidecarNotReadyException with {@code startup-policy=required}, when the sidecar did
     *     not get ready in time (startup fails)
     */
    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        if (!running || ready.isDone() && !ready.isCompletedExceptionally()) {
            return;
        }
        Duration bound = coordinator.settings().startupWait().plus(coordinator.settings().adminTimeout().multipliedBy(2));
        logger.info("Readiness held until the sidecar is ready (at most {}: {}={}, plus two admin calls)",
                io.github.sidecarshutdown.internal.Durations.format(bound),
                coordinator.settings().nameOf(io.github.sidecarshutdown.config.Setting.STARTUP_WAIT),
                io.github.sidecarshutdown.internal.Durations.format(coordinator.settings().startupWait()));
        try {
            SidecarReadiness r = ready.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            logger.info("Sidecar wait over ({}): readiness may turn on", r.name().toLowerCase(Locale.ROOT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SidecarNotReadyException notReady) {
                throw notReady;
            }
            logger.warn("Waiting for the sidecar failed; readiness turns on anyway", e.getCause());
        } catch (TimeoutException e) {
            String message = "The sidecar was not ready within " + io.github.sidecarshutdown.internal.Durations.format(bound);
            String policy = coordinator.settings().nameOf(io.github.sidecarshutdown.config.Setting.STARTUP_POLICY);
            if (coordinator.settings().startupPolicy() == StartupPolicy.REQUIRED) {
                throw new SidecarNotReadyException(message + " (" + policy + "=required)");
            }
            logger.warn("{}; readiness turns on anyway ({}=optional)", message, policy);
        }
    }

    /** What the startup wait found, once it is over. */
    public CompletableFuture<SidecarReadiness> sidecarReadiness() {
        return ready.copy();
    }

    @Override
    public void stop() {
        running = false;
        Thread t = waiter;
        if (t != null && t.isAlive()) {
            t.interrupt(); // the context closes during startup: stop polling the sidecar
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * Never paused by Spring Framework 7's context pausing: a restart would start a second wait.
     * No {@code @Override}: compiled against Spring Framework 6.2 too, which has no such method.
     */
    public boolean isPauseable() {
        return false;
    }
}
