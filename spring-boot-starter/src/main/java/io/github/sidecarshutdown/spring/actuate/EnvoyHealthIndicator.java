package io.github.sidecarshutdown.spring.actuate;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.util.Locale;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the sidecar as the coordinator sees it (one probe of Envoy admin and pilot-agent,
 * bounded by {@code sidecar.shutdown.admin-timeout}): UP when it forwards (or when there is no
 * sidecar and none is required), OUT_OF_SERVICE while it starts or terminates, DOWN once it is gone
 * or when a configured sidecar never answered, UNKNOWN when the probe is inconclusive.
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
        SidecarMode mode = coordinator.settings().sidecarMode();
        SidecarState state = coordinator.sidecar().probe(coordinator.settings().adminTimeout());
        switch (state) {
            case LIVE:
                builder.up();
                break;
            case ABSENT:
                // No sidecar is fine unless one was configured.
                if (mode == SidecarMode.AUTO || mode == SidecarMode.NONE) {
                    builder.up();
                } else {
                    builder.down();
                }
                break;
            case STARTING:
            case TERMINATING:
                builder.outOfService();
                break;
            case GONE:
                builder.down();
                break;
            default:
                builder.unknown();
                break;
        }
        builder.withDetail("state", lower(state))
                .withDetail("mode", lower(mode))
                .withDetail("sidecar", coordinator.sidecar().describe())
                .withDetail("shutdown", lower(coordinator.state()))
                .withDetail("readiness", lower(coordinator.readiness().state()));
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
