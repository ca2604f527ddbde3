package io.github.sidecarshutdown.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServerInfoTest {

    private static String istioWith(String metadataExtra, String proxyConfigExtra) {
        return "{\"state\":\"LIVE\",\"version\":\"abc/1.30.1/Clean/RELEASE/BoringSSL\","
                + "\"command_line_options\":{\"drain_time\":\"45s\"},"
                + "\"node\":{\"metadata\":{\"ISTIO_VERSION\":\"1.24.0\"" + metadataExtra + ","
                + "\"PROXY_CONFIG\":{\"terminationDrainDuration\":\"5s\"" + proxyConfigExtra + "}}}}";
    }

    /** JSON escapes of a newline, a carriage return, ESC, NEL and the Unicode line separator. */
    private static final String[] FORGERS = {"\\n", "\\r\\n", "\\u001b[2K", "\\u0085", "\\u2028", "\\u2029"};

    @Test
    void sidecarSuppliedStringsCannotForgeLogLines() {
        for (String forger : FORGERS) {
            // given a sidecar whose version strings carry a line break and a fake log line
            String body = "{\"state\":\"LIVE\",\"version\":\"abc/1.30.1" + forger + "ERROR forged envoy line\","
                    + "\"node\":{\"metadata\":{\"ISTIO_VERSION\":\"1.24.0" + forger + "ERROR forged istio line\"}}}";

            // when
            ServerInfo info = ServerInfo.parse(body);

            // then the text is kept, visibly, on one line
            assertThat(info.envoyVersion()).as(forger).startsWith("abc/1.30.1\\").endsWith("ERROR forged envoy line");
            assertThat(info.istioVersion()).as(forger).hasValueSatisfying(v ->
                    assertThat(v).startsWith("1.24.0\\").endsWith("ERROR forged istio line"));
            assertThat(oneLine(info.envoyVersion())).as(forger).isTrue();
            assertThat(oneLine(info.istioVersion().orElseThrow())).as(forger).isTrue();
            assertThat(oneLine(info.toString())).as(forger).isTrue();
        }
    }

    @Test
    void aLongVersionIsKeptWholeAndEscapedThroughout() {
        // a forger on each side of every point where an escaper working in chunks could slip
        StringBuilder version = new StringBuilder();
        for (int i = 0; i < 1_000; i++) {
            version.append(i % 199 == 0 || i % 200 == 0 || i % 201 == 0 ? "\\n" : "v");
        }
        ServerInfo info = ServerInfo.parse("{\"version\":\"" + version + "\"}");
        assertThat(oneLine(info.envoyVersion())).isTrue();
        assertThat(info.envoyVersion().replace("\\n", "\n")).isEqualTo(version.toString().replace("\\n", "\n"));
    }

    @Test
    void aBodyThatIsNotJsonIsReportedOnOneLine() {
        for (String bad : new String[] {"\u2028", "\u001b[31m", "{\"a\":\"\\\u2028\"}", "\r\nINFO forged"}) {
            assertThatThrownBy(() -> ServerInfo.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(oneLine(e.getMessage())).as(bad).isTrue());
        }
    }

    /** Whether {@code s} holds nothing a log appender or a terminal would treat as a new line or a control. */
    static boolean oneLine(String s) {
        return s.chars().noneMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029');
    }

    @Test
    void plainEnvoyBodyIsNotIstio() {
        // when
        ServerInfo info = ServerInfo.parse(ServerInfoBodies.PLAIN_ENVOY);

        // then
        assertThat(info.isIstio()).isFalse();
        assertThat(info.istioVersion()).isEmpty();
        assertThat(info.state()).isEqualTo(EnvoyState.LIVE);
        assertThat(info.envoyVersion()).isEqualTo("fedcba987654/1.34.2/Clean/RELEASE/BoringSSL");
        assertThat(info.drainTime()).contains(Duration.ofSeconds(600));
        assertThat(info.terminationDrainDuration()).isEmpty();
        assertThat(info.exitOnZeroActiveConnections()).isFalse();
        assertThat(info.minimumDrainDuration()).isEmpty();
        assertThat(info.holdApplicationUntilProxyStarts()).isEmpty();
    }

    @Test
    void emptyObjectHasEveryFieldAbsent() {
        // when
        ServerInfo info = ServerInfo.parse("{}");

        // then
        assertThat(info).isEqualTo(new ServerInfo(EnvoyState.UNKNOWN, "", java.util.Optional.empty(),
                java.util.Optional.empty(), java.util.Optional.empty(), false, java.util.Optional.empty(),
                java.util.Optional.empty()));
    }

    @ParameterizedTest
    @CsvSource({
        "5s, 5000",
        "1.5s, 1500",
        "0.25s, 250",
        "1m30s, 90000",
        "2m, 120000",
        "500ms, 500",
        "1h, 3600000",
        "1h1m1s, 3661000",
        "900s, 900000",
        "0s, 0",
        "1.123s, 1123"
    })
    void protoAndGoDurationsAreParsed(String text, long millis) {
        // given
        String body = "{\"node\":{\"metadata\":{\"ISTIO_VERSION\":\"1.26.2\",\"PROXY_CONFIG\":"
                + "{\"terminationDrainDuration\":\"" + text + "\"}}}}";

        // when
        ServerInfo info = ServerInfo.parse(body);

        // then
        assertThat(info.terminationDrainDuration()).contains(Duration.ofMillis(millis));
        assertThat(ServerInfo.duration(text)).contains(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "5", "abc", "-5s", "5 s", "s", "ms", "1.s", "5x", "PT5S"})
    void unreadableDurationsAreAbsent(String text) {
        // when / then
        assertThat(ServerInfo.duration(text)).isEmpty();
    }

    @Test
    void exitOnZeroAsStringInNodeMetadata() {
        // when
        ServerInfo info = ServerInfo.parse(istioWith(",\"EXIT_ON_ZERO_ACTIVE_CONNECTIONS\":\"true\"", ""));

        // then
        assertThat(info.exitOnZeroActiveConnections()).isTrue();
        assertThat(info.minimumDrainDuration()).isEmpty();
    }

    @Test
    void exitOnZeroAndMinimumDrainInProxyMetadata() {
        // when
        ServerInfo info = ServerInfo.parse(istioWith("",
                ",\"proxyMetadata\":{\"EXIT_ON_ZERO_ACTIVE_CONNECTIONS\":\"TRUE\",\"MINIMUM_DRAIN_DURATION\":\"10s\"}"));

        // then
        assertThat(info.exitOnZeroActiveConnections()).isTrue();
        assertThat(info.minimumDrainDuration()).contains(Duration.ofSeconds(10));
        assertThat(info.terminationDrainDuration()).contains(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"false\"", "false", "\"yes-please\"", "1", "null", "{}"})
    void exitOnZeroIsFalseUnlessTrue(String value) {
        // when
        ServerInfo info = ServerInfo.parse(istioWith(",\"EXIT_ON_ZERO_ACTIVE_CONNECTIONS\":" + value,
                ",\"proxyMetadata\":{\"EXIT_ON_ZERO_ACTIVE_CONNECTIONS\":" + value + "}"));

        // then
        assertThat(info.exitOnZeroActiveConnections()).isFalse();
    }

    @Test
    void holdApplicationAcceptsBooleanOrStringAndStateNamesAreRead() {
        // when / then
        assertThat(ServerInfo.parse("{\"state\":\"HOT_RESTARTING\"}").state()).isEqualTo(EnvoyState.UNKNOWN);
        assertThat(ServerInfo.parse("{\"state\":\"DRAINING\"}").state()).isEqualTo(EnvoyState.DRAINING);
        assertThat(ServerInfo.parse(istioWith("", ",\"holdApplicationUntilProxyStarts\":false"))
                .holdApplicationUntilProxyStarts()).contains(false);
        assertThat(ServerInfo.parse(istioWith("", ",\"holdApplicationUntilProxyStarts\":\"true\""))
                .holdApplicationUntilProxyStarts()).contains(true);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"node\":\"sidecar\"}",
        "{\"node\":{\"metadata\":[1,2]}}",
        "{\"node\":{\"metadata\":{\"ISTIO_VERSION\":{},\"PROXY_CONFIG\":\"5s\"}}}",
        "{\"node\":{\"metadata\":{\"ISTIO_VERSION\":null,\"PROXY_CONFIG\":{\"terminationDrainDuration\":{\"seconds\":5}}}}}",
        "{\"node\":{\"metadata\":{\"ISTIO_VERSION\":[\"1.26\"],\"PROXY_CONFIG\":{\"terminationDrainDuration\":5,"
                + "\"proxyMetadata\":\"x\"}}}}",
        "{\"node\":{\"metadata\":{\"ISTIO_VERSION\":\"   \"}}}",
        "{\"state\":{\"name\":\"LIVE\"},\"version\":[],\"command_line_options\":[\"drain_time\",\"45s\"]}",
        "{\"command_line_options\":null,\"node\":null}"
    })
    void missingOrWrongTypedFieldsAreAbsent(String body) {
        // when
        ServerInfo info = ServerInfo.parse(body);

        // then
        assertThat(info.isIstio()).isFalse();
        assertThat(info.state()).isEqualTo(EnvoyState.UNKNOWN);
        assertThat(info.envoyVersion()).isEmpty();
        assertThat(info.terminationDrainDuration()).isEmpty();
        assertThat(info.drainTime()).isEmpty();
        assertThat(info.exitOnZeroActiveConnections()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"LIVE\"", "42", "null", "true", "", "{", "{\"state\":}", "{} {}"})
    void nonObjectOrNonJsonIsIllegalArgument(String body) {
        // when / then
        assertThatThrownBy(() -> ServerInfo.parse(body)).isExactlyInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fuzzedBodiesEitherParseOrThrowIllegalArgument() {
        // given
        long seed = Long.getLong("fuzz.seed", 0x5EED_2026L);
        System.out.println("ServerInfoTest fuzz seed=" + seed + " (rerun with -Dfuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        List<String> inputs = new ArrayList<>();
        String fixture = ServerInfoBodies.ISTIO;
        for (int i = 0; i < 600; i++) {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            inputs.add(new String(bytes, StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 600; i++) {
            inputs.add(fixture.substring(0, random.nextInt(fixture.length())));
        }
        String alphabet = "{}[]\":,\\u0123456789abcdefnultrsE.-+ \n\t\u0000\u00e9\ud83d\ude00";
        for (int i = 0; i < 800; i++) {
            StringBuilder sb = new StringBuilder(fixture);
            int edits = 1 + random.nextInt(8);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(sb.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> sb.setCharAt(at, c);
                    case 1 -> sb.insert(at, c);
                    default -> sb.deleteCharAt(at);
                }
            }
            inputs.add(sb.toString());
        }
        inputs.add("[".repeat(10_000));
        inputs.add("{\"a\":".repeat(10_000));
        inputs.add("[".repeat(10_000) + "]".repeat(10_000));
        inputs.add("{\"node\":".repeat(5_000) + "{}" + "}".repeat(5_000));
        inputs.add("\"" + "\\u".repeat(1_000));
        inputs.add("{\"state\":\"" + "x".repeat(100_000) + "\"}");
        inputs.add("{\"n\":" + "9".repeat(10_000) + "}");
        inputs.add("{\"n\":1e999999999999}");
        inputs.add("{\"n\":-}");
        List<String> failures = new ArrayList<>();
        int parsed = 0;
        int refused = 0;

        // when
        for (int i = 0; i < inputs.size(); i++) {
            String input = inputs.get(i);
            try {
                ServerInfo info = ServerInfo.parse(input);
                assertThat(info.state()).isNotNull();
                assertThat(info.envoyVersion()).isNotNull();
                parsed++;
            } catch (IllegalArgumentException expected) {
                refused++;
            } catch (Throwable t) { // StackOverflowError, ClassCastException, NumberFormatException...
                failures.add("input #" + i + " (" + input.length() + " chars, starts "
                        + input.substring(0, Math.min(40, input.length())).replace("\n", "\\n") + "): " + t);
            }
        }

        // then
        assertThat(inputs).hasSizeGreaterThanOrEqualTo(2_000);
        assertThat(failures).as("seed %d", seed).isEmpty();
        assertThat(parsed).as("some mutations still parse").isPositive();
        assertThat(refused).as("most garbage is refused").isGreaterThan(1_000);
    }
}
