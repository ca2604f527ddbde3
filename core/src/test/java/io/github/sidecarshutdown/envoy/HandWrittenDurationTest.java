package io.github.sidecarshutdown.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerInfo#protoDuration}, written out by hand so that a plan or a sequence in a fresh JVM
 * compiles no regex for what Envoy prints, reads exactly what the regex it replaced read, to the
 * nanosecond: edge cases, then random strings of the characters that matter.
 */
class HandWrittenDurationTest {

    private static final Pattern PROTO_DURATION = Pattern.compile("(\\d{1,12})(?:\\.(\\d{1,9}))?s");

    private static Optional<Duration> byRegex(String t) {
        Matcher p = PROTO_DURATION.matcher(t);
        if (!p.matches()) {
            return Optional.empty();
        }
        long nanos = p.group(2) == null ? 0 : Long.parseLong((p.group(2) + "00000000").substring(0, 9));
        return Optional.of(Duration.ofSeconds(Long.parseLong(p.group(1)), nanos));
    }

    @Test
    void readsWhatTheRegexRead() {
        List<String> corpus = new ArrayList<>(List.of("5s", "0s", "1.5s", "20.000000001s", "999999999999s",
                "9999999999999s", "1.1234567891s", "1.s", ".5s", "s", "", "5", "5ss", "1m30s", "500ms", "-5s", "+5s",
                " 5s", "5s ", "1.5.5s", "\u0665s", "٥s", "00000000000005s", "1.000000000s"));
        Random random = new Random(24);
        String alphabet = "0123456789.smh -";
        for (int i = 0; i < 50_000; i++) {
            int n = random.nextInt(16);
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < n; j++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            // most random strings miss the shape: end half of them with 's' to reach the accepting paths
            corpus.add(random.nextBoolean() ? sb.append('s').toString() : sb.toString());
        }
        int accepted = 0;
        for (String t : corpus) {
            Optional<Duration> expected = byRegex(t);
            assertThat(ServerInfo.protoDuration(t)).as("protoDuration(\"%s\")", t).isEqualTo(expected);
            accepted += expected.isPresent() ? 1 : 0;
        }
        assertThat(accepted).as("the corpus reaches the accepting paths").isGreaterThan(1_000);
    }

    @Test
    void goDurationsStillReadThroughTheGoGrammar() {
        assertThat(ServerInfo.duration("1m30s")).contains(Duration.ofSeconds(90));
        assertThat(ServerInfo.duration("500ms")).contains(Duration.ofMillis(500));
        assertThat(ServerInfo.duration("1h")).contains(Duration.ofHours(1));
        assertThat(ServerInfo.duration(" 2.5s ")).contains(Duration.ofMillis(2500));
        assertThat(ServerInfo.duration("soon")).isEmpty();
    }
}
