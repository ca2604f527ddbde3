package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.examples.demo.TerminationRun.App;
import java.time.Duration;

/**
 * How the Pods of the rolled Deployment shut down: the library, or what users do today. Every variant
 * runs the same cleanup ({@link #CLEANUP_WORK} in {@link #CLEANUP_CALLS} calls) behind an Istio 1.5-1.25
 * classic sidecar (the emulator's {@code ISTIO_1_5} mode).
 */
enum RollingVariant {
    LIBRARY("library", "library (release on, 15 s window)", App.PLAIN_JAVA, true, Duration.ofSeconds(15), Duration.ZERO),
    PLAIN_HOOK("plain-hook", "plain shutdown hook (default 5 s window)", App.PLAIN_JAVA, false, Duration.ofSeconds(5),
            Duration.ZERO),
    /**
     * The app's preStop sleeps as long as the library's propagation delay, so both outwait the same lag;
     * the window is what a mesh-side fix needs here: the sleep plus the cleanup plus a 1.5 s margin (Envoy
     * 1.33 lives exactly this long after SIGTERM, whatever the app does).
     */
    PRESTOP_SLEEP("prestop-sleep", "preStop sleep 1.5 s + 6 s window", App.PLAIN_JAVA, false, Duration.ofSeconds(6),
            Duration.ofMillis(1500)),
    SPRING_GRACEFUL("spring-graceful", "Spring graceful shutdown alone (5 s window)", App.SPRING_BOOT, false,
            Duration.ofSeconds(5), Duration.ZERO);

    /** The app's outbound cleanup at shutdown, and how many calls it makes in that time. */
    static final Duration CLEANUP_WORK = Duration.ofSeconds(3);
    static final int CLEANUP_CALLS = 6;
    /** The library's propagation delay (longer than the load balancer's lag). */
    static final Duration PROPAGATION_DELAY = Duration.ofMillis(1500);
    static final Duration GRACE_PERIOD = Duration.ofSeconds(30);

    /** Stable name in the figures' JSON, e.g. {@code n5.library}. */
    final String key;
    final String label;
    final App app;
    final boolean library;
    /** {@code terminationDrainDuration}. */
    final Duration window;
    /** The app container's {@code preStop: exec: sleep}; zero for none. */
    final Duration preStopSleep;

    RollingVariant(String key, String label, App app, boolean library, Duration window, Duration preStopSleep) {
        this.key = key;
        this.label = label;
        this.app = app;
        this.library = library;
        this.window = window;
        this.preStopSleep = preStopSleep;
    }
}
