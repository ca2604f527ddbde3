package io.github.sidecarshutdown.spring.boot3.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sidecarshutdown.ShutdownCoordinator;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * Duration properties through a real {@code SpringApplication} on Boot 3.5: the core's forms, and
 * the starter's failure report (property as written, source, value, accepted forms) ahead of
 * Boot's own bind report.
 */
@ExtendWith(OutputCaptureExtension.class)
class Boot3PropertyErrorsTest {

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(SidecarShutdownBoot3AutoConfiguration.class)
    static class App {
    }

    private static ConfigurableApplicationContext run(String... args) {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setRegisterShutdownHook(false);
        String[] all = new String[args.length + 2];
        all[0] = "--sidecar.shutdown.sidecar-mode=none";
        all[1] = "--spring.main.banner-mode=off";
        System.arraycopy(args, 0, all, 2, args.length);
        return app.run(all);
    }

    @Test
    void acceptsCompoundDurations() {
        try (ConfigurableApplicationContext context = run("--sidecar.shutdown.grace-period=1m30s")) {
            assertThat(context.getBean(ShutdownCoordinator.class).settings().gracePeriod()).isEqualTo(Duration.ofSeconds(90));
        }
    }

    @Test
    void aBadValueIsReportedAsWrittenWithItsSource(CapturedOutput output) {
        assertThatThrownBy(() -> run("--sidecar.shutdown.drainTimeout=banana").close()).isNotNull();
        assertThat(output).contains("Invalid value for 'sidecar.shutdown.drainTimeout'").contains("Value: \"banana\"")
                .contains("Source: commandLineArgs").contains("1m30s").doesNotContain("Failed to bind properties under");
    }

    @Test
    void aBareNumberIsRefused(CapturedOutput output) {
        assertThatThrownBy(() -> run("--sidecar.shutdown.grace-period=30").close()).isNotNull();
        assertThat(output).contains("Invalid value for 'sidecar.shutdown.grace-period'").contains("Value: \"30\"")
                .contains("missing unit");
    }
}
