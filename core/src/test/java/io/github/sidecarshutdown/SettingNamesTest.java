package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Messages name a setting the way the user set it (issue 22): the property under Spring, the variable
 * in plain Java; and turning the library off on purpose is reported as disabled, not degraded.
 */
class SettingNamesTest {

    @Test
    void aSettingIsNamedAsTheUserWroteIt() {
        ShutdownSettings fromProperties = ShutdownCoordinator.builder().fromEnvironment(Map.of())
                .setting(Setting.GRACE_PERIOD, "sidecar.shutdown.grace-period", "20s").settings();
        ShutdownSettings fromEnvironment = ShutdownCoordinator.builder()
                .fromEnvironment(Map.of("SIDECAR_SHUTDOWN_GRACE_PERIOD", "20s")).settings();

        // set: as written; not set: in the same front end
        assertThat(fromProperties.nameOf(Setting.GRACE_PERIOD)).isEqualTo("sidecar.shutdown.grace-period");
        assertThat(fromProperties.nameOf(Setting.STARTUP_WAIT)).isEqualTo("sidecar.shutdown.startup-wait");
        assertThat(fromEnvironment.nameOf(Setting.GRACE_PERIOD)).isEqualTo("SIDECAR_SHUTDOWN_GRACE_PERIOD");
        assertThat(fromEnvironment.nameOf(Setting.STARTUP_WAIT)).isEqualTo("SIDECAR_SHUTDOWN_STARTUP_WAIT");
        // presentation only: equal settings stay equal
        assertThat(fromProperties).isEqualTo(fromEnvironment);
    }

    @Test
    void turningTheLibraryOffIsReportedDisabledNamingTheProperty() {
        ShutdownCoordinator c = ShutdownCoordinator.builder().fromEnvironment(Map.of()).sidecarMode(SidecarMode.NONE)
                .setting(Setting.ENABLED, "sidecar.shutdown.enabled", "false")
                .task("notify", ctx -> { }).build();

        ShutdownReport report = c.shutdown();

        assertThat(report.outcome()).isEqualTo(ReportOutcome.DISABLED);
        assertThat(report.summaryLine()).startsWith("sidecar-shutdown disabled");
        assertThat(report.task("notify").orElseThrow().reason()).contains("sidecar.shutdown.enabled=false")
                .doesNotContain("SIDECAR_SHUTDOWN_ENABLED");
    }
}
