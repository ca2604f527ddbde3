package io.github.sidecarshutdown.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.sidecar.Meshes;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnknownVariablesTest {

    private static Set<String> known() {
        return UnknownVariables.libraryVariables();
    }

    @Test
    void theLibrarysVariablesAreEverySettingsAndEveryMeshs() {
        assertThat(known()).contains("SIDECAR_SHUTDOWN_GRACE_PERIOD", "SIDECAR_SHUTDOWN_KUMA_ADMIN_URL")
                .hasSize(Setting.values().length + Meshes.settings().size()).allMatch(n -> n.startsWith(UnknownVariables.PREFIX));
    }

    @ParameterizedTest
    @CsvSource({
            "SIDECAR_SHUTDOWN_GRACEPERIOD, SIDECAR_SHUTDOWN_GRACE_PERIOD",          // an underscore left out
            "SIDECAR_SHUTDOWN_Grace_Period, SIDECAR_SHUTDOWN_GRACE_PERIOD",         // case
            "SIDECAR_SHUTDOWN_GRACE_PERIDO, SIDECAR_SHUTDOWN_GRACE_PERIOD",         // two letters swapped
            "SIDECAR_SHUTDOWN_PROPAGATION_DELAYS, SIDECAR_SHUTDOWN_PROPAGATION_DELAY",
            "SIDECAR_SHUTDOWN_ADMINURL, SIDECAR_SHUTDOWN_ADMIN_URL",
            "SIDECAR_SHUTDOWN_KUMA_ADMIN_URI, SIDECAR_SHUTDOWN_KUMA_ADMIN_URL"})
    void aMisspelledVariableIsMatchedToTheSettingItMeant(String typed, String meant) {
        assertThat(UnknownVariables.closest(typed, known())).isEqualTo(meant);
        assertThat(UnknownVariables.describe(typed, known())).isEqualTo(typed
                + " names no sidecar-shutdown setting and is ignored; did you mean " + meant + "? Every setting: docs/configuration.md");
    }

    @Test
    void aNameCloseToNoSettingGetsNoGuess() {
        assertThat(UnknownVariables.closest("SIDECAR_SHUTDOWN_FEATURE_FLAGS", known())).isNull();
        assertThat(UnknownVariables.describe("SIDECAR_SHUTDOWN_FEATURE_FLAGS", known()))
                .isEqualTo("SIDECAR_SHUTDOWN_FEATURE_FLAGS names no sidecar-shutdown setting and is ignored. Every setting: docs/configuration.md");
    }

    @Test
    void onlyPrefixedNamesThatAreNoSettingAreUnknown() {
        assertThat(UnknownVariables.in(List.of("SIDECAR_SHUTDOWN_GRACE_PERIOD", "SIDECAR_SHUTDOWN_GRACEPERIOD", "PATH",
                "sidecar_shutdown_grace_period", "SIDECAR_SHUTDOWN_A"), known()))
                .containsExactly("SIDECAR_SHUTDOWN_A", "SIDECAR_SHUTDOWN_GRACEPERIOD");
    }
}
