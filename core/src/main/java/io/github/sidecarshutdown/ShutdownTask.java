package io.github.sidecarshutdown;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A named unit of work in the app's exit: a phase, a timeout, whether it needs the sidecar to
 * forward outbound traffic, and how often to retry a connection failure. Immutable.
 *
 * <pre>{@code
 * ShutdownTask.of("deregister", ctx -> registry.deregister(self))               // CLEANUP, needs the sidecar
 * ShutdownTask.builder("close-pool", ctx -> pool.close()).phase(ShutdownPhase.RELEASE).build()
 * }</pre>
 */
public final class ShutdownTask {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

    private final String name;
    private final ShutdownPhase phase;
    private final @Nullable Duration timeout;
    private final boolean needsSidecar;
    private final int retries;
    private final ShutdownAction action;

    private ShutdownTask(Builder b) {
        this.name = b.name;
        this.phase = b.phase;
        this.timeout = b.timeout;
        this.needsSidecar = b.needsSidecar != null ? b.needsSidecar : b.phase.needsSidecarByDefault();
        this.retries = b.retries;
        this.action = b.action;
    }

    /** A {@link ShutdownPhase#CLEANUP} task with the default timeout, guarded by the sidecar check. */
    public static ShutdownTask of(String name, ShutdownAction action) {
        return builder(name, action).build();
    }

    /** A builder; the phase defaults to {@link ShutdownPhase#CLEANUP}. */
    public static Builder builder(String name, ShutdownAction action) {
        return new Builder(name, action);
    }

    public String name() {
        return name;
    }

    public ShutdownPhase phase() {
        return phase;
    }

    /** The task's own timeout; empty means the coordinator's {@code task-timeout}. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** Whether the sidecar guard runs before each attempt. */
    public boolean needsSidecar() {
        return needsSidecar;
    }

    /** Retries after a connection failure ({@link java.io.IOException} in the cause chain). */
    public int retries() {
        return retries;
    }

    public ShutdownAction action() {
        return action;
    }

    @Override
    public String toString() {
        return "ShutdownTask{" + name + ", " + phase.tagValue() + (timeout == null ? "" : ", timeout=" + timeout)
                + (needsSidecar ? ", needs sidecar" : "") + (retries > 0 ? ", retries=" + retries : "") + "}";
    }

    /** Builds a {@link ShutdownTask}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final ShutdownAction action;
        private ShutdownPhase phase = ShutdownPhase.CLEANUP;
        private @Nullable Duration timeout;
        private @Nullable Boolean needsSidecar;
        private int retries;

        private Builder(String name, ShutdownAction action) {
            requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name: '" + name + "' (expected: 1-64 characters of letters, digits, "
                        + "'.', '_', ':' or '-', starting with a letter or digit; names are metric tags)");
            }
            this.name = name;
            this.action = requireNonNull(action, "action");
        }

        /** The phase; one of {@code EARLY_OUTBOUND}, {@code INBOUND_DRAIN}, {@code CLEANUP}, {@code RELEASE}. Default {@code CLEANUP}. */
        public Builder phase(ShutdownPhase phase) {
            requireNonNull(phase, "phase");
            if (!phase.acceptsTasks()) {
                throw new IllegalArgumentException("phase: " + phase
                        + " (expected: EARLY_OUTBOUND, INBOUND_DRAIN, CLEANUP or RELEASE)");
            }
            this.phase = phase;
            return this;
        }

        /** The task's timeout. Default: the coordinator's {@code task-timeout} (5 s). */
        public Builder timeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.getNano() % 1_000_000 != 0) {
                // Whole milliseconds: what a task hands to its own HTTP client must not become 0 ("none").
                throw new IllegalArgumentException("timeout: " + timeout + " (expected: whole milliseconds, at least 1 ms)");
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Whether the task makes outbound calls through the sidecar. Default: true for
         * {@code EARLY_OUTBOUND} and {@code CLEANUP}, false otherwise.
         */
        public Builder needsSidecar(boolean needsSidecar) {
            this.needsSidecar = needsSidecar;
            return this;
        }

        /** Retries after a connection failure, within the task's timeout. Default 0. */
        public Builder retries(int retries) {
            if (retries < 0 || retries > 10) {
                throw new IllegalArgumentException("retries: " + retries + " (expected: 0..10)");
            }
            this.retries = retries;
            return this;
        }

        public ShutdownTask build() {
            return new ShutdownTask(this);
        }
    }
}
