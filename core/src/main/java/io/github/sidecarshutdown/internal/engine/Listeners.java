package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.PhaseResult;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownListener;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.TaskResult;
import io.github.sidecarshutdown.internal.Loggers;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.util.List;
import org.slf4j.Logger;

/**
 * Tells every listener of an event; one that throws is logged and the others still hear it. One
 * method per event rather than one taking a lambda: a JVM's first sequence runs cold, and each
 * lambda's first link costs it more than a loop (docs/timeline.md,
 * "Off the startup path").
 */
final class Listeners {

    /** Looked up at each use, not at class load: SLF4J then starts off the app's path to Ready (docs/timeline.md). */
    private static Logger logger() {
        return Loggers.of(ShutdownCoordinator.class);
    }

    private final List<ShutdownListener> listeners;

    /** @param listeners a live list: listeners added before the sequence starts are heard */
    Listeners(List<ShutdownListener> listeners) {
        this.listeners = listeners;
    }

    void shutdownStarted(ShutdownPlan plan) {
        for (ShutdownListener l : listeners) {
            try {
                l.onShutdownStarted(plan);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    void phaseStarted(ShutdownPhase phase) {
        for (ShutdownListener l : listeners) {
            try {
                l.onPhaseStarted(phase);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    void phaseCompleted(PhaseResult result) {
        for (ShutdownListener l : listeners) {
            try {
                l.onPhaseCompleted(result);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    void taskCompleted(TaskResult result) {
        for (ShutdownListener l : listeners) {
            try {
                l.onTaskCompleted(result);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    void sidecarState(SidecarState state) {
        for (ShutdownListener l : listeners) {
            try {
                l.onSidecarState(state);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    void shutdownCompleted(ShutdownReport report) {
        for (ShutdownListener l : listeners) {
            try {
                l.onShutdownCompleted(report);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    private static void failed(ShutdownListener l, RuntimeException e) {
        logger().warn("Shutdown listener {} failed", l, e);
    }
}
