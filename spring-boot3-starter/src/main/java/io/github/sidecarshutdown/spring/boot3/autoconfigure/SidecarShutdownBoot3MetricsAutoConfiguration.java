package io.github.sidecarshutdown.spring.boot3.autoconfigure;

import io.github.sidecarshutdown.metrics.SidecarShutdownMetrics;
import io.github.sidecarshutdown.spring.SidecarShutdownCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Micrometer metrics of the shutdown ({@code sidecar.shutdown}, {@code sidecar.shutdown.phase},
 * {@code sidecar.shutdown.task}, {@code sidecar.envoy.admin.requests}, {@code sidecar.state}):
 * a {@link SidecarShutdownMetrics} bean, which Spring Boot binds to every {@code MeterRegistry} as
 * it does any {@code MeterBinder} bean, registered with the coordinator as listener and admin-call
 * listener. Only with Micrometer on the classpath; applied to the auto-configured coordinator only.
 */
@AutoConfiguration(before = SidecarShutdownBoot3AutoConfiguration.class)
@ConditionalOnClass(name = { "io.micrometer.core.instrument.MeterRegistry", "io.github.sidecarshutdown.ShutdownCoordinator" })
public class SidecarShutdownBoot3MetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SidecarShutdownMetrics sidecarShutdownMetrics() {
        return new SidecarShutdownMetrics();
    }

    /** First among customizers, so that an app's own admin-call listener replaces this one. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SidecarShutdownCustomizer sidecarShutdownMetricsCustomizer(SidecarShutdownMetrics metrics) {
        return builder -> builder.listener(metrics).adminCallListener(metrics);
    }
}
