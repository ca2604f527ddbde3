package io.github.sidecarshutdown.istio;

import io.github.sidecarshutdown.pod.PodAnnotationException;

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

    /** What Istio users write in proxy.istio.io/config around the fields the library reads. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " ~ ", value = {
        "block sequence ~ proxyStatsMatcher:\\n  inclusionRegexps:\\n    - \".*outlier.*\"\\n    - \".*upstream_cx_.*\"\\n",
        "compact block sequence ~ proxyStatsMatcher:\\n  inclusionPrefixes:\\n  - cluster.outbound\\n  - listener\\n",
        "sequence of maps ~ tracing:\\n  custom_tags:\\n    - name: a\\n      literal:\\n        value: b\\n    - name: c\\n",
        "nested sequences ~ x:\\n  - - a\\n    - b\\n  - [c, [d, e]]\\n",
        "flow sequence ~ proxyStatsMatcher: {inclusionRegexps: [\".*outlier.*\", '.*cx_.*']}\\n",
        "flow sequence in block ~ proxyStatsMatcher:\\n  inclusionRegexps: [a, b]\\n",
        "empty flow sequence ~ extraStatTags: []\\n",
        "multi-line flow sequence ~ extraStatTags: [\\n    a,\\n    'b, c', \"d]\"\\n  ]\\n",
        "flow sequence with brackets in quotes ~ x: [\"]\", '[', \"a\\\\\"]\"]\\n",
        "apostrophe in a plain item ~ x: [it's, fine]\\n",
        "literal block scalar ~ x: |\\n  line one\\n    # not a comment\\n  - not a sequence\\n  terminationDrainDuration: not read\\n",
        "folded block scalar with header ~ x: >-\\n  folded\\n\\n  text\\n",
        "tab inside a block scalar ~ x: |\\n  a\\tb\\n  \\tc\\n",
        "document marker inside a block scalar ~ x: |\\n  ---\\n  y\\n",
        "anchor and alias ~ x: &anchor\\n  a: 1\\ny: *anchor\\n",
        "anchored scalar ~ x: &a 5s\\n",
        "tag ~ x: !!str 5\\n",
        "tagged sequence ~ x: !!seq\\n- a\\n- b\\n",
        "json form with arrays ~ {\"proxyStatsMatcher\": {\"inclusionRegexps\": [\".*outlier.*\"]}, \"x\": [[1], {\"a\": [2]}]}",
        "multi-line json with arrays ~ {\\n  \"extraStatTags\": [\\n    \"a\",\\n    \"b\"\\n  ]\\n}\\n",
        "multi-line flow map in block ~ proxyStatsMatcher: {\\n    inclusionRegexps: [a]\\n  }\\n",
        "anchor and tag in a flow map ~ x: {a: &b 1, c: !t 2, d: *b}\\n"
    })
    void skipsWhatItDoesNotReadAroundTheFieldsItReads(String name, String escaped) {
        // given a valid proxy config with the fields the library reads, plus the construct
        String construct = unescape(escaped);
        boolean json = construct.startsWith("{");
        String yaml = json ? construct : "terminationDrainDuration: 25s\n" + construct
                + "proxyMetadata:\n  MINIMUM_DRAIN_DURATION: 4s\n";

        // when
        Map<String, Object> m = ProxyConfigYaml.parse(yaml);

        // then the fields the library reads are read, whatever sits beside them
        if (!json) {
            assertThat(m).containsEntry("terminationDrainDuration", "25s")
                    .containsEntry("proxyMetadata", Map.of("MINIMUM_DRAIN_DURATION", "4s"));
        }
        assertThat(m).isNotEmpty();
    }

    @Test
    void skippedValuesSayWhatAndWhereTheyWere() {
        Map<String, Object> m = ProxyConfigYaml.parse("""
                a:
                  - x
                b: [1, 2]
                c: |
                  text
                d: &anchor 1
                e: *anchor
                f: !!str 5
                g: {h: [1]}
                """);
        assertThat(m.get("a")).isEqualTo(new ProxyConfigYaml.Unread(2, "a sequence"));
        assertThat(m.get("b")).isEqualTo(new ProxyConfigYaml.Unread(3, "a sequence"));
        assertThat(m.get("c")).isEqualTo(new ProxyConfigYaml.Unread(4, "a block scalar"));
        assertThat(m.get("d")).isEqualTo(new ProxyConfigYaml.Unread(6, "an anchored value (&)"));
        assertThat(m.get("e")).isEqualTo(new ProxyConfigYaml.Unread(7, "an alias (*)"));
        assertThat(m.get("f")).isEqualTo(new ProxyConfigYaml.Unread(8, "a tagged value (!)"));
        assertThat(m.get("g")).isEqualTo(Map.of("h", new ProxyConfigYaml.Unread(9, "a sequence")));
        assertThat(m).hasSize(7);
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " ~ ", value = {
        "- a\\n- b ~ 1 ~ sequence item where a key was expected",
        "a: 1\\n- b ~ 2 ~ sequence item where a key was expected",
        "a: [1, 2 ~ 1 ~ unclosed '['",
        "a: [1, 2\\nb: 3 ~ 1 ~ unclosed '['",
        "a: [1, 2}\\n ~ 1 ~ mismatched",
        "a: [1] x ~ 1 ~ unexpected text after the value of a",
        "a: [1]\\n  b: 2 ~ 2 ~ unexpected indentation",
        "a: |x\\n  t ~ 1 ~ block scalar header",
        "a: {b: 1\\nc: 2 ~ 1 ~ unclosed '{'",
        "a: 1\\n---\\nb: 2 ~ 2 ~ several YAML documents",
        "a: 1\\na: 2 ~ 2 ~ duplicate key a",
        "a:\\n\\tb: 1 ~ 2 ~ tab in indentation",
        "a: 1\\n   b: 2 ~ 2 ~ unexpected indentation",
        "a: 'open ~ 1 ~ unclosed single quote",
        "a: \"open ~ 1 ~ unclosed double quote",
        "a: \"bad \\\\q\" ~ 1 ~ unknown escape",
        "just text ~ 1 ~ expected 'key: value'",
        "a:1 ~ 1 ~ expected a space after ':'",
        "a: b: c ~ 1 ~ quote it",
        "{\"a\": 1,} ~ 1 ~ expected a key",
        "{\"a\": 1} x ~ 1 ~ after the closing brace",
        "{\"a\" 1} ~ 1 ~ expected ':'",
        "{\"a\": [1, 2} ~ 1 ~ mismatched"
    })
    void refusesWhatIsNotYamlNamingTheLine(String escaped, int line, String message) {
        // given
        String yaml = unescape(escaped);

        // when / then
        assertThatThrownBy(() -> ProxyConfigYaml.parse(yaml))
                .isInstanceOfSatisfying(PodAnnotationException.class, e -> assertThat(e.line()).isEqualTo(line))
                .hasMessageContaining(message);
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\");
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
                PodFacts f = PodFacts.fromAnnotations(io.github.sidecarshutdown.pod.PodAnnotations.parse(input), "fuzz");
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
