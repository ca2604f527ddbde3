package io.github.sidecarshutdown.spring.boot3.actuate;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.spring.support.EnvoyHealthCheck;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Spring Boot 3.5's {@code envoy} health indicator: the sidecar as the coordinator sees it (one
 * probe of Envoy admin and pilot-agent, bounded by {@code sidecar.shutdown.admin-timeout}); UP when
 * it forwards (or when there is no sidecar and none is required), OUT_OF_SERVICE while it starts or
 * terminates, DOWN once it is gone or when a configured sidecar never answered, UNKNOWN when the
 * probe is inconclusive ({@link EnvoyHealthCheck}, shared with the Boot 4 starter).
 */
public final class EnvoyHealthIndicator extends AbstractHealthIndicator {

    private final ShutdownCoordinator coordinator;

    /** @param coordinator the app's coordinator */
    public EnvoyHealthIndicator(ShutdownCoordinator coordinator) {
        super("Envoy sidecar health check failed");
        this.coordinator = coordinator;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        EnvoyHealthCheck check = EnvoyHealthCheck.probe(coordinator);
        builder.status(check.status()).withDetails(check.details());
    }
}
