package io.github.sidecarshutdown.flush;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownCoordinatorBuilder;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import java.time.Duration;

/** A coordinator wired to the emulator as in the README's test example. */
final class Coordinators {

    private Coordinators() {
    }

    static ShutdownCoordinatorBuilder beside(SidecarEmulator emulator) {
        return ShutdownCoordinator.builder()
                .sidecarMode(SidecarMode.ISTIO)
                .adminUrl(emulator.adminUrl())
                .agentUrl(emulator.agentUrl())
                .propagationDelay(Duration.ZERO);
    }

    /** The emulator's exit in System.nanoTime() terms; fails the test when it did not exit. */
    static long exitNanos(SidecarEmulator emulator) throws InterruptedException {
        if (!emulator.awaitExit(Duration.ofSeconds(10))) {
            throw new AssertionError("the sidecar did not exit: " + emulator.events());
        }
        return emulator.exitedAtNanos().orElseThrow();
    }
}
