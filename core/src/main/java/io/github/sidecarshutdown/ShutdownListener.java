package io.github.sidecarshutdown;

import io.github.sidecarshutdown.sidecar.SidecarState;

/**
 * Told about the progress of a shutdown; every method has a no-op default. Called on the
 * coordinator's thread: return quickly. An exception thrown here is logged and ignored.
 */
public interface ShutdownListener {

    /** The shutdown began with this plan. */
    default void onShutdownStarted(ShutdownPlan plan) {
    }

    /** A phase began. */
    default void onPhaseStarted(ShutdownPhase phase) {
    }

    /** A phase ended. */
    default void onPhaseCompleted(PhaseResult result) {
    }

    /** A task ended (exactly once per task). */
    default void onTaskCompleted(TaskResult result) {
    }

    /** A probe found the sidecar in this state. */
    default void onSidecarState(SidecarState state) {
    }

    /** The shutdown ended; the report is complete. */
    default void onShutdownCompleted(ShutdownReport report) {
    }
}
