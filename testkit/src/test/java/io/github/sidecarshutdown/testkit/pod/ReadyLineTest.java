package io.github.sidecarshutdown.testkit.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReadyLineTest {

    private static final String EMULATOR_LINE = "SIDECAR_EMULATOR_READY {\"admin\":15000,"
            + "\"agent\":15020, \"health\":15021,\"outbound\":15001,\"inbound\":15006}";

    @Test
    void parsesTheEmulatorsPortMap() {
        // given
        ReadyLine line = new ReadyLine("istio-proxy", EMULATOR_LINE, List.of(), Instant.EPOCH);

        // when / then
        assertThat(line.jsonPorts()).containsExactly(
                entry("admin", 15000), entry("agent", 15020), entry("health", 15021),
                entry("outbound", 15001), entry("inbound", 15006));
        assertThat(line.port("inbound")).isEqualTo(15006);
    }

    @Test
    void missingPortNamesTheContainerAndTheKey() {
        ReadyLine line = new ReadyLine("istio-proxy", EMULATOR_LINE, List.of(), Instant.EPOCH);
        assertThatThrownBy(() -> line.port("dns"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ready line of 'istio-proxy' has no port \"dns\": " + EMULATOR_LINE);
    }

    @Test
    void lineWithoutFlatIntegerObjectIsRejected() {
        assertThatThrownBy(() -> new ReadyLine("app", "READY", List.of(), Instant.EPOCH).jsonPorts())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ready line of 'app' has no JSON object: READY");
        assertThatThrownBy(() ->
                new ReadyLine("app", "READY {\"a\":\"x\"}", List.of(), Instant.EPOCH).jsonPorts())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ready line of 'app' has no flat JSON object of integers");
        assertThat(new ReadyLine("app", "READY {}", List.of(), Instant.EPOCH).jsonPorts()).isEmpty();
    }

    @Test
    void keepsThePatternsGroups() {
        // given
        Matcher matcher = Pattern.compile("port=(\\d+)( tls)?").matcher("APP port=8080 up");
        assertThat(matcher.find()).isTrue();

        // when
        ReadyLine line = ReadyLine.of("app", "APP port=8080 up", matcher, Instant.EPOCH);

        // then
        assertThat(line.groups()).containsExactly("port=8080", "8080", "");
        assertThat(line.group(1)).isEqualTo("8080");
    }

    private static java.util.Map.Entry<String, Integer> entry(String key, int value) {
        return java.util.Map.entry(key, value);
    }
}
