package io.github.sidecarshutdown.spring.autoconfigure;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.spring.support.SidecarShutdownConfigurationSupport;
import io.github.sidecarshutdown.spring.support.SidecarShutdownProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * Spring Boot 4: auto-configures a {@link ShutdownCoordinator} from the {@code sidecar.shutdown.*}
 * properties and orders it into Spring's own shutdown around the web server's graceful shutdown
 * ({@link WebServerApplicationContext#GRACEFUL_SHUTDOWN_PHASE}); the beans and the order are
 * described in {@link SidecarShutdownConfigurationSupport}, shared with the Boot 3.5 starter.
 */
@AutoConfiguration
@ConditionalOnClass(ShutdownCoordinator.class)
@EnableConfigurationProperties(SidecarShutdownProperties.class)
public class SidecarShutdownAutoConfiguration extends SidecarShutdownConfigurationSupport {

    /**
     * The phase the library's lifecycles are placed around: Boot 4's graceful web server shutdown
     * phase (its former home, {@code WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE}, is
     * deprecated in Boot 4).
     */
    public static final int GRACEFUL_SHUTDOWN_PHASE = WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE;

    /** Created by Spring Boot. */
    public SidecarShutdownAutoConfiguration() {
        super(GRACEFUL_SHUTDOWN_PHASE);
    }
}
