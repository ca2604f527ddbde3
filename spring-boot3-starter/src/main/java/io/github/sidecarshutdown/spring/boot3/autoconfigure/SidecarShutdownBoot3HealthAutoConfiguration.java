package io.github.sidecarshutdown.spring.boot3.autoconfigure;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.spring.boot3.actuate.EnvoyHealthIndicator;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code envoy} health indicator ({@link EnvoyHealthIndicator}) on Boot 3.5's health API
 * ({@code org.springframework.boot.actuate.health}); toggled by
 * {@code management.health.envoy.enabled}. Not added to the readiness group: the app's readiness
 * already follows the sidecar at startup and shutdown, and a sidecar hiccup must not take every
 * Pod out of the Service at once.
 */
@AutoConfiguration(after = SidecarShutdownBoot3AutoConfiguration.class,
        beforeName = "org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration")
@ConditionalOnClass(name = { "org.springframework.boot.actuate.health.AbstractHealthIndicator",
        "org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator" })
public class SidecarShutdownBoot3HealthAutoConfiguration {

    /**
     * Nested so that the health condition's class is only loaded once actuator is known to be
     * present (conditions of one class are all loaded before any is evaluated).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(ShutdownCoordinator.class)
    @ConditionalOnEnabledHealthIndicator("envoy")
    static class EnvoyHealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "envoyHealthIndicator")
        EnvoyHealthIndicator envoyHealthIndicator(ShutdownCoordinator coordinator) {
            return new EnvoyHealthIndicator(coordinator);
        }
    }
}
