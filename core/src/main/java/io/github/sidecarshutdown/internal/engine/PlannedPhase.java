package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.ShutdownPlan;
import java.util.List;

/**
 * What a phase object says it will do, for the plan: the same object then runs it.
 *
 * @param what  one line for the plan
 * @param calls the sidecar calls it makes, and in which states
 */
record PlannedPhase(String what, List<ShutdownPlan.SidecarCall> calls) {

    PlannedPhase {
        calls = List.copyOf(calls);
    }
}
