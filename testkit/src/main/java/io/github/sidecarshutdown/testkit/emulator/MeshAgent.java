package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * The process that is another mesh's sidecar container ({@link EmulatorMode#isOtherMesh()}): what it
 * serves, what SIGTERM and the Pod's deletion do to it, and its exit. Each mesh's behaviour lives in its
 * implementation, so the emulator's facade only forwards.
 */
interface MeshAgent {

    /** The agent for {@code settings.mode()}. */
    static MeshAgent forMode(EmulatorSettings settings, EnvoyProcess envoy, Recorder recorder, ThreadFactory threads,
            ScheduledExecutorService scheduler) {
        switch (settings.mode()) {
            case CONSUL:
                return new ConsulDataplane(settings, envoy, recorder, threads, scheduler);
            case KUMA:
                return new KumaDp(settings, envoy, recorder, threads);
            case LINKERD:
            case DAPR:
                return new MeshProxy(settings, recorder, threads, scheduler);
            default:
                throw new IllegalArgumentException("not another mesh: " + settings.mode());
        }
    }

    void start() throws IOException;

    /** The port {@link SidecarEmulator#adminUrl()} shows: the mesh proxy's own, or its Envoy's admin. */
    int adminPort();

    /** The port {@link SidecarEmulator#agentUrl()} shows; -1 when the mesh has none there. */
    int agentPort();

    /** The kubelet's SIGTERM to the container's main process. */
    void terminate();

    /** The Pod's deletion, before SIGTERM: what the mesh's preStop hook (if it injects one) does. */
    void podDeletionStarted();

    /** The container's exit: stamped once by the implementation when its process ends. */
    ProcessExit exitRecord();

    default boolean awaitExit(Duration timeout) throws InterruptedException {
        return exitRecord().await(timeout);
    }

    default boolean isExited() {
        return exitRecord().happened();
    }

    default long exitedNanos() {
        return exitRecord().nanos();
    }

    default @Nullable Instant exitedAt() {
        return exitRecord().at();
    }

    void close();
}
