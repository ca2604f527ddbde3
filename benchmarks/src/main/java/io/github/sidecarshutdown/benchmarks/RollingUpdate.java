package io.github.sidecarshutdown.benchmarks;

/**
 * A Deployment's {@code RollingUpdate} strategy and the two numbers its controller computes at every
 * sync: how many new Pods it may create and how many old Pods it may delete.
 *
 * <p>Kubernetes' defaults are {@code maxSurge: 25%} and {@code maxUnavailable: 25%}, the surge rounded
 * up and the unavailable rounded down (N=5: surge 2, unavailable 1; N=10: surge 3, unavailable 2).
 * Scale-up keeps every Pod the ReplicaSets own at most {@code replicas + maxSurge}; scale-down keeps the
 * available Pods (old ones not deleted, new ones Ready) at least {@code replicas - maxUnavailable}. A
 * deleted Pod leaves its ReplicaSet at once, so Pods still terminating count towards neither bound, as in
 * Kubernetes' deployment controller.
 *
 * @param replicas       the Deployment's {@code replicas}, at least 1
 * @param maxSurge       Pods allowed above {@code replicas}
 * @param maxUnavailable Pods allowed below {@code replicas}
 */
record RollingUpdate(int replicas, int maxSurge, int maxUnavailable) {

    RollingUpdate {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas: " + replicas + " (expected: >= 1)");
        }
        if (maxSurge < 0 || maxUnavailable < 0) {
            throw new IllegalArgumentException("maxSurge " + maxSurge + ", maxUnavailable " + maxUnavailable
                    + " (expected: >= 0)");
        }
        if (maxSurge == 0 && maxUnavailable == 0) {
            // Kubernetes rejects this too: the rollout could never make progress.
            throw new IllegalArgumentException("maxSurge and maxUnavailable are both 0 (expected: one of them > 0)");
        }
    }

    /** Kubernetes' defaults: 25% surge rounded up, 25% unavailable rounded down. */
    static RollingUpdate kubernetesDefaults(int replicas) {
        return percent(replicas, 25, 25);
    }

    /** Percentages as Kubernetes resolves them; if both round to 0, one Pod may be unavailable. */
    static RollingUpdate percent(int replicas, int surgePercent, int unavailablePercent) {
        int surge = (replicas * surgePercent + 99) / 100;
        int unavailable = replicas * unavailablePercent / 100;
        if (surge == 0 && unavailable == 0) {
            unavailable = 1;
        }
        return new RollingUpdate(replicas, surge, unavailable);
    }

    /**
     * New Pods to create now.
     *
     * @param oldPods old Pods not deleted yet
     * @param newPods new Pods created so far (Ready or not)
     */
    int toCreate(int oldPods, int newPods) {
        int room = replicas + maxSurge - oldPods - newPods;
        return Math.max(0, Math.min(room, replicas - newPods));
    }

    /**
     * Old Pods to delete now.
     *
     * @param oldPods      old Pods not deleted yet (all Ready: the rollout starts from a healthy Deployment)
     * @param newPodsReady new Pods that are Ready
     */
    int toDelete(int oldPods, int newPodsReady) {
        int spare = oldPods + newPodsReady - (replicas - maxUnavailable);
        return Math.max(0, Math.min(spare, oldPods));
    }
}
