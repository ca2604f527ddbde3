package io.github.sidecarshutdown.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consul's and Kuma's annotations read as their injectors read them, and refused with the annotation's name and the fix. */
class MeshAnnotationsTest {

    @Test
    void readsWhatTheInjectorsWrite() {
        MeshAnnotations a = MeshAnnotations.fromAnnotations(Map.of(
                MeshAnnotations.CONSUL_INJECT_STATUS, "injected",
                MeshAnnotations.CONSUL_GRACE_PERIOD, "45",
                MeshAnnotations.CONSUL_LIFECYCLE, "t",
                MeshAnnotations.CONSUL_GRACEFUL_PORT, "20601",
                MeshAnnotations.KUMA_INJECTED, "true",
                MeshAnnotations.KUMA_DRAIN_TIME, "1m30s",
                MeshAnnotations.KUMA_ADMIN_PORT, "9911"), "test");

        assertThat(a.consulInjected()).isTrue();
        assertThat(a.consulWindow(Duration.ofSeconds(30))).contains(Duration.ofSeconds(45));
        assertThat(a.consulGracefulPort()).contains(20601);
        assertThat(a.kumaInjected()).isTrue();
        assertThat(a.kumaDrainTime()).contains(Duration.ofSeconds(90));
        assertThat(a.kumaAdminPort()).contains(9911);
    }

    @Test
    void theConsulWindowFollowsLifecycleAndNativeMode() {
        assertThat(MeshAnnotations.fromAnnotations(Map.of(), "t").consulWindow(Duration.ofSeconds(30)))
                .contains(Duration.ofSeconds(30));
        assertThat(MeshAnnotations.fromAnnotations(Map.of(MeshAnnotations.CONSUL_LIFECYCLE, "false",
                MeshAnnotations.CONSUL_GRACE_PERIOD, "45"), "t").consulWindow(Duration.ofSeconds(30))).contains(Duration.ZERO);
        assertThat(MeshAnnotations.fromAnnotations(Map.of(MeshAnnotations.CONSUL_NATIVE, "true"), "t")
                .consulWindow(Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    void badValuesNameTheAnnotationTheValueAndTheFix() {
        assertThatThrownBy(() -> MeshAnnotations.fromAnnotations(Map.of(MeshAnnotations.CONSUL_GRACE_PERIOD, "30s"), "t"))
                .isInstanceOf(PodAnnotationException.class)
                .hasMessage(MeshAnnotations.CONSUL_GRACE_PERIOD + ": '30s' is not a whole number of seconds; write it as digits "
                        + "only, such as \"30\" (consul-k8s rejects \"30s\")");
        assertThatThrownBy(() -> MeshAnnotations.fromAnnotations(Map.of(MeshAnnotations.KUMA_DRAIN_TIME, "thirty"), "t"))
                .hasMessageStartingWith(MeshAnnotations.KUMA_DRAIN_TIME + ": 'thirty' is not a duration")
                .hasMessageContaining("such as \"30s\"");
        assertThatThrownBy(() -> MeshAnnotations.fromAnnotations(Map.of(MeshAnnotations.KUMA_ADMIN_PORT, "70000"), "t"))
                .hasMessageContaining(MeshAnnotations.KUMA_ADMIN_PORT).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> MeshAnnotations.fromAnnotations(Map.of(MeshAnnotations.CONSUL_LIFECYCLE, "yes"), "t"))
                .hasMessageContaining(MeshAnnotations.CONSUL_LIFECYCLE).hasMessageContaining("write \"true\" or \"false\"");
    }

    @Test
    void aMissingOrMalformedFileKeepsTheDefaults(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("annotations");
        Files.writeString(bad, MeshAnnotations.CONSUL_GRACE_PERIOD + "=\"soon\"\n");

        assertThat(MeshAnnotations.read(dir.resolve("missing")).consulGracePeriod()).isEmpty();
        assertThat(MeshAnnotations.read(bad).consulGracePeriod()).isEmpty();
        assertThat(MeshAnnotations.read(bad).source()).isEqualTo("annotations file malformed");
    }
}
