package io.github.sidecarshutdown.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scenario matrix: every emulated sidecar mode x cleanup work that fits
 * the window, that nearly fills it, and that outlasts it x with and without the library, each a
 * real Pod deletion (two processes, real SIGTERM, inbound load until endpoints forget the Pod).
 * Durations are shortened (a 2 s window) so the matrix fits in a few minutes of CI.
 *
 * <p>With the library: every cleanup call the window allows arrives; where it cannot, the report
 * says so and nothing hangs; a classic sidecar exits within 500 ms of the app; no inbound request
 * fails where the sidecar forwards inbound at all. Without it, the known failures of
 * istio/istio#7136 show up, so the matrix can tell the two apart.
 */
class ScenarioMatrixIT {

    private static final Duration WINDOW = Duration.ofSeconds(2);
    private static final Duration DELAY = Duration.ofMillis(400);
    private static final Duration ENDPOINTS = Duration.ofMillis(250);

    /** Modes whose sidecar keeps forwarding outbound after SIGTERM (at least for a while). */
    private static final Set<String> OUTBOUND_SURVIVES = Set.of("ISTIO_1_5", "ISTIO_1_5_LONG", "ISTIO_1_26",
            "EXIT_ON_ZERO_ACTIVE_CONNECTIONS", "NATIVE", "NONE");
    /** Modes where the sidecar keeps accepting inbound while the app drains. */
    private static final Set<String> INBOUND_SURVIVES = OUTBOUND_SURVIVES;
    /** Classic Istio modes whose sidecar the library releases. */
    private static final Set<String> RELEASED = Set.of("ISTIO_1_5", "ISTIO_1_5_LONG", "ISTIO_1_26",
            "EXIT_ON_ZERO_ACTIVE_CONNECTIONS");
    /** Modes where outbound dies at the window and nothing extends it. */
    private static final Set<String> FIXED_WINDOW = Set.of("ISTIO_1_5", "ISTIO_1_26");

    static Stream<Arguments> matrix() {
        List<Arguments> cells = new ArrayList<>();
        for (String mode : List.of("ISTIO_1_0", "ISTIO_1_1", "ISTIO_1_5", "ISTIO_1_5_LONG", "ISTIO_1_26",
                "EXIT_ON_ZERO_ACTIVE_CONNECTIONS", "NATIVE", "NONE")) {
            for (Duration work : List.of(Duration.ofMillis(300), Duration.ofMillis(1000), Duration.ofMillis(3000))) {
                for (boolean library : List.of(false, true)) {
                    cells.add(Arguments.of(mode, work, library));
                }
            }
        }
        return cells.stream();
    }

    private static TerminationRun.Spec spec(String mode, Duration work, boolean library) {
        // ISTIO_1_5_LONG is the mesh-side fix: a window long enough for the longest work.
        String emulated = mode.equals("ISTIO_1_5_LONG") ? "ISTIO_1_5" : mode;
        Duration window = mode.equals("ISTIO_1_5_LONG") ? Duration.ofSeconds(6) : WINDOW;
        int calls = (int) Math.max(2, work.toMillis() / 250);
        return new TerminationRun.Spec(emulated, window, Duration.ofSeconds(1), work, calls, library, DELAY,
                Duration.ofSeconds(1), 6, ENDPOINTS, Duration.ofSeconds(20));
    }

    @ParameterizedTest(name = "{0}, cleanup {1}, library={2}")
    @MethodSource("matrix")
    void podDeletion(String mode, Duration work, boolean library) throws Exception {
        TerminationRun.Result r = TerminationRun.run(spec(mode, work, library));
        String timeline = r.termination().toTimelineText();

        // Always: the app ends by SIGTERM well before the grace period, and what it saw succeed arrived.
        assertThat(r.appExitCode()).as(timeline).isEqualTo(143);
        assertThat(r.appExitMs()).as(timeline).isLessThan(15_000);
        assertThat(r.cleanupDelivered()).as(timeline).isEqualTo(r.cleanupOk());

        boolean fitsWindow = work.plus(DELAY).plus(Duration.ofMillis(700)).compareTo(windowOf(mode)) < 0;
        if (library) {
            assertThat(r.report()).as("summary line printed%n%s", timeline).isNotEmpty();
            if (OUTBOUND_SURVIVES.contains(mode) && (!FIXED_WINDOW.contains(mode) || fitsWindow)) {
                assertThat(r.cleanupDelivered()).as("every call delivered%n%s", timeline).isEqualTo(r.cleanupSent());
                assertThat(r.report()).as(timeline).contains("cleanup-calls=succeeded");
            }
            if (FIXED_WINDOW.contains(mode)) {
                // No call failed while the window was open: the library never lets one out too late to be forwarded
                // without saying so.
                assertThat(r.failedCallsMs()).as(timeline).allSatisfy(ms -> assertThat(ms).isGreaterThanOrEqualTo(
                        windowOf(mode).toMillis() - 150));
                if (!fitsWindow && r.cleanupDelivered() < r.cleanupSent()) {
                    assertThat(r.report()).as(timeline).containsPattern("cleanup-calls=(timed_out|skipped|failed)");
                }
            }
            if (!OUTBOUND_SURVIVES.contains(mode)) {
                assertThat(r.cleanupDelivered()).as(timeline).isZero();
                assertThat(r.report()).as("the report says why%n%s", timeline).contains("degraded")
                        .containsPattern("cleanup-calls=(failed|skipped|timed_out)");
            }
            if (RELEASED.contains(mode)) {
                assertThat(r.sidecarExitMs()).as("the sidecar ends with the app%n%s", timeline)
                        .isLessThanOrEqualTo(r.appExitMs() + 500);
                if (fitsWindow || !FIXED_WINDOW.contains(mode)) {
                    // (past the window Envoy is already gone when the app is done: nothing to release)
                    assertThat(r.report()).as(timeline).contains("sidecar_release=succeeded");
                }
            }
            if (mode.equals("NATIVE")) {
                // Native mode: pilot-agent stays ready during the app's exit, so the library leaves it to the kubelet.
                assertThat(r.report()).as(timeline).contains("not released").contains("sidecar_release=skipped");
                assertThat(r.sidecarExitMs()).as(timeline).isGreaterThanOrEqualTo(r.appExitMs());
            }
            if (INBOUND_SURVIVES.contains(mode)) {
                assertThat(r.inboundFailed()).as("no inbound request failed%n%s", timeline).isZero();
            }
        } else {
            // The known failures without the library.
            if (!OUTBOUND_SURVIVES.contains(mode)) {
                assertThat(r.cleanupDelivered()).as(timeline).isZero();
            }
            if (FIXED_WINDOW.contains(mode) && work.compareTo(windowOf(mode)) > 0) {
                assertThat(r.cleanupDelivered()).as("calls after the window are lost%n%s", timeline)
                        .isLessThan(r.cleanupSent());
                assertThat(r.failedCallsMs()).as(timeline).isNotEmpty();
            }
            if (FIXED_WINDOW.contains(mode) || mode.equals("ISTIO_1_5_LONG")) {
                assertThat(r.sidecarExitMs()).as("the sidecar waits out its whole window%n%s", timeline)
                        .isGreaterThanOrEqualTo(windowOf(mode).toMillis() - 100);
            }
            if (INBOUND_SURVIVES.contains(mode)) {
                assertThat(r.inboundFailed()).as("the plain hook stops serving while endpoints still route%n%s", timeline)
                        .isPositive();
            }
        }
    }

    private static Duration windowOf(String mode) {
        return mode.equals("ISTIO_1_5_LONG") ? Duration.ofSeconds(6) : WINDOW;
    }
}
