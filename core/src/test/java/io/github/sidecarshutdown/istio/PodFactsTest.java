package io.github.sidecarshutdown.istio;

import io.github.sidecarshutdown.pod.PodAnnotationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodFactsTest {

    private static final String CLASSIC_STATUS =
            "{\"initContainers\":[\"istio-init\"],\"containers\":[\"istio-proxy\"],\"volumes\":[],\"revision\":\"default\"}";
    private static final String NATIVE_STATUS =
            "{\"initContainers\":[\"istio-init\",\"istio-proxy\"],\"containers\":null,\"revision\":\"default\"}";

    @TempDir
    Path dir;

    @Test
    void readsEveryFieldTheShutdownNeeds() {
        // given
        Map<String, String> a = Map.of(
                PodFacts.PROXY_CONFIG, "terminationDrainDuration: 25s\nholdApplicationUntilProxyStarts: true\n"
                        + "proxyMetadata:\n  EXIT_ON_ZERO_ACTIVE_CONNECTIONS: \"true\"\n  MINIMUM_DRAIN_DURATION: 8s\n",
                PodFacts.SIDECAR_STATUS, CLASSIC_STATUS);

        // when
        PodFacts f = PodFacts.fromAnnotations(a, "test");

        // then
        assertThat(f).isEqualTo(new PodFacts(Optional.of(Duration.ofSeconds(25)), Optional.of(true), Optional.of(true),
                Optional.of(Duration.ofSeconds(8)), Optional.of(false), true, false, "test"));
    }

    @Test
    void istioProxyUnderInitContainersMeansNativeAndWinsOverTheRequest() {
        PodFacts f = PodFacts.fromAnnotations(Map.of(PodFacts.SIDECAR_STATUS, NATIVE_STATUS, PodFacts.NATIVE_SIDECAR, "false"), "t");
        assertThat(f.isNative()).isTrue();
        assertThat(f.toSidecarFacts(SidecarMode.AUTO, Duration.ofSeconds(5)).mode()).isEqualTo(SidecarMode.NATIVE);
        assertThat(PodFacts.fromAnnotations(Map.of(PodFacts.NATIVE_SIDECAR, "true"), "t").isNative()).isTrue();
    }

    @Test
    void noAnnotationsMeanNoSidecarInAutoAndDefaultsOtherwise() {
        PodFacts f = PodFacts.fromAnnotations(Map.of("app", "x"), "t");
        assertThat(f.isEmpty()).isTrue();
        assertThat(f.toSidecarFacts(SidecarMode.AUTO, Duration.ofSeconds(5)).mode()).isEqualTo(SidecarMode.NONE);
        SidecarFacts istio = f.toSidecarFacts(SidecarMode.ISTIO, Duration.ofSeconds(5));
        assertThat(istio.terminationDrainDuration()).contains(Duration.ofSeconds(5));
        assertThat(istio.source()).contains("assuming 5000 ms");
    }

    @Test
    void injectFalseMeansNoIstioSidecar() {
        assertThat(PodFacts.fromAnnotations(Map.of(PodFacts.INJECT, "false"), "t").istioSidecar()).isFalse();
        assertThat(PodFacts.fromAnnotations(Map.of(PodFacts.INJECT, "true"), "t").istioSidecar()).isTrue();
    }

    @Test
    void aMalformedValueIsQuotedOnOneLine() {
        for (String forger : new String[] {"\\n", "\\r\\n", "\\u001b[2K", "\\u2028", "\\u0085"}) {
            // given a value that, echoed raw, would start a fake log line
            String config = "terminationDrainDuration: \"soon" + forger + "2026-11-28 ERROR forged\"\n";

            // then
            assertThatThrownBy(() -> PodFacts.fromAnnotations(Map.of(PodFacts.PROXY_CONFIG, config), "t"))
                    .isInstanceOf(PodAnnotationException.class)
                    .hasMessageContaining("proxy.istio.io/config terminationDrainDuration: 'soon\\")
                    .satisfies(e -> assertThat(ProxyConfigYamlTest.oneLine(e.getMessage())).as(e.getMessage()).isTrue());
        }
        // and through the downward-API file, where the kubelet writes the newline as \n
        assertThatThrownBy(() -> PodFacts.fromAnnotations(io.github.sidecarshutdown.pod.PodAnnotations.parse(
                "proxy.istio.io/config=\"proxyMetadata:\\n  MINIMUM_DRAIN_DURATION: \\\"x\\\\u2028INFO forged\\\"\\n\"\n"), "t"))
                .isInstanceOf(PodAnnotationException.class)
                .satisfies(e -> assertThat(ProxyConfigYamlTest.oneLine(e.getMessage())).as(e.getMessage()).isTrue());
        assertThatThrownBy(() -> io.github.sidecarshutdown.pod.PodAnnotations.parse("k=\"\\\u2028\"\n"))
                .isInstanceOf(PodAnnotationException.class)
                .satisfies(e -> assertThat(ProxyConfigYamlTest.oneLine(e.getMessage())).as(e.getMessage()).isTrue());
        assertThatThrownBy(() -> io.github.sidecarshutdown.pod.PodAnnotations.parse("k\u001b[2K=\"v\"\n"))
                .isInstanceOf(PodAnnotationException.class)
                .satisfies(e -> assertThat(ProxyConfigYamlTest.oneLine(e.getMessage())).as(e.getMessage()).isTrue());
    }

    @Test
    void malformedFieldsNameTheAnnotationAndTheField() {
        assertThatThrownBy(() -> PodFacts.fromAnnotations(Map.of(PodFacts.PROXY_CONFIG, "terminationDrainDuration: soon"), "t"))
                .isInstanceOf(PodAnnotationException.class)
                .hasMessageContaining("proxy.istio.io/config terminationDrainDuration: 'soon' is not a duration");
        assertThatThrownBy(() -> PodFacts.fromAnnotations(Map.of(PodFacts.PROXY_CONFIG, "holdApplicationUntilProxyStarts: yes please"), "t"))
                .isInstanceOf(PodAnnotationException.class).hasMessageContaining("expected true or false");
        assertThatThrownBy(() -> PodFacts.fromAnnotations(Map.of(PodFacts.PROXY_CONFIG, "proxyMetadata: x"), "t"))
                .isInstanceOf(PodAnnotationException.class).hasMessageContaining("proxyMetadata must be a map");
        assertThatThrownBy(() -> PodFacts.fromAnnotations(Map.of(PodFacts.SIDECAR_STATUS, "{not json"), "t"))
                .isInstanceOf(PodAnnotationException.class).hasMessageStartingWith("sidecar.istio.io/status: ");
        assertThatThrownBy(() -> PodFacts.fromAnnotations(Map.of(PodFacts.PROXY_CONFIG, "a: 1\n- b"), "t"))
                .isInstanceOf(PodAnnotationException.class).hasMessage("line 2: proxy.istio.io/config: a sequence item "
                        + "where a key was expected; proxy config is a map of key: value");
    }

    @Test
    void aValidConfigWithListsBesideTheFieldsIsRead() {
        // given the proxy config the issue reported, as Istio documents it
        String config = """
                terminationDrainDuration: 25s
                proxyStatsMatcher:
                  inclusionRegexps:
                    - ".*outlier.*"
                  inclusionPrefixes: [cluster.outbound, listener]
                tracing:
                  custom_tags:
                    env:
                      literal: {value: prod}
                proxyMetadata:
                  EXIT_ON_ZERO_ACTIVE_CONNECTIONS: "true"
                  MINIMUM_DRAIN_DURATION: 8s
                  ISTIO_META_DNS_CAPTURE: "true"
                  EXTRA_CERTS: |
                    -----BEGIN CERTIFICATE-----
                    MIIB
                """;

        // when
        PodFacts f = PodFacts.fromAnnotations(Map.of(PodFacts.PROXY_CONFIG, config), "t");

        // then
        assertThat(f.terminationDrainDuration()).contains(Duration.ofSeconds(25));
        assertThat(f.exitOnZeroActiveConnections()).contains(true);
        assertThat(f.minimumDrainDuration()).contains(Duration.ofSeconds(8));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiterString = " ~ ", value = {
        "terminationDrainDuration: [25s] ~ line 1: proxy.istio.io/config terminationDrainDuration must be a duration such as 30s, not a sequence",
        "terminationDrainDuration:\\n  - 25s ~ line 2: proxy.istio.io/config terminationDrainDuration must be a duration such as 30s, not a sequence",
        "a: 1\\nterminationDrainDuration: |\\n  25s ~ line 2: proxy.istio.io/config terminationDrainDuration must be a duration such as 30s, not a block scalar",
        "terminationDrainDuration: &d 25s ~ line 1: proxy.istio.io/config terminationDrainDuration must be a duration such as 30s, not an anchored value (&)",
        "terminationDrainDuration: !!str 25s ~ line 1: proxy.istio.io/config terminationDrainDuration must be a duration such as 30s, not a tagged value (!)",
        "terminationDrainDuration: {s: 25} ~ proxy.istio.io/config terminationDrainDuration must be a duration such as 30s, not a map",
        "holdApplicationUntilProxyStarts: [true] ~ line 1: proxy.istio.io/config holdApplicationUntilProxyStarts: expected true or false, not a sequence",
        "proxyMetadata: [a] ~ line 1: proxy.istio.io/config: proxyMetadata must be a map of NAME: value, not a sequence",
        "proxyMetadata:\\n  - A ~ line 2: proxy.istio.io/config: proxyMetadata must be a map of NAME: value, not a sequence",
        "proxyMetadata:\\n  MINIMUM_DRAIN_DURATION: [4s] ~ line 2: proxy.istio.io/config proxyMetadata.MINIMUM_DRAIN_DURATION must be a duration such as 30s, not a sequence",
        "proxyMetadata:\\n  EXIT_ON_ZERO_ACTIVE_CONNECTIONS: !!str true ~ line 2: proxy.istio.io/config proxyMetadata.EXIT_ON_ZERO_ACTIVE_CONNECTIONS: expected true or false, not a tagged value (!)",
        "proxyMetadata: {MINIMUM_DRAIN_DURATION: [4s]} ~ line 1: proxy.istio.io/config proxyMetadata.MINIMUM_DRAIN_DURATION must be a duration such as 30s, not a sequence",
        "proxyMetadata:\\n  MINIMUM_DRAIN_DURATION: soon ~ proxy.istio.io/config proxyMetadata.MINIMUM_DRAIN_DURATION: 'soon' is not a duration",
        "terminationDrainDuration: 25s\\nx: [1, 2 ~ line 2: proxy.istio.io/config: unclosed '['"
    })
    void whatTheLibraryReadsStaysStrict(String escaped, String message) {
        String config = escaped.replace("\\n", "\n");
        assertThatThrownBy(() -> PodFacts.fromAnnotations(Map.of(PodFacts.PROXY_CONFIG, config), "t"))
                .isInstanceOf(PodAnnotationException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void readsTheDownwardApiFile() throws IOException {
        // given
        Path file = dir.resolve("annotations");
        Files.writeString(file, "proxy.istio.io/config=\"terminationDrainDuration: 25s\\n\"\n"
                + "sidecar.istio.io/status=\"" + CLASSIC_STATUS.replace("\"", "\\\"") + "\"\n");

        // when
        PodFacts f = PodFacts.read(file);

        // then
        assertThat(f.terminationDrainDuration()).contains(Duration.ofSeconds(25));
        assertThat(f.nativeSidecar()).contains(false);
        assertThat(f.source()).isEqualTo(file.toString());
        SidecarFacts sf = f.toSidecarFacts(SidecarMode.AUTO, Duration.ofSeconds(5));
        assertThat(sf.mode()).isEqualTo(SidecarMode.ISTIO);
        assertThat(sf.guaranteedWindow()).contains(Duration.ofSeconds(25));
    }

    @Test
    void aMissingOrMalformedFileGivesTheDefaultsNeverAnException() throws IOException {
        Path bad = dir.resolve("bad");
        Files.writeString(bad, "proxy.istio.io/config=\"[oops]\"\n");
        Path garbage = dir.resolve("garbage");
        Files.write(garbage, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});

        assertThat(PodFacts.read(dir.resolve("absent")).isEmpty()).isTrue();
        assertThat(PodFacts.read(dir.resolve("absent")).source()).isEqualTo("no annotations file");
        assertThat(PodFacts.read(bad).source()).isEqualTo("annotations file malformed");
        assertThat(PodFacts.read(garbage).isEmpty()).isTrue();
        assertThat(PodFacts.read(dir).isEmpty()).isTrue(); // a directory
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"enabled,true", " Enabled ,true", "disabled,false", "'',false"})
    void ambientRedirectionAnnotationMarksAnAmbientPod(String value, boolean ambient) {
        PodFacts f = PodFacts.fromAnnotations(java.util.Map.of(PodFacts.AMBIENT_REDIRECTION, value), "test");

        assertThat(f.ambient()).isEqualTo(ambient);
        assertThat(f.toSidecarFacts(io.github.sidecarshutdown.sidecar.SidecarMode.AUTO, Duration.ofSeconds(5)).mode())
                .isEqualTo(ambient ? io.github.sidecarshutdown.sidecar.SidecarMode.AMBIENT
                        : io.github.sidecarshutdown.sidecar.SidecarMode.NONE);
    }
}
