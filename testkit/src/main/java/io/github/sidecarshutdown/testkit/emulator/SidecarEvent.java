package io.github.sidecarshutdown.testkit.emulator;

import java.time.Instant;
import java.util.Objects;

/**
 * A state change of the emulated sidecar, in the order it happened.
 *
 * @param type what happened
 * @param at wall-clock time
 * @param nanoTime {@link System#nanoTime()} when it happened
 * @param detail free text for humans (empty when nothing to add)
 */
public record SidecarEvent(Type type, Instant at, long nanoTime, String detail) {

    /** The kinds of state change. */
    public enum Type {
        /** All sockets bound. */
        STARTED,
        /** The kubelet's SIGTERM reached pilot-agent ({@link SidecarEmulator#terminate()}). */
        SIGTERM_RECEIVED,
        /** pilot-agent was asked to quit through its own {@code /quitquitquit}. */
        AGENT_QUIT_REQUESTED,
        /** pilot-agent's status server stopped listening (15020 refuses from now on). */
        AGENT_STATUS_CLOSED,
        /** The native-sidecar preStop {@code /drain} ran ({@link SidecarEmulator#podDeletionStarted()}). */
        NATIVE_PRESTOP,
        /** Envoy started a drain (graceful {@code /drain_listeners}, or the Istio 1.1 hot-restart drain). */
        DRAIN_STARTED,
        /** Envoy stopped listeners (they refuse new connections). */
        LISTENERS_STOPPED,
        /** {@code /healthcheck/fail}. */
        HEALTHCHECK_FAILED,
        /** {@code /healthcheck/ok}. */
        HEALTHCHECK_OK,
        /** Envoy was SIGKILLed by pilot-agent: all its ports refuse, open connections were reset. */
        ENVOY_KILLED,
        /** Envoy exited on its own ({@code /quitquitquit} on the admin API). */
        ENVOY_EXITED,
        /** pilot-agent exited (exit code 0); the sidecar container is gone. */
        AGENT_EXITED,
        /** {@link SidecarEmulator#close()}. */
        CLOSED
    }

    /** Validates the components. */
    public SidecarEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(detail, "detail");
    }
}
