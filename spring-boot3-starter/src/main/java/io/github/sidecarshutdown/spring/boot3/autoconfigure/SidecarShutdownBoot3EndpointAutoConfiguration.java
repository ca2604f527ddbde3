package io.github.sidecarshutdown.spring.boot3.autoconfigure;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.spring.support.SidecarShutdownEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The read-only {@code sidecarshutdown} actuator endpoint ({@link SidecarShutdownEndpoint}), when
 * actuator is present and the endpoint is available, i.e. exposed like any other endpoint:
 * {@code management.endpoints.web.exposure.include=health,sidecarshutdown}.
 */
@AutoConfiguration(after = SidecarShutdownBoot3AutoConfiguration.class)
@ConditionalOnClass(name = { "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
        "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint" })
public class SidecarShutdownBoot3EndpointAutoConfiguration {

    /** Nested so that the endpoint condition's class is only loaded once actuator is known to be present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(ShutdownCoordinator.class)
    @ConditionalOnAvailableEndpoint(SidecarShutdownEndpoint.class)
    static class EndpointConfiguration {

        @Bean
        @ConditionalOnMissingBean
        SidecarShutdownEndpoint sidecarShutdownEndpoint(ShutdownCoordinator coordinator) {
            return new SidecarShutdownEndpoint(coordinator);
        }
    }
}
