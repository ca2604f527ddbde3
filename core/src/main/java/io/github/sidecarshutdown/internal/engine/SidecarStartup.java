package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.ReadinessGate;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.SidecarNotReadyException;
import io.github.sidecarshutdown.SidecarReadiness;
import io.github.sidecarshutdown.StartupPolicy;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.Loggers;
import io.github.sidecarshutdown.internal.StartupLog;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.Meshes;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * The startup wait (docs/sidecar-states.md, "At startup"): polls the sidecar's readiness every few
 * milliseconds (so the app is released within a few ms of the sidecar being ready), each call capped
 * at what is left of the wait, then marks the app's readiness gate ready. In every mode, with
 * {@code startup-policy: optional}, a sidecar that is absent (nothing answers, and the Pod's
 * annotations show none injected) means no sidecar: the app goes on at once; a sidecar that is
 * starting (it answers but is not ready, or its injector marked the Pod) is waited for up to the
 * wait, after which the app goes on (optional) or fails ({@code required}).
 */
final class SidecarStartup {

    /** Looked up at each use, not at class load: SLF4J then starts off the app's path to Ready (docs/timeline.md). */
    private static Logger logger() {
        return Loggers.of(ShutdownCoordinator.class);
    }

    private final ShutdownSettings settings;
    private final Sidecar sidecar;
    private final ReadinessGate readiness;
    private final TimeSource time;
    private final Engine owner;
    private final StartupLog startupLog;

    /**
     * The startup wait of {@code owner}'s coordinator: its settings, sidecar, readiness gate and
     * clock; the informational lines go to its startup log (held until SLF4J may start:
     * docs/timeline.md); a sequence it starts ends the wait.
     */
    SidecarStartup(Engine owner) {
        this.owner = owner;
        this.settings = owner.settings();
        this.sidecar = owner.sidecar();
        this.readiness = owner.readiness();
        this.time = owner.time();
        this.startupLog = owner.startupLog();
    }

    SidecarReadiness await(Duration timeout) throws InterruptedException {
        if (!settings.enabled() || settings.sidecarMode().equals(SidecarMode.NONE)) {
            readiness.markReady();
            return SidecarReadiness.NO_SIDECAR;
        }
        Deadline deadline = Deadline.after(time, timeout);
        long start = time.nanoTime();
        Duration interval = Duration.ofMillis(2);
        boolean optional = settings.startupPolicy() == StartupPolicy.OPTIONAL;
        SidecarState last = SidecarState.UNKNOWN;
        while (true) {
            if (owner.hasStarted()) {
                return SidecarReadiness.SHUTTING_DOWN;
            }
            if (sidecar.isReady(deadline.cap(settings.adminTimeout()))) {
                readiness.markReady();
                startupLog.info(ShutdownCoordinator.class, "Sidecar ready after {} ({})", Durations.format(Duration.ofNanos(time.nanoTime() - start)),
                        sidecar.describe());
                return SidecarReadiness.READY;
            }
            last = sidecar.probe(deadline.cap(settings.adminTimeout()));
            if (last == SidecarState.ABSENT && optional) {
                readiness.markReady();
                // Said so that it stays true without an annotations file (none were read) and beside a
                // configured mesh's plan: the end of the Pod's life asks the sidecar again.
                startupLog.info(ShutdownCoordinator.class, "No sidecar answers ({}) and no Pod annotation says one was injected: "
                        + "going on without waiting for one; at shutdown the sidecar is asked again",
                        sidecar.describe());
                return SidecarReadiness.NO_SIDECAR;
            }
            if (deadline.isExpired()) {
                return timedOut(timeout, last);
            }
            time.sleep(deadline.cap(interval));
            interval = Durations.min(interval.multipliedBy(2), Duration.ofMillis(20));
        }
    }

    /** The URL settings of the sidecar's mesh, as the user names them ({@code SIDECAR_SHUTDOWN_ADMIN_URL or ...}). */
    private String urlSettings() {
        // Facts asked with no time: the configured or annotated mode, without a call.
        return Meshes.forMode(sidecar.facts(Duration.ZERO).mode())
                .map(m -> m.settings().stream().filter(s -> s.kind() == Setting.Kind.URL).map(settings::nameOf)
                        .collect(Collectors.joining(" or ")))
                .orElse("");
    }

    private SidecarReadiness timedOut(Duration timeout, SidecarState last) {
        boolean required = settings.startupPolicy() == StartupPolicy.REQUIRED;
        String urls = urlSettings();
        String message = "The sidecar was not ready within " + Durations.format(timeout) + " (" + sidecar.describe()
                + (last == SidecarState.UNKNOWN ? "" : ", last state " + last.name().toLowerCase(Locale.ROOT))
                + "). " + ((last == SidecarState.STARTING || last == SidecarState.UNKNOWN) && !urls.isEmpty()
                        ? "If it listens elsewhere (a moved admin port, a Unix socket), set " + urls + "; otherwise raise "
                        : "Raise ")
                + settings.nameOf(Setting.STARTUP_WAIT) + (required ? ", or set " + settings.nameOf(Setting.STARTUP_POLICY)
                        + "=optional to start without it." : ".");
        if (required) {
            throw new SidecarNotReadyException(message);
        }
        logger().warn("{} Going on (startup-policy optional).", message);
        readiness.markReady();
        return SidecarReadiness.TIMED_OUT;
    }
}
