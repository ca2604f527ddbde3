package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.ShutdownCoordinator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * Read-only actuator endpoint {@code sidecarshutdown}: the coordinator's state, the shutdown plan
 * (the budget of each phase against the sidecar's window and the grace period, with warnings), and,
 * once a shutdown began, the live report, as the core's {@code toMap()} gives them. There is deliberately no write operation: starting a shutdown is the kubelet's
 * job, never an HTTP caller's.
 */
@Endpoint(id = "sidecarshutdown", defaultAccess = Access.READ_ONLY)
public final class SidecarShutdownEndpoint {

    private final ShutdownCoordinator coordinator;

    /** @param coordinator the app's coordinator */
    public SidecarShutdownEndpoint(ShutdownCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    /** The state, plan and (after a shutdown began) the report. */
    @ReadOperation
    public Map<String, Object> shutdown() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", lower(coordinator.state()));
        m.put("readiness", lower(coordinator.readiness().state()));
        m.put("enabled", coordinator.settings().enabled());
        m.put("plan", coordinator.plan().toMap());
        coordinator.report().ifPresent(r -> m.put("report", r.toMap()));
        return m;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
