package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * One thing the sidecar release waited for before it told the sidecar to exit: something else in
 * the JVM that could still send through the sidecar (docs/whole-jvm.md).
 *
 * @param kind   what it was
 * @param name   which one: a hook thread's name, an upstream cluster and host, a coordinator, a count
 * @param waited how long the release waited for it
 * @param cutOff whether it was still running when the deadline ended the wait (the release went
 *               ahead; the phase is then timed out and the report degraded)
 */
public record ReleaseWait(Kind kind, String name, Duration waited, boolean cutOff) {

    /** What the release waits for. */
    public enum Kind {
        /** Another coordinator of this JVM whose outbound work was not done. */
        COORDINATOR,
        /** Another JVM shutdown hook thread, still running. */
        SHUTDOWN_HOOK,
        /** The app's inbound requests in flight (its in-flight trackers). */
        INBOUND_REQUESTS,
        /** Outbound requests in flight through the sidecar, by the sidecar's own count. */
        OUTBOUND_REQUESTS;

        /** Lowercase, for logs and JSON: {@code shutdown_hook}. */
        public String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ReleaseWait {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(waited, "waited");
    }

    /** {@code shutdown hook 'otel-flush' 1.2s}, or {@code ... still running after 26s} when cut off. */
    public String summary() {
        return kind.tagValue().replace('_', ' ') + " " + name + (cutOff ? " still running after " : " ") + Durations.format(waited);
    }
}
