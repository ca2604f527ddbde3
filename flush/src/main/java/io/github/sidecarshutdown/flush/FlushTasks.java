package io.github.sidecarshutdown.flush;

import static java.util.Objects.requireNonNull;

import io.github.sidecarshutdown.ShutdownAction;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownTask;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** The one shape of every ready-made flush task: a guarded cleanup task, optionally with its own timeout. */
final class FlushTasks {

    /**
     * How much longer than its own budget a task's wait runs: the coordinator's timeout always fires
     * first, so a flush still running at its deadline is reported {@code timed_out}, not failed.
     */
    static final Duration PAST_THE_DEADLINE = Duration.ofMillis(500);

    private FlushTasks() {
    }

    static ShutdownTask cleanup(String name, @Nullable Duration timeout, ShutdownAction action) {
        ShutdownTask.Builder b = ShutdownTask.builder(name, action)
                .phase(ShutdownPhase.CLEANUP)
                .needsSidecar(true);
        if (timeout != null) {
            b.timeout(timeout);
        }
        return b.build();
    }

    static Duration timeout(Duration timeout) {
        return requireNonNull(timeout, "timeout");
    }
}
