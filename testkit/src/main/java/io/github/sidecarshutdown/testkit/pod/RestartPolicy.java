package io.github.sidecarshutdown.testkit.pod;

/**
 * The Pod's {@code restartPolicy}, as the kubelet applies it to the Pod's regular containers (the
 * application and a classic sidecar): whether a container that exited is started again in the same
 * Pod, after a back-off. A native sidecar has its own policy in Kubernetes and is not restarted by
 * the simulator; the ambient stand-in is no container.
 *
 * <p>A restart in place keeps the Pod, its network namespace and its other containers as they are:
 * a classic sidecar that exited 0 (released with {@code quitquitquit}) is not started again under
 * {@link #ON_FAILURE}, so the restarted application finds nobody listening on the sidecar's ports.
 */
public enum RestartPolicy {
    /** Every exit is followed by a restart (Deployments; not allowed for Jobs). */
    ALWAYS,
    /** A non-zero exit is followed by a restart; exit code 0 ends the container for good. */
    ON_FAILURE,
    /** No restart: a container that exited stays exited. */
    NEVER;

    /**
     * Returns whether the kubelet starts a container again after this exit code.
     *
     * @param exitCode the exit code of the run that just ended
     * @return {@code true} if the container is restarted in place
     */
    public boolean restartsAfter(int exitCode) {
        return this == ALWAYS || (this == ON_FAILURE && exitCode != 0);
    }

    /**
     * Returns the value as a Pod manifest spells it.
     *
     * @return {@code Always}, {@code OnFailure} or {@code Never}
     */
    public String manifestValue() {
        switch (this) {
            case ALWAYS: return "Always";
            case ON_FAILURE: return "OnFailure";
            default: return "Never";
        }
    }
}
