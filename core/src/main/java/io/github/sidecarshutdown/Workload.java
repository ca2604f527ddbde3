package io.github.sidecarshutdown;

/**
 * What the Pod runs, which decides what the JVM's exit means (setting {@code workload}:
 * {@code auto|service|job}).
 *
 * <p>A <em>service</em> (Deployment, StatefulSet, ...) exits because its Pod is being deleted; the
 * sidecar is released only once it is seen terminating. A <em>job</em> (a Job's or CronJob's Pod)
 * exits because its work is done: the JVM's exit is the Pod's end, so a classic sidecar, still live,
 * is released after the cleanup tasks, or the Job never completes (docs/sidecar-states.md, "Jobs").
 */
public enum Workload {
    /**
     * Decided from the Pod's labels (downward API, setting {@code labels-file}): a label
     * {@code batch.kubernetes.io/job-name} or {@code job-name}, which the Job controller puts on
     * every Pod it creates, makes it {@link #JOB}; anything else, a missing or malformed file
     * included, {@link #SERVICE}.
     */
    AUTO,
    /** A long-running service: the sidecar is released only when seen terminating. */
    SERVICE,
    /**
     * A batch Pod: the app's exit is the Pod's end; a live classic, Linkerd, Dapr, Consul or Kuma sidecar is
     * released after the cleanup tasks, and the propagation delay defaults to 0 (a Job's Pod is
     * behind no Service).
     */
    JOB
}
