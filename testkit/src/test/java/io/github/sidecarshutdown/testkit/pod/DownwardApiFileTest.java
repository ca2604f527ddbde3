package io.github.sidecarshutdown.testkit.pod;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The downward API's file format, as the kubelet writes it (sorted keys, Go's %q, no final line break). */
class DownwardApiFileTest {

    @TempDir
    Path dir;

    @Test
    void formatsLikeTheKubelet() {
        // What Istio's injector and a ProxyConfig annotation look like in /etc/podinfo/annotations.
        String text = DownwardApiFile.format(Map.of(
                "sidecar.istio.io/status", "{\"initContainers\":[\"istio-init\"],\"containers\":[\"istio-proxy\"]}",
                "proxy.istio.io/config", "terminationDrainDuration: 25s\n",
                "kuma.io/sidecar-injected", "true"));

        assertThat(text).isEqualTo("kuma.io/sidecar-injected=\"true\"\n"
                + "proxy.istio.io/config=\"terminationDrainDuration: 25s\\n\"\n"
                + "sidecar.istio.io/status=\"{\\\"initContainers\\\":[\\\"istio-init\\\"],"
                + "\\\"containers\\\":[\\\"istio-proxy\\\"]}\"");
    }

    @Test
    void quotesAsGoDoes() {
        assertThat(DownwardApiFile.quote("a\\b\t\r\u0007\u0001\u007f é")).isEqualTo("\"a\\\\b\\t\\r\\a\\x01\\x7f é\"");
        assertThat(DownwardApiFile.quote("\u0085")).isEqualTo("\"\\u0085\"");
        assertThat(DownwardApiFile.format(Map.of())).isEmpty();
    }

    @Test
    void writesTheFileAndDeletesTheDirectory() throws Exception {
        Path podinfo = Files.createDirectory(dir.resolve("podinfo"));
        Path file = podinfo.resolve(DownwardApiFile.LABELS);

        DownwardApiFile.write(file, Map.of("batch.kubernetes.io/job-name", "nightly-29403120"));

        assertThat(Files.readString(file)).isEqualTo("batch.kubernetes.io/job-name=\"nightly-29403120\"");
        assertThat(Files.list(podinfo)).containsExactly(file);
        DownwardApiFile.deleteDirectory(podinfo);
        assertThat(podinfo).doesNotExist();
    }
}
