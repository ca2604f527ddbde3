package io.github.sidecarshutdown.spring.autoconfigure;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.spring.actuate.EnvoyHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code envoy} health indicator ({@link EnvoyHealthIndicator}); toggled by
 * {@code management.health.envoy.enabled}. Not added to the readiness group: the app's readiness
 * already follows the sidecar at startup and shutdown, and a sidecar hiccup must not take every
 * Pod out of the Service at once. Needs {@code spring-boot-health} (part of the actuator starter).
 */
@AutoConfiguration(after = SidecarShutdownAutoConfiguration.class,
        beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.AbstractHealthIndicator")
public class SidecarShutdownHealthAutoConfiguration {

    /**
     * Nested so that the health condition's class is only loaded once spring-boot-health is known
     * to be present (conditions of one class are all loaded before any is evaluated).
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
