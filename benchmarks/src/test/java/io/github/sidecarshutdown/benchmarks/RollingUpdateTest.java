package io.github.sidecarshutdown.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RollingUpdateTest {

    @Test
    void kubernetesDefaultsRoundTheSurgeUpAndTheUnavailableDown() {
        assertThat(RollingUpdate.kubernetesDefaults(5)).isEqualTo(new RollingUpdate(5, 2, 1));
        assertThat(RollingUpdate.kubernetesDefaults(10)).isEqualTo(new RollingUpdate(10, 3, 2));
        assertThat(RollingUpdate.kubernetesDefaults(4)).isEqualTo(new RollingUpdate(4, 1, 1));
        assertThat(RollingUpdate.kubernetesDefaults(1)).isEqualTo(new RollingUpdate(1, 1, 0));
    }

    @Test
    void percentagesThatBothRoundToZeroLeaveOnePodUnavailable() {
        assertThat(RollingUpdate.percent(3, 0, 10)).isEqualTo(new RollingUpdate(3, 0, 1));
    }

    @Test
    void theFirstSyncCreatesUpToTheSurgeAndDeletesUpToTheUnavailable() {
        RollingUpdate u = RollingUpdate.kubernetesDefaults(10);
        assertThat(u.toCreate(10, 0)).isEqualTo(3);
        assertThat(u.toDelete(10, 0)).isEqualTo(2);
        // After those deletions one more Pod fits under replicas + surge.
        assertThat(u.toCreate(8, 3)).isEqualTo(2);
        // Never more new Pods than replicas, never a negative count.
        assertThat(u.toCreate(0, 9)).isEqualTo(1);
        assertThat(u.toCreate(0, 10)).isZero();
        assertThat(u.toDelete(8, 0)).isZero();
        assertThat(u.toDelete(2, 10)).isEqualTo(2);
    }

    /** Plays whole rollouts where new Pods turn Ready one at a time: the bounds hold at every step, and it ends. */
    @Test
    void aRolloutStaysWithinTheBoundsAndCompletes() {
        for (int n = 1; n <= 12; n++) {
            RollingUpdate u = RollingUpdate.kubernetesDefaults(n);
            int old = n;
            int created = 0;
            int ready = 0;
            int syncs = 0;
            while (old > 0 || ready < n) {
                created += u.toCreate(old, created);
                assertThat(old + created).as("N=%d: Pods owned", n).isLessThanOrEqualTo(n + u.maxSurge());
                old -= u.toDelete(old, ready);
                assertThat(old + ready).as("N=%d: available", n).isGreaterThanOrEqualTo(n - u.maxUnavailable());
                if (ready < created) {
                    ready++;
                }
                assertThat(++syncs).as("N=%d: syncs", n).isLessThan(10 * n + 10);
            }
            assertThat(created).isEqualTo(n);
        }
    }

    @Test
    void badStrategiesAreRejectedWithTheValues() {
        assertThatThrownBy(() -> new RollingUpdate(0, 1, 1)).hasMessageContaining("replicas: 0");
        assertThatThrownBy(() -> new RollingUpdate(3, 0, 0)).hasMessageContaining("both 0");
        assertThatThrownBy(() -> new RollingUpdate(3, -1, 1)).hasMessageContaining("maxSurge -1");
    }
}
