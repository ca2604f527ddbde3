package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.SidecarReadiness;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.net.URI;
import java.time.Duration;

/**
 * The child JVM of {@link PodCpuBenchmark}: an app that does nothing but start and wait for its
 * SIGTERM, with the library ({@code library ADMIN AGENT}: built, installed and awaited against a
 * ready sidecar, one task that does nothing, the startup work waited for) or without it
 * ({@code plain}: a shutdown hook that does nothing). Prints {@code APP_READY} once started,
 * then waits; the parent reads its CPU time then and at its exit.
 */
public final class PodCpuApp {

    private PodCpuApp() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("library")) {
            ShutdownCoordinator c = ShutdownCoordinator.builder().sidecarMode(SidecarMode.ISTIO).adminUrl(URI.create(args[1]))
                    .agentUrl(URI.create(args[2])).propagationDelay(Duration.ZERO).drainTimeout(Duration.ofMillis(100))
                    .task("cleanup", ctx -> { })
                    .build()
                    .install();
            SidecarReadiness r = c.awaitSidecarReady(Duration.ofSeconds(10));
            if (r != SidecarReadiness.READY) {
                throw new IllegalStateException("sidecar " + r);
            }
            Thread work = LatencyApp.startupWork();
            if (work != null) {
                work.join(30_000);
            }
        } else {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> { }, "plain-hook"));
        }
        System.out.println("APP_READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
