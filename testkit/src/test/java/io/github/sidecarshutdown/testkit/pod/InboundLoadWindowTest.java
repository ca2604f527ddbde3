package io.github.sidecarshutdown.testkit.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a test checks before it trusts a verdict that needs load in a stretch of time. */
class InboundLoadWindowTest {

    private static InboundRequest sent(int client, long atMs) {
        return new InboundRequest(client, Duration.ofMillis(atMs), Duration.ofMillis(5), InboundOutcome.OK, 200, "");
    }

    private static final InboundLoadResult RESULT = new InboundLoadResult(List.of(
            sent(0, -300), sent(1, -10), sent(0, 0), sent(2, 100), sent(0, 150), sent(1, 600), sent(3, 700)), 50);

    @Test
    void countsOnlyTheRequestsSentInsideTheWindowAndTheClientsThatSentThem() {
        InboundLoadWindow w = RESULT.window(Duration.ZERO, Duration.ofMillis(700));

        assertThat(w.sent()).isEqualTo(4); // 0, 100, 150, 600: -10 is before, 700 is the (exclusive) end
        assertThat(w.clientsSending()).isEqualTo(3);
        assertThat(w.clients()).isEqualTo(50);
        assertThat(w.requestsPerSecond()).isCloseTo(4 / 0.7, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void theLongestSilenceCountsTheWindowsEdges() {
        // between 150 and 600 nothing was sent
        assertThat(RESULT.window(Duration.ZERO, Duration.ofMillis(700)).longestSilence()).isEqualTo(Duration.ofMillis(450));
        // from the last send (700) to the window's end
        assertThat(RESULT.window(Duration.ZERO, Duration.ofMillis(2000)).longestSilence()).isEqualTo(Duration.ofMillis(1300));
        // from the window's start to the first send inside it
        assertThat(RESULT.window(Duration.ofMillis(-1000), Duration.ofMillis(-200)).longestSilence())
                .isEqualTo(Duration.ofMillis(700));
    }

    @Test
    void aWindowWithoutRequestsIsOneSilence() {
        InboundLoadWindow w = RESULT.window(Duration.ofMillis(800), Duration.ofMillis(1800));

        assertThat(w.sent()).isZero();
        assertThat(w.clientsSending()).isZero();
        assertThat(w.longestSilence()).isEqualTo(Duration.ofSeconds(1));
        assertThat(w.requestsPerSecond()).isZero();
        assertThat(InboundLoadResult.empty().window(Duration.ZERO, Duration.ZERO).requestsPerSecond()).isZero();
    }

    @Test
    void describesItselfForAnInconclusiveRunsMessage() {
        assertThat(RESULT.window(Duration.ZERO, Duration.ofMillis(700))).hasToString(
                "4 requests from 3 of 50 clients in [0 ms, 700 ms) after the deletion (5.7/s, longest silence 450 ms)");
        assertThat(new InboundLoadResult(List.of(sent(4, 10))).window(Duration.ZERO, Duration.ofMillis(100)).toString())
                .contains("from 1 of 1 clients");
        assertThat(InboundLoadResult.empty().window(Duration.ZERO, Duration.ofMillis(100)).toString())
                .contains("0 requests from 0 of ? clients");
    }

    @Test
    void rejectsAWindowThatEndsBeforeItStarts() {
        assertThatThrownBy(() -> RESULT.window(Duration.ofMillis(5), Duration.ofMillis(4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("to: PT0.004S (expected: >= from PT0.005S)");
        assertThatThrownBy(() -> new InboundLoadResult(List.of(), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("clients: -1 (expected: >= 0)");
    }
}
