package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One event of a Pod's life, timed relative to the Pod's deletion (negative before it), or, in a
 * {@link JobRun}, relative to the start of the observation.
 *
 * @param sinceDeletion time since {@link PodTermination#deletedAt()}, negative for events
 *     before the deletion
 * @param source the container name, or {@code "pod"} / {@code "load"} for Pod-level events
 * @param kind what happened
 * @param detail details: the output line for {@link Kind#OUTPUT}, the exit code for
 *     {@link Kind#EXITED}, etc.; may be empty
 */
public record TimelineEvent(Duration sinceDeletion, String source, Kind kind, String detail) {

    /** The {@link #source()} of Pod-level events. */
    public static final String POD = "pod";

    /** The {@link #source()} of inbound-load events. */
    public static final String LOAD = "load";

    /**
     * Validates the components.
     */
    public TimelineEvent {
        requireNonNull(sinceDeletion, "sinceDeletion");
        requireNonNull(source, "source");
        requireNonNull(kind, "kind");
        requireNonNull(detail, "detail");
    }

    /**
     * Returns {@link #sinceDeletion()} in whole milliseconds.
     *
     * @return milliseconds since the deletion, negative before it
     */
    public long ms() {
        return sinceDeletion.toMillis();
    }

    /**
     * What a {@link TimelineEvent} records.
     */
    public enum Kind {
        /** The container's process was started. */
        STARTED,
        /** The container printed its ready line (or started, without a ready pattern). */
        READY,
        /** Inbound load started. */
        LOAD_STARTED,
        /**
         * The Pod was deleted: time zero of a {@link PodTermination}; in a {@link JobRun}, the Job
         * controller deleting the Pod of a Job that reached its {@code backoffLimit}.
         */
        DELETED,
        /** The native sidecar's preStop was emulated (the preStop file was created). */
        PRESTOP,
        /**
         * The mesh's control plane asked the sidecar's Envoy to quit ({@code POST /quitquitquit}) because
         * the Job's application container has terminated; detail: the answer or the error.
         */
        CONTROL_PLANE_QUIT,
        /** SIGTERM was sent to the container's process. */
        SIGTERM,
        /** A standard-output or standard-error line carrying one of the marker prefixes. */
        OUTPUT,
        /** SIGKILL was sent because the grace period ran out. */
        SIGKILL,
        /** The container's process exited. */
        EXITED,
        /**
         * The kubelet will start the container again in the same Pod (its restart policy says so after
         * this exit code), once the back-off is over; detail: the exit code, the restart number and the
         * back-off. The new run then shows as {@link #STARTED} with {@code restart n}.
         */
        RESTARTING,
        /**
         * The container failed once more after its last allowed restart (a Job's {@code backoffLimit}):
         * it is not restarted, the Job has failed.
         */
        BACKOFF_LIMIT,
        /** Inbound load stopped. */
        LOAD_STOPPED,
        /**
         * A Job Pod ({@link PodSimulator#awaitJobCompletion(java.time.Duration)}) started being
         * observed: time zero of a {@link JobRun}.
         */
        OBSERVED,
        /** A Job Pod completed: every container that counts had exited; detail: the phase. */
        COMPLETED,
        /** A Job Pod was still running when the observation bound ran out. */
        NOT_COMPLETED
    }
}
