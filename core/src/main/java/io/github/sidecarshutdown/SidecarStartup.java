package io.github.sidecarshutdown;

import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The startup wait: polls the sidecar's readiness every few milliseconds (so the app is released
 * within a few ms of the sidecar being ready), each call capped at what is left of the wait, then
 * marks the app's readiness gate ready.
 */
final class SidecarStartup {

    private static final Logger logger = LoggerFactory.getLogger(ShutdownCoordinator.class);

    private final ShutdownSettings settings;
    private final Sidecar sidecar;
    private final ReadinessGate readiness;
    private final TimeSource time;
    private final BooleanSupplier shuttingDown;

    SidecarStartup(ShutdownSettings settings, Sidecar sidecar, ReadinessGate readiness, TimeSource time,
            BooleanSupplier shuttingDown) {
        this.settings = settings;
        this.sidecar = sidecar;
        this.readiness = readiness;
        this.time = time;
        this.shuttingDown = shuttingDown;
    }

    SidecarReadiness await(Duration timeout) throws InterruptedException {
        if (!settings.enabled() || settings.sidecarMode() == SidecarMode.NONE) {
            readiness.markReady();
            return SidecarReadiness.NO_SIDECAR;
        }
        Deadline deadline = Deadline.after(time, timeout);
        long start = time.nanoTime();
        Duration interval = Duration.ofMillis(2);
        boolean mayBeAbsent = settings.sidecarMode() == SidecarMode.AUTO && settings.startupPolicy() == StartupPolicy.OPTIONAL;
        SidecarState last = SidecarState.UNKNOWN;
        while (true) {
            if (shuttingDown.getAsBoolean()) {
                return SidecarReadiness.SHUTTING_DOWN;
            }
            if (sidecar.isReady(deadline.cap(settings.adminTimeout()))) {
                readiness.markReady();
                logger.info("Sidecar ready after {} ({})", Durations.format(Duration.ofNanos(time.nanoTime() - start)),
                        sidecar.describe());
                return SidecarReadiness.READY;
            }
            if (mayBeAbsent) {
                last = sidecar.probe(deadline.cap(settings.adminTimeout()));
                if (last == SidecarState.ABSENT) {
                    readiness.markReady();
                    logger.info("No sidecar answers ({}); going on without one", sidecar.describe());
                    return SidecarReadiness.NO_SIDECAR;
                }
            }
            if (deadline.isExpired()) {
                return timedOut(timeout, last);
            }
            time.sleep(deadline.cap(interval));
            interval = Durations.min(interval.multipliedBy(2), Duration.ofMillis(20));
        }
    }

    private SidecarReadiness timedOut(Duration timeout, SidecarState last) {
        String message = "The sidecar was not ready within " + Durations.format(timeout) + " (" + sidecar.describe()
                + (last == SidecarState.UNKNOWN ? "" : ", last state " + last.name().toLowerCase(Locale.ROOT))
                + "). Raise " + Setting.STARTUP_WAIT.envName() + ", or set "
                + Setting.STARTUP_POLICY.envName() + "=optional to start without it.";
        if (settings.startupPolicy() == StartupPolicy.REQUIRED) {
            throw new SidecarNotReadyException(message);
        }
        logger.warn("{} Going on (startup-policy optional).", message);
        readiness.markReady();
        return SidecarReadiness.TIMED_OUT;
    }
}
