package io.github.sidecarshutdown.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {

    private final AtomicLong now = new AtomicLong(-5_000_000_000L);
    private final LoadBalancer lb = new LoadBalancer(Duration.ofSeconds(1), now::get);

    @Test
    void roundRobinOverReadyEndpoints() {
        lb.ready("a", 1001);
        lb.ready("b", 1002);
        assertThat(lb.pick()).hasValue(new LoadBalancer.Target("a", 1001));
        assertThat(lb.pick()).hasValue(new LoadBalancer.Target("b", 1002));
        assertThat(lb.pick()).hasValue(new LoadBalancer.Target("a", 1001));
    }

    @Test
    void aDeletedPodIsRoutedToUntilTheLagHasPassedThenForgotten() {
        lb.ready("a", 1001);
        lb.ready("b", 1002);
        lb.deleted("a");
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(lb.routable()).containsExactly("a", "b");
        now.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(lb.routable()).containsExactly("b");
        assertThat(lb.pick()).hasValue(new LoadBalancer.Target("b", 1002));
        assertThat(lb.pick()).hasValue(new LoadBalancer.Target("b", 1002));
    }

    @Test
    void aSecondDeletionDoesNotPostponeTheForgetting() {
        lb.ready("a", 1001);
        lb.deleted("a");
        now.addAndGet(Duration.ofMillis(600).toNanos());
        lb.deleted("a");
        now.addAndGet(Duration.ofMillis(400).toNanos());
        assertThat(lb.routable()).isEmpty();
        assertThat(lb.pick()).isEmpty();
    }

    @Test
    void deletingAnUnknownPodNamesThePodsItKnows() {
        lb.ready("a", 1001);
        assertThatThrownBy(() -> lb.deleted("x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deleted(x)").hasMessageContaining("[a]");
    }
}
