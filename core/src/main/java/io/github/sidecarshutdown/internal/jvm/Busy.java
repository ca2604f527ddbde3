package io.github.sidecarshutdown.internal.jvm;

import io.github.sidecarshutdown.ReleaseWait;
import io.github.sidecarshutdown.internal.LogSafe;
import org.jspecify.annotations.Nullable;

/**
 * One thing that may still send through the sidecar, as one poll of the release's watch saw it.
 *
 * @param kind   what it is
 * @param name   which one, as the report names it
 * @param thread the hook thread, when it is one (the watch waits by joining it)
 * @param how    how it was recognised, for the log
 */
public record Busy(ReleaseWait.Kind kind, String name, @Nullable Thread thread, String how) {

    static Busy hook(Thread t, String how) {
        return new Busy(ReleaseWait.Kind.SHUTDOWN_HOOK, "'" + LogSafe.of(t.getName()) + "'", t, how);
    }

    /** A thread that started with the hooks and is not idle: one of them, or one a hook started. */
    static Busy startedWithHooks(Thread t) {
        return new Busy(ReleaseWait.Kind.SHUTDOWN_HOOK, "'" + t.getName() + "' (started with the hooks)", t, "started with the shutdown hooks");
    }

    /** A thread started after the hooks, while they run, and not idle: work a hook (or the app) started during the shutdown. */
    static Busy startedSinceHooks(Thread t) {
        return new Busy(ReleaseWait.Kind.SHUTDOWN_HOOK, "'" + t.getName() + "' (started during the shutdown)", t,
                "started since the shutdown hooks");
    }

    /** Identity across polls. */
    String key() {
        return kind + " " + name + (thread == null ? "" : "@" + System.identityHashCode(thread));
    }
}
