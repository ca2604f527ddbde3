package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the {@code envoy} health indicator reports, free of Spring Boot's health API (whose
 * package differs between Boot 3.5 and 4): one probe of the sidecar (Envoy admin and pilot-agent,
 * bounded by {@code sidecar.shutdown.admin-timeout}) mapped to a status code and details. Each
 * starter's indicator passes both on to its Boot line's {@code Health.Builder}.
 *
 * @param status  {@code UP} when the sidecar forwards (or when there is none and none is
 *                required), {@code OUT_OF_SERVICE} while it starts or terminates, {@code DOWN}
 *                once it is gone or when a configured sidecar never answered, {@code UNKNOWN}
 *                when the probe is inconclusive; the codes of Spring Boot's {@code Status}
 * @param details state, reason, mode, what was found when the sidecar answered (e.g.
 *                {@code istio 1.26.2}), sidecar description, shutdown state and readiness
 */
public record EnvoyHealthCheck(String status, Map<String, Object> details) {

    /** Copies the details, keeping their order: the record is a value. */
    public EnvoyHealthCheck {
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /**
     * Probes the sidecar once.
     *
     * @param coordinator the app's coordinator
     * @return the status code and details
     */
    public static EnvoyHealthCheck probe(ShutdownCoordinator coordinator) {
        SidecarMode mode = coordinator.settings().sidecarMode();
        SidecarState state = coordinator.sidecar().probe(coordinator.settings().adminTimeout());
        String status;
        switch (state) {
            case LIVE:
                status = "UP";
                break;
            case ABSENT:
                // No sidecar is fine unless one was configured.
                status = mode == SidecarMode.AUTO || mode == SidecarMode.NONE ? "UP" : "DOWN";
                break;
            case STARTING:
            case TERMINATING:
                status = "OUT_OF_SERVICE";
                break;
            case GONE:
                status = "DOWN";
                break;
            default:
                status = "UNKNOWN";
                break;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("state", lower(state));
        details.put("reason", reason(state, status, mode));
        details.put("mode", mode.name());
        if (state != SidecarState.ABSENT && state != SidecarState.GONE && state != SidecarState.UNKNOWN) {
            // It answered: what it was found to be (the mode may be auto). Cached after the first answer.
            details.put("found", coordinator.sidecar().facts(coordinator.settings().adminTimeout()).label());
        }
        details.put("sidecar", coordinator.sidecar().describe());
        details.put("shutdown", lower(coordinator.state()));
        details.put("readiness", lower(coordinator.readiness().state()));
        return new EnvoyHealthCheck(status, details);
    }

    /** Why the status is what it is, in the words of docs/glossary.md. */
    private static String reason(SidecarState state, String status, SidecarMode mode) {
        switch (state) {
            case ABSENT:
                return status.equals("UP") ? "no sidecar answers and none is configured (sidecar-mode " + mode.name()
                        + "): the app runs without one" : "sidecar-mode " + mode.name() + " is configured but nothing answers";
            case STARTING:
                return "the sidecar answers but is not ready yet, or is injected and not answering yet";
            case LIVE:
                return "the sidecar is ready and forwards";
            case TERMINATING:
                return "the sidecar got its SIGTERM: it still forwards outbound until its window ends";
            case GONE:
                return "the sidecar answered before and now refuses: outbound through it fails";
            default:
                return "the sidecar's answer is neither ready nor not-ready (a timeout or an unexpected answer)";
        }
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
