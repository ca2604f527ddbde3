package io.github.sidecarshutdown.testkit.pod;

/**
 * The phase of a Job Pod at the end of a {@link JobRun}, as
 * Kubernetes reports it in {@code status.phase}.
 */
public enum PodPhase {
    /**
     * Not every container has exited: the Pod never completed within the observation bound. For
     * a Job this is the classic-sidecar hang: the app is done but the sidecar keeps the Pod
     * alive, the Job never finishes and its Pod is never cleaned up.
     */
    RUNNING,
    /** Every container exited, the application and a classic sidecar with code 0
     * (a native sidecar's code does not count). */
    SUCCEEDED,
    /** Every container exited, the application or a classic sidecar with a non-zero
     * code (a native sidecar's code does not count). */
    FAILED
}
