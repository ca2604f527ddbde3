package io.github.sidecarshutdown.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyConfigYamlTest {

    @Test
    void readsBlockMapsWithNestedProxyMetadataAndComments() {
        // given the form the README and examples use
        String yaml = """
                # the window the library makes cheap
                terminationDrainDuration: 25s   # close to the grace period
                holdApplicationUntilProxyStarts: true
                proxyMetadata:
                  EXIT_ON_ZERO_ACTIVE_CONNECTIONS: "true"
                  MINIMUM_DRAIN_DURATION: '10s'
                tracing:
                  zipkin:
                    address: "zipkin.istio-system:9411"
                """;

        // when
        Map<String, Object> m = ProxyConfigYaml.parse(yaml);

        // then
        assertThat(m).containsEntry("terminationDrainDuration", "25s")
                .containsEntry("holdApplicationUntilProxyStarts", "true")
                .containsEntry("proxyMetadata", Map.of("EXIT_ON_ZERO_ACTIVE_CONNECTIONS", "true", "MINIMUM_DRAIN_DURATION", "10s"))
                .containsEntry("tracing", Map.of("zipkin", Map.of("address", "zipkin.istio-system:9411")));
    }

    @Test
    void readsTheJsonFormAndInlineFlowMaps() {
        assertThat(ProxyConfigYaml.parse("{\"terminationDrainDuration\": \"30s\", \"proxyMetadata\": {\"MINIMUM_DRAIN_DURATION\": \"3s\"}}"))
                .containsEntry("terminationDrainDuration", "30s")
                .containsEntry("proxyMetadata", Map.of("MINIMUM_DRAIN_DURATION", "3s"));
        assertThat(ProxyConfigYaml.parse("proxyMetadata: {EXIT_ON_ZERO_ACTIVE_CONNECTIONS: 'true'}\n"))
                .containsEntry("proxyMetadata", Map.of("EXIT_ON_ZERO_ACTIVE_CONNECTIONS", "true"));
        assertThat(ProxyConfigYaml.parse("{\n  \"holdApplicationUntilProxyStarts\": true\n}\n"))
                .containsEntry("holdApplicationUntilProxyStarts", "true");
    }

    @Test
    void emptyDocumentsAreEmptyMaps() {
        assertThat(ProxyConfigYaml.parse("")).isEmpty();
        assertThat(ProxyConfigYaml.parse("# only a comment\n---\n")).isEmpty();
        assertThat(ProxyConfigYaml.parse("{}")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " ~ ", value = {
        "proxyStatsMatcher:\\n  inclusionRegexps:\\n    - '.*' ~ 3 ~ sequences",
        "a: [1, 2] ~ 1 ~ sequences",
        "a: |\\n  text ~ 1 ~ block scalars",
        "a: &x 1 ~ 1 ~ anchors",
        "a: *x ~ 1 ~ aliases",
        "a: !!str 1 ~ 1 ~ tags",
        "a: 1\\n---\\nb: 2 ~ 2 ~ several YAML documents",
        "a: 1\\na: 2 ~ 2 ~ duplicate key a",
        "a:\\n\\tb: 1 ~ 2 ~ tab in indentation",
        "a: 1\\n   b: 2 ~ 2 ~ unexpected indentation",
        "a: 'open ~ 1 ~ unclosed single quote",
        "a: \"open ~ 1 ~ unclosed double quote",
        "a: \"bad \\q\" ~ 1 ~ unknown escape",
        "just text ~ 1 ~ expected 'key: value'",
        "a:1 ~ 1 ~ expected a space after ':'",
        "a: b: c ~ 1 ~ quote it",
        "{\"a\": 1,} ~ 1 ~ expected a key",
        "{\"a\": 1} x ~ 1 ~ after the closing brace",
        "{\"a\" 1} ~ 1 ~ expected ':'"
    })
    void refusesWhatItDoesNotReadNamingTheLine(String escaped, int line, String message) {
        // given
        String yaml = escaped.replace("\\n", "\n").replace("\\t", "\t");

        // when / then
        assertThatThrownBy(() -> ProxyConfigYaml.parse(yaml))
                .isInstanceOfSatisfying(PodAnnotationException.class, e -> assertThat(e.line()).isEqualTo(line))
                .hasMessageContaining(message);
    }

    @Test
    void deepNestingIsRefusedNotOverflowed() {
        String flow = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
        assertThatThrownBy(() -> ProxyConfigYaml.parse(flow)).isInstanceOf(PodAnnotationException.class);
        StringBuilder block = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            block.append(" ".repeat(i)).append("k").append(i).append(":\n");
        }
        assertThatThrownBy(() -> ProxyConfigYaml.parse(block.toString())).isInstanceOf(PodAnnotationException.class)
                .hasMessageContaining("nested deeper");
    }

    /** Hostile input: random bytes and mutations of valid documents fail only with the typed error. */
    @Test
    @Timeout(20)
    void fuzzedInputEitherParsesOrFailsWithThePodAnnotationException() {
        Random random = new Random(20261125L);
        String[] seeds = {
            "terminationDrainDuration: 25s\nproxyMetadata:\n  EXIT_ON_ZERO_ACTIVE_CONNECTIONS: \"true\"\n",
            "{\"terminationDrainDuration\": \"30s\", \"proxyMetadata\": {\"A\": 'b'}}",
            "a:\n  b:\n    c: 'it''s'\n  d: \"\\u00e9\"\n",
        };
        String alphabet = "{}[]:,'\"\\#&*!|>- \n\tabc01u";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder(seeds[i % seeds.length]);
            int edits = 1 + random.nextInt(6);
            for (int j = 0; j < edits; j++) {
                int at = sb.length() == 0 ? 0 : random.nextInt(sb.length());
                switch (random.nextInt(3)) {
                    case 0 -> sb.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> { if (sb.length() > 0) { sb.deleteCharAt(at); } }
                    default -> { if (sb.length() > 0) { sb.setCharAt(at, (char) random.nextInt(0x3000)); } }
                }
            }
            String input = sb.toString();
            try {
                Map<String, Object> m = ProxyConfigYaml.parse(input);
                assertThat(m).isNotNull();
            } catch (PodAnnotationException expected) {
                assertThat(expected.getMessage()).isNotBlank();
                assertThat(oneLine(expected.getMessage())).as(escape(expected.getMessage())).isTrue();
            } catch (RuntimeException e) {
                throw new AssertionError("unexpected " + e + " for input " + escape(input), e);
            }
        }
    }

    @Test
    @Timeout(20)
    void fuzzedAnnotationsFilesFailOnlyWithThePodAnnotationException() {
        Random random = new Random(42L);
        String seed = "proxy.istio.io/config=\"terminationDrainDuration: 25s\\nproxyMetadata:\\n  MINIMUM_DRAIN_DURATION: 4s\\n\"\n"
                + "sidecar.istio.io/status=\"{\\\"initContainers\\\":[\\\"istio-proxy\\\"]}\"\n";
        String alphabet = "=\"\\nxuU0{}[]: \n";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder(seed);
            for (int j = 0; j < 1 + random.nextInt(4); j++) {
                int at = random.nextInt(sb.length());
                if (random.nextBoolean()) {
                    sb.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                } else {
                    sb.deleteCharAt(at);
                }
            }
            String input = sb.toString();
            try {
                PodFacts f = PodFacts.fromAnnotations(DownwardApiAnnotations.parse(input), "fuzz");
                assertThat(f.source()).isEqualTo("fuzz");
            } catch (PodAnnotationException expected) {
                assertThat(expected.getMessage()).isNotBlank();
                assertThat(oneLine(expected.getMessage())).as(escape(expected.getMessage())).isTrue();
            } catch (RuntimeException e) {
                throw new AssertionError("unexpected " + e + " for input " + escape(input), e);
            }
        }
    }

    /** Annotation text quoted in an error (a key, a value, a bad escape) cannot forge a log line. */
    @ParameterizedTest
    @ValueSource(strings = {
        "\"k\\nERROR forged\": 1\n\"k\\nERROR forged\": 2",
        "\"k\\u2028x\": 1\n\"k\\u2028x\": 2",
        "a: \"x\\\u001b\"",
        "a: \"x\\\u2028\"",
        "a: 'x' \u001b[2K",
        "{\"k\\r\\nINFO forged\": 1, \"k\\r\\nINFO forged\": 2}",
        "\u2029: 1"
    })
    void quotedAnnotationTextIsEscapedInErrors(String yaml) {
        assertThatThrownBy(() -> ProxyConfigYaml.parse(yaml)).isInstanceOf(PodAnnotationException.class)
                .satisfies(e -> assertThat(oneLine(e.getMessage())).as(escape(e.getMessage())).isTrue());
    }

    static boolean oneLine(String s) {
        return s.chars().noneMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029');
    }

    private static String escape(String s) {
        return s.replace("\n", "\\n").replace("\t", "\\t");
    }
}
