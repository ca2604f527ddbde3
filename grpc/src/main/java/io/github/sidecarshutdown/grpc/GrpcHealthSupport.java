package io.github.sidecarshutdown.grpc;

import static java.util.Objects.requireNonNull;

import io.github.sidecarshutdown.ReadinessGate;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Binds grpc-java's health service ({@link HealthStatusManager}, from {@code grpc-services}) to the
 * app's readiness, so that Kubernetes gRPC probes, Envoy's gRPC health checks and client-side health
 * checking see what the readiness endpoint says: {@code NOT_SERVING} while starting, {@code SERVING}
 * once ready, {@code NOT_SERVING} from the moment shutdown begins (phase {@code readiness_off}), for
 * the server as a whole ({@code ""}) and for each named service.
 *
 * <pre>{@code
 * HealthStatusManager health = new HealthStatusManager();
 * serverBuilder.addService(health.getHealthService());
 * GrpcHealthSupport.bind(coordinator.readiness(), health, "example.Greeter");
 * }</pre>
 *
 * <p>Shutdown is final for the gate, so it is final here too: at readiness off the manager enters
 * its terminal state ({@link HealthStatusManager#enterTerminalState()}), and any later
 * {@code setStatus(..., SERVING)}, from the app or a framework's periodic health adapter, is ignored.
 */
public final class GrpcHealthSupport {

    private GrpcHealthSupport() {
    }

    /**
     * Binds {@code health} to {@code gate}; applies the gate's current state at once.
     *
     * @param gate     the coordinator's readiness ({@code coordinator.readiness()})
     * @param health   the manager whose health service the server exposes
     * @param services the names of the services probes may ask for (the overall {@code ""} is always bound)
     */
    public static void bind(ReadinessGate gate, HealthStatusManager health, String... services) {
        bind(gate, health, List.of(services));
    }

    /**
     * Binds {@code health} to {@code gate}; applies the gate's current state at once.
     *
     * @param gate     the coordinator's readiness ({@code coordinator.readiness()})
     * @param health   the manager whose health service the server exposes
     * @param services the names of the services probes may ask for (the overall {@code ""} is always bound)
     */
    public static void bind(ReadinessGate gate, HealthStatusManager health, Collection<String> services) {
        requireNonNull(gate, "gate");
        requireNonNull(health, "health");
        Set<String> names = new LinkedHashSet<>();
        names.add(HealthStatusManager.SERVICE_NAME_ALL_SERVICES);
        for (String s : new ArrayList<>(requireNonNull(services, "services"))) {
            names.add(requireNonNull(s, "services contains null"));
        }
        Binding binding = new Binding(gate, health, List.copyOf(names));
        gate.onChange(state -> binding.apply());
        // After subscribing: a change racing this call is applied by the listener, and each apply
        // reads the gate's state under the binding's lock, so the last one applied is the latest.
        binding.apply();
    }

    /** Applies the gate's current state to the manager. */
    private static final class Binding {
        private final ReadinessGate gate;
        private final HealthStatusManager health;
        private final List<String> names;

        Binding(ReadinessGate gate, HealthStatusManager health, List<String> names) {
            this.gate = gate;
            this.health = health;
            this.names = names;
        }

        synchronized void apply() {
            ReadinessGate.State state = gate.state();
            ServingStatus status = state == ReadinessGate.State.READY ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
            for (String name : names) {
                health.setStatus(name, status);
            }
            if (state == ReadinessGate.State.SHUTTING_DOWN) {
                health.enterTerminalState();
            }
        }
    }
}
