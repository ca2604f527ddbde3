package io.github.sidecarshutdown.examples.demo;

import java.time.Duration;

/**
 * One Pod termination to run with and without the library.
 *
 * @param name        short title
 * @param mode        the emulated sidecar ({@code EmulatorMode} name)
 * @param window      {@code terminationDrainDuration}
 * @param cleanupWork how long the app's outbound cleanup takes
 * @param lesson      what the row shows
 */
record DemoScenario(String name, String mode, Duration window, Duration cleanupWork, String lesson) {

    boolean isNative() {
        return mode.equals("NATIVE");
    }
}
