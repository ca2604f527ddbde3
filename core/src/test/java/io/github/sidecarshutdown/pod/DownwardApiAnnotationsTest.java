package io.github.sidecarshutdown.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DownwardApiAnnotationsTest {

    @Test
    void readsGoQuotedValuesWithEscapes() {
        // given the kubelet's rendering of a multi-line proxy config and the injector's status
        String file = "kubectl.kubernetes.io/default-container=\"app\"\n"
                + "proxy.istio.io/config=\"terminationDrainDuration: 25s\\nholdApplicationUntilProxyStarts: true\\n\"\n"
                + "sidecar.istio.io/status=\"{\\\"initContainers\\\":[\\\"istio-init\\\",\\\"istio-proxy\\\"],\\\"containers\\\":null}\"\n"
                + "tabbed=\"a\\tb \\\\ c \\u00e9 \\U0001F600 \\x41\"\n";

        // when
        Map<String, String> a = DownwardApiAnnotations.parse(file);

        // then
        assertThat(a).containsOnlyKeys("kubectl.kubernetes.io/default-container", "proxy.istio.io/config",
                "sidecar.istio.io/status", "tabbed");
        assertThat(a.get("proxy.istio.io/config")).isEqualTo("terminationDrainDuration: 25s\nholdApplicationUntilProxyStarts: true\n");
        assertThat(a.get("sidecar.istio.io/status")).isEqualTo("{\"initContainers\":[\"istio-init\",\"istio-proxy\"],\"containers\":null}");
        assertThat(a.get("tabbed")).isEqualTo("a\tb \\ c \u00e9 \uD83D\uDE00 A");
    }

    @Test
    void emptyFileAndBlankLinesGiveNoAnnotations() {
        assertThat(DownwardApiAnnotations.parse("")).isEmpty();
        assertThat(DownwardApiAnnotations.parse("\n\r\n  \n")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "no-equals-sign",
        "=\"value\"",
        "key=value",
        "key=\"unterminated",
        "key=\"bad \\q escape\"",
        "key=\"inner \" quote\"",
        "key=\"dangling \\\"",
        "key=\"short \\u12\"",
        "key=\"surrogate \\ud800\"",
        "key=\"too big \\U00110000\"",
        "bad key=\"v\"",
        "a=\"1\"\na=\"2\""
    })
    void malformedLinesAreRefusedWithTheLine(String file) {
        assertThatThrownBy(() -> DownwardApiAnnotations.parse(file))
                .isInstanceOf(PodAnnotationException.class)
                .hasMessageStartingWith("line ");
    }

    @Test
    void theLineNumberPointsAtTheBadLine() {
        PodAnnotationException e = org.assertj.core.api.Assertions.catchThrowableOfType(PodAnnotationException.class,
                () -> DownwardApiAnnotations.parse("a=\"1\"\nb=\"2\"\nc=3\n"));
        assertThat(e.line()).isEqualTo(3);
        assertThat(e).hasMessage("line 3: value of c is not a double-quoted string");
    }

    @Test
    void anOversizedFileIsRefused() {
        assertThatThrownBy(() -> DownwardApiAnnotations.parse("a=\"" + "x".repeat(DownwardApiAnnotations.MAX_CHARS) + "\""))
                .isInstanceOf(PodAnnotationException.class).hasMessageContaining("larger than");
    }
}
