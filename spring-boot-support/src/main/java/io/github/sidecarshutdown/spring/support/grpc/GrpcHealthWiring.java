package io.github.sidecarshutdown.spring.support.grpc;

import io.github.sidecarshutdown.ReadinessGate;
import io.github.sidecarshutdown.grpc.GrpcHealthSupport;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.List;
import java.util.Set;

/** Binds the framework's {@link HealthStatusManager} to readiness for the services a started server exposes. */
public final class GrpcHealthWiring {

    /** Services that are not the app's: their own health is not what a probe asks for. */
    private static final Set<String> NOT_THE_APPS = Set.of("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection");

    private GrpcHealthWiring() {
    }

    /**
     * Binds {@code health} to {@code gate} for {@code ""} and every service of {@code server}.
     *
     * @param health the framework's health manager
     * @param gate   the coordinator's readiness
     * @param server a server that just started
     */
    public static void bind(HealthStatusManager health, ReadinessGate gate, Server server) {
        List<String> names = server.getServices().stream().map(ServerServiceDefinition::getServiceDescriptor)
                .map(d -> d.getName()).filter(n -> !NOT_THE_APPS.contains(n)).distinct().toList();
        GrpcHealthSupport.bind(gate, health, names);
    }
}
