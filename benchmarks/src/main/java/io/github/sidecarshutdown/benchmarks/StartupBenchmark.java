package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.SidecarReadiness;
import io.github.sidecarshutdown.StartupPolicy;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.testkit.emulator.EmulatorMode;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Startup: how long after the sidecar becomes ready the app is released. The emulator becomes
 * ready {@code timeToLive} after its start (a random 300-800 ms, so the wait's phase varies); the
 * app starts waiting at the same instant. The library's {@code awaitSidecarReady} against
 * {@code pilot-agent wait}'s loop (GET {@code /healthz/ready} on the agent, every 500 ms).
 *
 * <p>Envoy's stats flush every 1 ms here (Istio: 5 s), so that the agent reports ready within 1 ms
 * of {@code timeToLive}. The ready instant is taken as the instant before {@code start()} plus {@code timeToLive}; the
 * emulator's own clock starts a little later, so every latency here is an upper bound.
 */
final class StartupBenchmark {

    static final Duration POLL_500MS = Duration.ofMillis(500);
    private final List<Figure> figures = new ArrayList<>();
    private String table = "";

    void run(boolean quick) throws Exception {
        int reps = quick ? 5 : 20;
        Random random = new Random(42);
        List<Double> library = new ArrayList<>();
        List<Double> loop = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            Duration ttl = Duration.ofMillis(300 + random.nextInt(500));
            library.add(measure(ttl, true));
            loop.add(measure(ttl, false));
        }
        Figure lib = new Figure("startup", "released-after-sidecar-ready", "ms", "library awaitSidecarReady", library);
        Figure base = new Figure("startup", "released-after-sidecar-ready", "ms", "pilot-agent wait (500 ms polling)", loop);
        figures.add(lib);
        figures.add(base);
        figures.add(Figure.of("startup", "released-after-sidecar-ready-vs-polling", "ratio", "library / pilot-agent wait",
                lib.median() / base.median()));
        Table t = new Table("waiter", "released after sidecar ready, median [min-max]", "samples");
        t.row(lib.variant(), TerminationBenchmark.range(library, "%.1f") + " ms", library.size());
        t.row(base.variant(), TerminationBenchmark.range(loop, "%.1f") + " ms", loop.size());
        table = t.render() + String.format(java.util.Locale.ROOT, "library / polling loop (medians): %.3f%n",
                lib.median() / base.median());
    }

    /** One wait: ms from the sidecar's ready instant until the waiter is released. */
    private static double measure(Duration ttl, boolean useLibrary) throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_5).timeToLive(ttl)
                // pilot-agent reads Envoy's state from stats flushes (5 s in Istio): flush every 1 ms, so the
                // sidecar is ready within 1 ms of timeToLive and the waiters alone make the difference.
                .statsFlushInterval(Duration.ofMillis(1)).build()) {
            long before = System.nanoTime();
            emulator.start();
            long readyAt = before + ttl.toNanos();
            // Built after the start (the URLs need the bound ports), well within the 300+ ms before readiness.
            ShutdownCoordinator coordinator = useLibrary ? ShutdownCoordinator.builder().sidecarMode(SidecarMode.ISTIO)
                    .adminUrl(emulator.adminUrl()).agentUrl(emulator.agentUrl()).startupPolicy(StartupPolicy.REQUIRED)
                    .startupWait(Duration.ofSeconds(10)).build() : null;
            if (coordinator != null) {
                SidecarReadiness r = coordinator.awaitSidecarReady();
                if (r != SidecarReadiness.READY) {
                    throw new IllegalStateException("awaitSidecarReady: " + r);
                }
            } else {
                pilotAgentWait(URI.create(emulator.agentUrl() + "/healthz/ready"));
            }
            return (System.nanoTime() - readyAt) / 1e6;
        }
    }

    /** {@code pilot-agent wait}: GET the readiness URL, then again every 500 ms until it answers 200 (bounded at 10 s). */
    static void pilotAgentWait(URI url) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() - deadline < 0) {
            try {
                HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection(Proxy.NO_PROXY);
                c.setConnectTimeout(1000);
                c.setReadTimeout(1000);
                int status = c.getResponseCode();
                c.disconnect();
                if (status == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not ready yet
            }
            Thread.sleep(POLL_500MS.toMillis());
        }
        throw new IllegalStateException("the sidecar was not ready within 10 s: " + url);
    }

    List<Figure> figures() {
        return figures;
    }

    String table() {
        return table;
    }
}
