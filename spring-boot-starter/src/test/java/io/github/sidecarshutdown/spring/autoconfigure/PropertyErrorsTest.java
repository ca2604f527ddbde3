package io.github.sidecarshutdown.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sidecarshutdown.ShutdownCoordinator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Duration properties through a real {@code SpringApplication}: the same forms as the
 * environment variables of a plain-Java app, and a bad value reported by the starter's failure
 * analyzer with the property as written, its source and the accepted forms. No server, no sidecar.
 */
@ExtendWith(OutputCaptureExtension.class)
class PropertyErrorsTest {

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(SidecarShutdownAutoConfiguration.class)
    @EnableConfigurationProperties(OtherProperties.class)
    static class App {
    }

    /** Some other part of the app with a Duration property: Spring's own conversion must stay. */
    @ConfigurationProperties("other")
    static class OtherProperties {
        private Duration timeout = Duration.ZERO;

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
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
    void acceptsTheFormsTheEnvironmentVariablesAccept() {
        try (ConfigurableApplicationContext context = run("--sidecar.shutdown.grace-period=1m30s",
                "--sidecar.shutdown.propagation-delay=1.5s", "--sidecar.shutdown.drain-timeout=PT7S", "--other.timeout=1500")) {
            var settings = context.getBean(ShutdownCoordinator.class).settings();
            assertThat(settings.gracePeriod()).isEqualTo(Duration.ofSeconds(90));
            assertThat(settings.propagationDelay()).isEqualTo(Duration.ofMillis(1500));
            assertThat(settings.drainTimeout()).isEqualTo(Duration.ofSeconds(7));
            // the app's own Duration properties keep Spring's conversion (a bare number is milliseconds)
            assertThat(context.getBean(OtherProperties.class).getTimeout()).isEqualTo(Duration.ofMillis(1500));
        }
    }

    @Test
    void aBadValueInAPropertiesFileIsReportedWithItsFileAndTheAcceptedForms(CapturedOutput output) {
        assertThatThrownBy(() -> run("--spring.config.location=classpath:/property-errors/banana.properties").close())
                .isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Invalid value for 'sidecar.shutdown.grace-period'")
                .contains("Value: \"banana\"")
                .contains("property-errors/banana.properties") // source and origin
                .contains("- 2:") // line 2 of the file
                .contains("1m30s") // the accepted forms
                .doesNotContain("Failed to bind properties under"); // not Spring's plain bind report
    }

    @Test
    void aBadValueOnTheCommandLineIsReportedAsWritten(CapturedOutput output) {
        assertThatThrownBy(() -> run("--sidecar.shutdown.gracePeriod=soon").close()).isNotNull();
        assertThat(output).contains("Invalid value for 'sidecar.shutdown.gracePeriod'")
                .contains("Property: sidecar.shutdown.gracePeriod").contains("Value: \"soon\"").contains("Source: commandLineArgs");
    }

    @Test
    void aBareNumberIsRefusedAsInTheEnvironmentVariables(CapturedOutput output) {
        // Spring alone would take 30 as 30 ms; the core refuses to guess the unit
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setRegisterShutdownHook(false);
        app.addInitializers(context -> context.getEnvironment().getPropertySources().addFirst(
                new SystemEnvironmentPropertySource("test-systemEnvironment", Map.of("SIDECAR_SHUTDOWN_GRACE_PERIOD", "30"))));
        assertThatThrownBy(() -> app.run("--sidecar.shutdown.sidecar-mode=none", "--spring.main.banner-mode=off").close())
                .isNotNull();
        assertThat(output).contains("Invalid value for 'SIDECAR_SHUTDOWN_GRACE_PERIOD'").contains("Value: \"30\"")
                .contains("Source: test-systemEnvironment");
    }

    @Test
    void aValueTheCoreRefusesAfterBindingNamesItsSourceToo(CapturedOutput output) {
        // parses, but the core's check refuses it once the coordinator is built
        assertThatThrownBy(() -> run("--sidecar.shutdown.safety-margin=40s").close()).isNotNull();
        assertThat(output).contains("Invalid value for 'sidecar.shutdown.safety-margin'").contains("Value: \"40s\"")
                .contains("Source: commandLineArgs").contains("must be shorter than");
    }
}
