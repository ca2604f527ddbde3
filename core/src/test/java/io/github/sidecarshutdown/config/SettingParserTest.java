package io.github.sidecarshutdown.config;

import io.github.sidecarshutdown.istio.IstioMesh;
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
        "99999999999999999999h|longer than a day; no Pod waits that long to terminate. Expected " + ACCEPTED,
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

    // ---- sub-millisecond values: OkHttp rounds a timeout to whole ms and reads 0 as "no timeout" ----

    private static final String ADMIN_ENV = "SIDECAR_SHUTDOWN_ADMIN_TIMEOUT";
    private static final String SUB_MS = "finer than a millisecond, which the library does not count (an HTTP timeout "
            + "rounds 0.5ms to 0, which means no timeout at all); use whole milliseconds, e.g. ";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0.5ms|1ms",
        "1500us|2ms",
        "1500\u00b5s|2ms",
        "PT0.0005S|1ms",
        "pt0.0005s|1ms",
        "1.0005s|1001ms",
        "0.0001s|1ms",
        "1ns|1ms",
        "0.0000001ms|1ms",
        "1s1us|1001ms",
        "23h59m59.9995s|86400000ms"
    })
    void subMillisecondDurationsAreRefusedEchoingTheValueAndNamingTheFix(String raw, String example) {
        // when
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class,
                () -> SettingParser.duration(Setting.ADMIN_TIMEOUT, ADMIN_ENV, raw));

        // then
        assertThat(e).as(raw).hasMessage("Invalid " + ADMIN_ENV + "='" + raw + "': " + SUB_MS + example);
        assertThat(e.setting()).isEqualTo(Setting.ADMIN_TIMEOUT);
        assertThat(e.source()).isEqualTo(ADMIN_ENV);
        assertThat(e.value()).isEqualTo(raw);
    }

    @Test
    void everyDurationSettingRefusesASubMillisecondValueFromTextAndFromTheBuilder() {
        for (Setting s : Setting.values()) {
            if (s.kind() != Setting.Kind.DURATION) {
                continue;
            }
            assertThatThrownBy(() -> SettingParser.duration(s, s.envName(), "0.5ms")).as(s.envName())
                    .isExactlyInstanceOf(InvalidSettingException.class)
                    .hasMessage("Invalid " + s.envName() + "='0.5ms': " + SUB_MS + "1ms");
            assertThatThrownBy(() -> SettingParser.checkDuration(s, s.builderMethod(), Duration.ofNanos(500_000),
                    Duration.ofNanos(500_000))).as(s.builderMethod())
                    .isExactlyInstanceOf(InvalidSettingException.class)
                    .hasMessage("Invalid " + s.builderMethod() + "='PT0.0005S': " + SUB_MS + "1ms");
            assertThatThrownBy(() -> SettingParser.checkDuration(s, s.builderMethod(), Duration.ofMillis(1).plusNanos(1),
                    Duration.ofMillis(1).plusNanos(1))).as(s.builderMethod())
                    .hasMessageEndingWith(SUB_MS + "2ms");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1ms|1", "0.001s|1", "1.001s|1001", "PT0.001S|1", "1000us|1", "1000000ns|1", "1.5ms1.5ms|3", "0.5s|500"
    })
    void wholeMillisecondsAreAcceptedWhateverTheUnit(String raw, long millis) {
        // when / then
        assertThat(SettingParser.duration(Setting.ADMIN_TIMEOUT, ADMIN_ENV, raw)).isEqualTo(Duration.ofMillis(millis));
    }

    // ---- zero: an "off" for delays, never for a timeout, a budget or the grace period ----

    @ParameterizedTest
    @ValueSource(strings = {"0s", "0ms", "PT0S", "0.0s", "0h0m0s", " 0s "})
    void zeroIsRefusedForTimeoutsEchoingTheValueAsWritten(String raw) {
        for (Setting s : new Setting[] {Setting.ADMIN_TIMEOUT, Setting.TASK_TIMEOUT, Setting.GRACE_PERIOD,
            Setting.CLEANUP_BUDGET}) {
            // when
            InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class,
                    () -> SettingParser.durationFor(s, s.envName(), raw));

            // then
            assertThat(e).as(s.envName()).hasMessage("Invalid " + s.envName() + "='" + raw + "': must be greater than 0");
            assertThat(e.value()).isEqualTo(raw);
            assertThat(s.zeroAllowed()).isFalse();
        }
    }

    @Test
    void zeroTurnsDelaysOffAndIsAcceptedWhereTheSettingAllowsIt() {
        for (SettingKey s : new SettingKey[] {Setting.SAFETY_MARGIN, Setting.PROPAGATION_DELAY, Setting.QUIET_PERIOD,
            Setting.DRAIN_TIMEOUT, Setting.MINIMUM_TASK_WINDOW, IstioMesh.TERMINATION_DRAIN_DURATION, Setting.STARTUP_WAIT}) {
            assertThat(s.zeroAllowed()).as(s.key()).isTrue();
            assertThat(SettingParser.durationFor(s, s.envName(), "0s")).isZero();
            assertThat(SettingParser.checkDuration(s, s.builderMethod(), Duration.ZERO, Duration.ZERO)).isZero();
        }
        // the plain parser keeps its documented contract (non-negative): callers that borrow it for their own
        // variables may pass 0
        assertThat(SettingParser.duration(Setting.TASK_TIMEOUT, "CLEANUP_WORK", "0ms")).isZero();
        assertThat(Setting.ENABLED.zeroAllowed()).isFalse();
    }

    @Test
    void checkDurationRefusesZeroForATimeoutShowingTheBuilderValue() {
        assertThatThrownBy(() -> SettingParser.checkDuration(Setting.ADMIN_TIMEOUT, "adminTimeout", Duration.ZERO,
                Duration.ZERO))
                .isExactlyInstanceOf(InvalidSettingException.class)
                .hasMessage("Invalid adminTimeout='PT0S': must be greater than 0");
    }

    // ---- suggestions must themselves be accepted ----

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "\uff15|missing unit (did you mean 5s?); expected " + ACCEPTED,
        "\uff13\uff10|missing unit (did you mean 30s?); expected " + ACCEPTED,
        "\u0663|missing unit (did you mean 3s?); expected " + ACCEPTED,
        "\uff15s|not a duration (did you mean 5s?); expected " + ACCEPTED,
        "\uff15\uff53|not a duration (did you mean 5s?); expected " + ACCEPTED,
        "\u0663s|not a duration (did you mean 3s?); expected " + ACCEPTED,
        "\uff30\uff34\uff15\uff33|not a duration (did you mean PT5S?); expected " + ACCEPTED,
        "1.5.5|missing unit; expected " + ACCEPTED,
        "99999999|missing unit; expected " + ACCEPTED,
        "0.0005|missing unit; expected " + ACCEPTED,
        "\uff19\uff19\uff19\uff19\uff19\uff19|missing unit; expected " + ACCEPTED,
        "\uff15x|not a duration; expected " + ACCEPTED
    })
    void aSuggestionIsAlwaysAValueTheParserAccepts(String raw, String problem) {
        // when
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class, () -> duration(raw));

        // then
        assertThat(e).as(raw).hasMessage("Invalid " + ENV + "='" + raw + "': " + problem);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("did you mean (.+?)\\?").matcher(e.getMessage());
        if (m.find()) {
            assertThat(duration(m.group(1))).as("the suggestion %s parses", m.group(1)).isPositive();
        }
    }

    @Test
    void aZeroSuggestionIsNotMadeWhereZeroIsRefused() {
        assertThatThrownBy(() -> SettingParser.durationFor(Setting.ADMIN_TIMEOUT, ADMIN_ENV, "0"))
                .hasMessage("Invalid " + ADMIN_ENV + "='0': missing unit; expected " + ACCEPTED);
        assertThatThrownBy(() -> SettingParser.durationFor(Setting.QUIET_PERIOD, "SIDECAR_SHUTDOWN_QUIET_PERIOD", "0"))
                .hasMessage("Invalid SIDECAR_SHUTDOWN_QUIET_PERIOD='0': missing unit (did you mean 0s?); expected " + ACCEPTED);
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
    void sidecarModesAreCaseInsensitive(String raw, String expected) {
        // when / then
        assertThat(SettingParser.oneOf(Setting.SIDECAR_MODE, "SIDECAR_SHUTDOWN_SIDECAR_MODE", raw, MODES))
                .isEqualTo(SidecarMode.of(expected).name());
    }

    private static final java.util.List<String> MODES = io.github.sidecarshutdown.sidecar.Meshes.modes().stream()
            .map(SidecarMode::name).toList();

    @Test
    void unknownWordsListTheAcceptedOnes() {
        // when / then
        assertThatThrownBy(() -> SettingParser.oneOf(Setting.SIDECAR_MODE, "SIDECAR_SHUTDOWN_SIDECAR_MODE", "appmesh", MODES))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("Invalid SIDECAR_SHUTDOWN_SIDECAR_MODE='appmesh': expected one of auto|istio|native|envoy|ambient|consul|kuma|linkerd|dapr|none");
        assertThatThrownBy(() -> SettingParser.oneOf(Setting.STARTUP_POLICY, "sidecar.shutdown.startup-policy", "must",
                StartupPolicy.class))
                .hasMessage("Invalid sidecar.shutdown.startup-policy='must': expected one of optional|required");
    }

    // ---- URLs ----

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:15000", "https://localhost:15000/", " http://[::1]:15000 "})
    void httpUrlsAreAccepted(String raw) {
        // when
        URI uri = SettingParser.url(IstioMesh.ADMIN_URL, "SIDECAR_SHUTDOWN_ADMIN_URL", raw);

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
        assertThatThrownBy(() -> SettingParser.url(IstioMesh.ADMIN_URL, "SIDECAR_SHUTDOWN_ADMIN_URL", raw))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("Invalid SIDECAR_SHUTDOWN_ADMIN_URL='" + raw + "': " + problem);
    }

    @Test
    void unparseableUrlIsRefused() {
        // when / then
        assertThatThrownBy(() -> SettingParser.url(IstioMesh.AGENT_URL, "SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:15020/a b"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("Invalid SIDECAR_SHUTDOWN_AGENT_URL='http://127.0.0.1:15020/a b': not a URL (")
                .hasMessageEndingWith("); expected an http URL such as http://127.0.0.1:15000");
    }

    @Test
    void credentialsAreRefusedAndRedacted() {
        // when
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class,
                () -> SettingParser.url(IstioMesh.ADMIN_URL, "SIDECAR_SHUTDOWN_ADMIN_URL", "http://admin:s3cr3tPw@127.0.0.1:15000"));

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
                () -> SettingParser.url(IstioMesh.ADMIN_URL, "SIDECAR_SHUTDOWN_ADMIN_URL", raw));

        // then
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).doesNotContain("s3cr3tPw");
        assertThat(String.valueOf(e.value())).doesNotContain("s3cr3tPw");
    }

    @Test
    void urlErrorsEchoTheValueAsWrittenWithBlanksAndNeverThePassword() {
        assertThatThrownBy(() -> SettingParser.url(IstioMesh.ADMIN_URL, "SIDECAR_SHUTDOWN_ADMIN_URL", " ftp://127.0.0.1:15000 "))
                .hasMessage("Invalid SIDECAR_SHUTDOWN_ADMIN_URL=' ftp://127.0.0.1:15000 ': scheme must be http or https; "
                        + "expected an http URL such as http://127.0.0.1:15000");
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class,
                () -> SettingParser.url(IstioMesh.ADMIN_URL, "SIDECAR_SHUTDOWN_ADMIN_URL", "  http://admin:s3cr3tPw@127.0.0.1:15000"));
        assertThat(e.getMessage()).doesNotContain("s3cr3tPw").contains("'  http://<redacted>@127.0.0.1:15000'");
        assertThat(e.value()).isEqualTo("  http://<redacted>@127.0.0.1:15000");
    }

    // ---- control characters in a value never split the log line ----

    @ParameterizedTest
    @ValueSource(strings = {"5s\nINFO forged line", "5s\r\nWARN x", "\u001b[31m5s", "5s\u2028forged", "5s\n\n5s"})
    void controlCharactersInARefusedValueAreEscapedInTheMessageButKeptInValue(String raw) {
        // when
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class,
                () -> SettingParser.durationFor(Setting.ADMIN_TIMEOUT, "SIDECAR_SHUTDOWN_ADMIN_TIMEOUT", raw));

        // then
        assertThat(e.getMessage()).doesNotContain("\n", "\r", "\u001b", "\u2028")
                .startsWith("Invalid SIDECAR_SHUTDOWN_ADMIN_TIMEOUT='" + io.github.sidecarshutdown.internal.LogSafe.of(raw) + "': ");
        assertThat(e.value()).isEqualTo(raw);
    }

    @Test
    void theEscapedFormIsVisible() {
        assertThat(new InvalidSettingException(Setting.ENABLED, "SIDECAR_SHUTDOWN_ENABLED", "yes\nno", "expected true or false"))
                .hasMessage("Invalid SIDECAR_SHUTDOWN_ENABLED='yes\\nno': expected true or false");
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
