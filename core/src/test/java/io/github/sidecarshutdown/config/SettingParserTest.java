package io.github.sidecarshutdown.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.sidecarshutdown.StartupPolicy;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingParserTest {

    private static final String ENV = "SIDECAR_SHUTDOWN_GRACE_PERIOD";
    private static final String ACCEPTED = "a duration such as 500ms, 5s, 2m, 1m30s or PT5S (0 where a setting can be off)";

    private static Duration duration(String raw) {
        return SettingParser.duration(Setting.GRACE_PERIOD, ENV, raw);
    }

    // ---- durations ----

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "5s|5000",
        "500ms|500",
        "PT5S|5000",
        "pt5s|5000",
        "1m30s|90000",
        "1.5s|1500",
        "2h|7200000",
        "0s|0",
        "'  5S  '|5000",
        "2m|120000",
        "1h30m|5400000",
        "1.25m|75000",
        "24h|86400000",
        "P1D|86400000"
    })
    void acceptedDurations(String raw, long millis) {
        // when
        Duration d = duration(raw);

        // then
        assertThat(d.toMillis()).isEqualTo(millis);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "30|missing unit (did you mean 30s?); expected " + ACCEPTED,
        "2.5|missing unit (did you mean 2.5s?); expected " + ACCEPTED,
        "-5s|must not be negative; expected " + ACCEPTED,
        "abc|not a duration; expected " + ACCEPTED,
        "``|empty; expected " + ACCEPTED,
        "`   `|empty; expected " + ACCEPTED,
        "5 s|not a duration; expected " + ACCEPTED,
        "5sec|not a duration; expected " + ACCEPTED,
        "1.5.5s|not a duration; expected " + ACCEPTED,
        "5d|not a duration; expected " + ACCEPTED,
        "PT5X|not an ISO-8601 duration; expected " + ACCEPTED,
        "48h|longer than a day; no Pod waits that long to terminate. Expected " + ACCEPTED,
        "1441m|longer than a day; no Pod waits that long to terminate. Expected " + ACCEPTED,
        "99999999999999999999h|longer than a day; expected " + ACCEPTED,
        "-PT5S|must not be negative"
    })
    void refusedDurationsNameTheVariableTheValueAndTheFix(String raw, String problem) {
        // when
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class, () -> duration(raw));

        // then
        assertThat(e).hasMessage("Invalid " + ENV + "='" + raw + "': " + problem);
        assertThat(e.setting()).isEqualTo(Setting.GRACE_PERIOD);
        assertThat(e.source()).isEqualTo(ENV);
        assertThat(e.value()).isEqualTo(raw);
    }

    @Test
    void checkDurationShowsTheValueAsGiven() {
        // when / then
        assertThatThrownBy(() -> SettingParser.checkDuration(Setting.DRAIN_TIMEOUT, "drainTimeout", "PT25H",
                Duration.ofHours(25)))
                .hasMessage("Invalid drainTimeout='PT25H': longer than a day; no Pod waits that long to terminate. Expected "
                        + ACCEPTED);
        assertThat(SettingParser.checkDuration(Setting.DRAIN_TIMEOUT, "drainTimeout", "PT24H", Duration.ofDays(1)))
                .isEqualTo(Duration.ofDays(1));
    }

    // ---- booleans and words ----

    @ParameterizedTest
    @CsvSource({"true,true", "TRUE,true", "yes,true", "on,true", "' true ',true", "false,false", "No,false", "off,false"})
    void booleans(String raw, boolean expected) {
        // when / then
        assertThat(SettingParser.bool(Setting.ENABLED, "SIDECAR_SHUTDOWN_ENABLED", raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "0", "maybe", "", "truee"})
    void nonBooleansAreRefused(String raw) {
        // when / then
        assertThatThrownBy(() -> SettingParser.bool(Setting.ENABLED, "SIDECAR_SHUTDOWN_ENABLED", raw))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("Invalid SIDECAR_SHUTDOWN_ENABLED='" + raw + "': expected true or false");
    }

    @ParameterizedTest
    @CsvSource({"auto,AUTO", "istio,ISTIO", "ENVOY,ENVOY", "' Native ',NATIVE", "linkerd,LINKERD", "Dapr,DAPR", "none,NONE"})
    void sidecarModesAreCaseInsensitive(String raw, SidecarMode expected) {
        // when / then
        assertThat(SettingParser.oneOf(Setting.SIDECAR_MODE, "SIDECAR_SHUTDOWN_SIDECAR_MODE", raw, SidecarMode.class))
                .isEqualTo(expected);
    }

    @Test
    void unknownWordsListTheAcceptedOnes() {
        // when / then
        assertThatThrownBy(() -> SettingParser.oneOf(Setting.SIDECAR_MODE, "SIDECAR_SHUTDOWN_SIDECAR_MODE", "consul",
                SidecarMode.class))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("Invalid SIDECAR_SHUTDOWN_SIDECAR_MODE='consul': expected one of auto|istio|envoy|native|linkerd|dapr|none");
        assertThatThrownBy(() -> SettingParser.oneOf(Setting.STARTUP_POLICY, "sidecar.shutdown.startup-policy", "must",
                StartupPolicy.class))
                .hasMessage("Invalid sidecar.shutdown.startup-policy='must': expected one of optional|required");
    }

    // ---- URLs ----

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:15000", "https://localhost:15000/", " http://[::1]:15000 "})
    void httpUrlsAreAccepted(String raw) {
        // when
        URI uri = SettingParser.url(Setting.ADMIN_URL, "SIDECAR_SHUTDOWN_ADMIN_URL", raw);

        // then
        assertThat(uri).isEqualTo(URI.create(raw.trim()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ftp://127.0.0.1:15000|scheme must be http or https; expected an http URL such as http://127.0.0.1:15000",
        "127.0.0.1|scheme must be http or https; expected an http URL such as http://127.0.0.1:15000",
        "http:///ready|no host; expected an http URL such as http://127.0.0.1:15000"
    })
    void badUrlsAreRefusedWithTheFix(String raw, String problem) {
        // when / then
        assertThatThrownBy(() -> SettingParser.url(Setting.ADMIN_URL, "SIDECAR_SHUTDOWN_ADMIN_URL", raw))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("Invalid SIDECAR_SHUTDOWN_ADMIN_URL='" + raw + "': " + problem);
    }

    @Test
    void unparseableUrlIsRefused() {
        // when / then
        assertThatThrownBy(() -> SettingParser.url(Setting.AGENT_URL, "SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:15020/a b"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("Invalid SIDECAR_SHUTDOWN_AGENT_URL='http://127.0.0.1:15020/a b': not a URL (")
                .hasMessageEndingWith("); expected an http URL such as http://127.0.0.1:15000");
    }

    @Test
    void credentialsAreRefusedAndRedacted() {
        // when
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class,
                () -> SettingParser.url(Setting.ADMIN_URL, "SIDECAR_SHUTDOWN_ADMIN_URL", "http://admin:s3cr3tPw@127.0.0.1:15000"));

        // then
        assertThat(e).hasMessage("Invalid SIDECAR_SHUTDOWN_ADMIN_URL='http://<redacted>@127.0.0.1:15000': must not contain "
                + "credentials (user:password@); the Envoy admin port takes none");
        assertThat(e.value()).isEqualTo("http://<redacted>@127.0.0.1:15000");
    }

    /** Regression: scheme, host and syntax checks once ran first and echoed the password. */
    @ParameterizedTest
    @ValueSource(strings = {
        "ftp://admin:s3cr3tPw@127.0.0.1:15000",
        "http://admin:s3cr3tPw@under_score:15000",
        "http://admin:s3cr3tPw@127.0.0.1:15000/a b"
    })
    void credentialsAreNeverEchoedEvenWhenAnotherCheckFailsFirst(String raw) {
        // when
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class,
                () -> SettingParser.url(Setting.ADMIN_URL, "SIDECAR_SHUTDOWN_ADMIN_URL", raw));

        // then
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).doesNotContain("s3cr3tPw");
        assertThat(String.valueOf(e.value())).doesNotContain("s3cr3tPw");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1",
        "[0:0:0:0:0:0:0:1]"})
    void loopbackHosts(String host) {
        // when / then
        assertThat(SettingParser.isLoopback(host)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "0.0.0.0", "128.0.0.1", "127.0.0.1.nip.io", "localhost.example.com", "::2",
        "[::]", "example.com", "1127.0.0.1"})
    void nonLoopbackHosts(String host) {
        // when / then
        assertThat(SettingParser.isLoopback(host)).isFalse();
    }

    // ---- Setting names ----

    @Test
    void everySettingHasConsistentUniqueNamesInEveryFrontEnd() {
        // when / then
        assertThat(Setting.GRACE_PERIOD.envName()).isEqualTo("SIDECAR_SHUTDOWN_GRACE_PERIOD");
        assertThat(Setting.GRACE_PERIOD.propertyName()).isEqualTo("sidecar.shutdown.grace-period");
        assertThat(Setting.GRACE_PERIOD.builderMethod()).isEqualTo("gracePeriod");
        assertThat(Setting.ALLOW_NON_LOOPBACK.envName()).isEqualTo("SIDECAR_SHUTDOWN_ALLOW_NON_LOOPBACK");
        assertThat(Setting.ALLOW_NON_LOOPBACK.propertyName()).isEqualTo("sidecar.shutdown.allow-non-loopback");
        assertThat(Setting.ENABLED.envName()).isEqualTo("SIDECAR_SHUTDOWN_ENABLED");
        assertThat(Setting.values()).allSatisfy(s -> {
            assertThat(s.key()).matches("[a-z]+(-[a-z]+)*");
            assertThat(s.envName()).isEqualTo("SIDECAR_SHUTDOWN_" + s.name());
            assertThat(s.propertyName()).isEqualTo("sidecar.shutdown." + s.key());
            assertThat(s.builderMethod()).isEqualTo(camel(s.key()));
        });
        assertThat(Arrays.stream(Setting.values()).map(Setting::envName)).doesNotHaveDuplicates();
    }

    private static String camel(String kebab) {
        StringBuilder sb = new StringBuilder();
        for (String part : kebab.split("-")) {
            sb.append(sb.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return sb.toString();
    }
}
