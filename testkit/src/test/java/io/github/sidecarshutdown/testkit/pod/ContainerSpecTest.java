package io.github.sidecarshutdown.testkit.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ContainerSpecTest {

    @Test
    void defaultsNeedOnlyNameAndCommand() {
        // when
        ContainerSpec spec = ContainerSpec.builder().name("app").command("sleep", "5").build();

        // then
        assertThat(spec.name()).isEqualTo("app");
        assertThat(spec.command()).containsExactly("sleep", "5");
        assertThat(spec.environment()).isEmpty();
        assertThat(spec.workingDirectory()).isEmpty();
        assertThat(spec.readyPattern()).isEmpty();
        assertThat(spec.startTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void customValuesAreKeptAndCopied() {
        // given
        ContainerSpecBuilder builder = ContainerSpec.builder()
                .name("istio-proxy")
                .command(List.of("java", "-version"))
                .env("A", "1")
                .environment(Map.of("B", "2"))
                .workingDirectory(Path.of("/tmp"))
                .readyPattern("^READY (\\d+)")
                .startTimeout(Duration.ofSeconds(3));

        // when
        ContainerSpec spec = builder.build();
        builder.env("C", "3").name("other");

        // then
        assertThat(spec.name()).isEqualTo("istio-proxy");
        assertThat(spec.environment()).containsExactlyInAnyOrderEntriesOf(Map.of("A", "1", "B", "2"));
        assertThat(spec.workingDirectory()).contains(Path.of("/tmp"));
        assertThat(spec.readyPattern().orElseThrow().pattern()).isEqualTo("^READY (\\d+)");
        assertThat(spec.startTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(spec.toBuilder().build()).isEqualTo(spec).hasSameHashCodeAs(spec);
        assertThat(spec.toString()).contains("istio-proxy", "^READY (\\d+)", "PT3S");
    }

    @Test
    void invalidValuesAreRejectedWithExactMessages() {
        ContainerSpecBuilder builder = ContainerSpec.builder();
        assertThatThrownBy(() -> builder.name("my app"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name: 'my app' (expected: non-empty, letters, digits, '.', '_', '-')");
        assertThatThrownBy(() -> builder.command(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("command: [] (expected: at least the executable)");
        assertThatThrownBy(() -> builder.startTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("startTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> builder.env("A=B", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key: 'A=B' (expected: non-empty, no '=')");
        assertThatThrownBy(() -> builder.readyPattern("("))
                .isInstanceOf(java.util.regex.PatternSyntaxException.class);
        assertThatThrownBy(() -> builder.command("java").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("name: not set (expected: a container name)");
        assertThatThrownBy(() -> ContainerSpec.builder().name("app").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("command: not set (expected: at least the executable)");
    }
}
