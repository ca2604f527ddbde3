package io.github.sidecarshutdown.spring.boot3.autoconfigure;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.spring.support.SidecarShutdownConfigurationSupport;
import io.github.sidecarshutdown.spring.support.SidecarShutdownProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;

/**
 * Spring Boot 3.5: auto-configures a {@link ShutdownCoordinator} from the {@code sidecar.shutdown.*}
 * properties and orders it into Spring's own shutdown around the web server's graceful shutdown
 * ({@link WebServerGracefulShutdownLifecycle#SMART_LIFECYCLE_PHASE}); the beans and the order are
 * described in {@link SidecarShutdownConfigurationSupport}, shared with the Boot 4 starter.
 */
@AutoConfiguration
@ConditionalOnClass(ShutdownCoordinator.class)
@EnableConfigurationProperties(SidecarShutdownProperties.class)
public class SidecarShutdownBoot3AutoConfiguration extends SidecarShutdownConfigurationSupport {

    /** The phase the library's lifecycles are placed around: Boot 3.5's graceful web server shutdown phase. */
    public static final int GRACEFUL_SHUTDOWN_PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE;

    /** Created by Spring Boot. */
    public SidecarShutdownBoot3AutoConfiguration() {
        super(GRACEFUL_SHUTDOWN_PHASE);
    }
}
