package io.github.sidecarshutdown;

import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;

/** What a running task may know about its own budget. */
public interface TaskContext {

    /** The task's name. */
    String taskName();

    /** The phase it runs in. */
    ShutdownPhase phase();

    /** Time left before the task is abandoned; use it to bound the task's own waits and calls. */
    Duration remaining();

    /** 1 for the first attempt, 2 for the first retry, ... */
    int attempt();

    /** The sidecar's state as last probed before this attempt. */
    SidecarState sidecarState();
}
