package com.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Why docs/testing.md's Spring test passes its settings as command-line arguments: an app's own
 * {@code application.properties} (here {@code readme-app.properties}, the README's quick-start file with
 * {@code sidecar.shutdown.propagation-delay=5s}) overrides what {@code SpringApplicationBuilder.properties(...)}
 * sets, because those are default properties, the lowest precedence; command-line arguments win over it.
 */
class SpringTestSettingsPrecedenceTest {

    /** Selects the app's file, as spring.config.name does; the file itself sets the README's values. */
    private static final String APP_FILE = "spring.config.name=readme-app";

    @Test
    void defaultPropertiesLoseToTheAppsOwnFile() {
        String delay = boundDelay(b -> b.properties(APP_FILE, "sidecar.shutdown.propagation-delay=0s").run());

        assertThat(delay).as("the test's 0s was overridden by the app's file").isEqualTo("5s");
    }

    @Test
    void commandLineArgumentsWinOverTheAppsOwnFile() {
        String delay = boundDelay(b -> b.properties(APP_FILE).run("--sidecar.shutdown.propagation-delay=0s"));

        assertThat(delay).isEqualTo("0s");
    }

    private static String boundDelay(Function<SpringApplicationBuilder, ConfigurableApplicationContext> run) {
        SpringApplicationBuilder builder = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .registerShutdownHook(false);
        try (ConfigurableApplicationContext context = run.apply(builder)) {
            return context.getEnvironment().getProperty("sidecar.shutdown.propagation-delay");
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
