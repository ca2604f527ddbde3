package io.github.sidecarshutdown.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import okhttp3.OkHttpClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "1, 1",             // 1 ns: a deadline about to pass still gets 1 ms, never "no timeout"
        "400000, 1",
        "999999, 1",
        "1000000, 1",
        "1000001, 2",
        "1500000, 2",
        "5000000000, 5000",
        "5000000001, 5001"
    })
    void aPositiveTimeoutIsRoundedUpToWholeMilliseconds(long nanos, long millis) {
        // when
        Duration d = Durations.ceilMillis(Duration.ofNanos(nanos));

        // then
        assertThat(d).isEqualTo(Duration.ofMillis(millis));
        assertThat(d.getNano() % 1_000_000).isZero();
    }

    @ParameterizedTest
    @CsvSource({"0", "-1", "-1500000"})
    void zeroAndNegativeAreLeftForTheCallerToRefuse(long nanos) {
        assertThat(Durations.ceilMillis(Duration.ofNanos(nanos))).isEqualTo(Duration.ofNanos(nanos));
    }

    /** Why: OkHttp keeps whole milliseconds of a Duration and reads 0 as "no timeout". */
    @ParameterizedTest
    @CsvSource({"1", "400000", "999999"})
    void okHttpWouldTurnTheRawValueIntoNoTimeoutButNotTheRoundedOne(long nanos) {
        Duration raw = Duration.ofNanos(nanos);
        assertThat(new OkHttpClient.Builder().callTimeout(raw).build().callTimeoutMillis()).isZero();
        assertThat(new OkHttpClient.Builder().callTimeout(Durations.ceilMillis(raw)).build().callTimeoutMillis()).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource({"86400000000000", "9223372036854775807"})
    void largeValuesDoNotOverflow(long nanos) {
        Duration d = Duration.ofNanos(nanos).plusSeconds(1_000_000_000L);
        assertThat(Durations.ceilMillis(d)).isGreaterThanOrEqualTo(d);
    }

    /** Every whole-millisecond value up to two minutes reads as the String.format-based form it replaced. */
    @org.junit.jupiter.api.Test
    void formatWritesSecondsAsStringFormatDid() {
        for (long ms = 0; ms <= 120_000; ms++) {
            String expected;
            if (ms < 1000) {
                expected = ms + "ms";
            } else if (ms < 60_000) {
                expected = ms % 1000 == 0 ? ms / 1000 + "s"
                        : String.format(java.util.Locale.ROOT, "%.3fs", ms / 1000.0).replaceAll("0+s$", "s");
            } else {
                long s = ms / 1000;
                expected = s / 60 + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
            }
            assertThat(Durations.format(Duration.ofMillis(ms))).as("%d ms", ms).isEqualTo(expected);
        }
        assertThat(Durations.format(Duration.ofNanos(1500))).isEqualTo("1us");
        assertThat(Durations.format(Duration.ofMillis(-1050))).isEqualTo("-1.05s");
    }
}
