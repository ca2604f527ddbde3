package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;

/**
 * pilot-agent's work after SIGTERM or a quit request (istio {@code pkg/envoy/agent.go} {@code terminate}),
 * per {@link EmulatorMode}: drain, wait ({@code terminationDrainDuration}, or the EXIT_ON_ZERO polling
 * of Envoy's {@code /stats?usedonly&filter=downstream_cx_active$}), SIGKILL Envoy, exit 0. The wait ends
 * early when Envoy exits by itself. The agent's status socket is already closed when this runs.
 */
final class TerminationSequence implements Runnable {

    static final String ACTIVE_CONNECTIONS_STATS = "/stats?usedonly&filter=downstream_cx_active$";

    private final EmulatorSettings settings;
    private final EnvoyProcess envoy;
    private final PilotAgent agent;

    TerminationSequence(EmulatorSettings settings, EnvoyProcess envoy, PilotAgent agent) {
        this.settings = settings;
        this.envoy = envoy;
        this.agent = agent;
    }

    @Override
    public void run() {
        try {
            if (settings.mode() == EmulatorMode.ISTIO_1_0) {
                envoy.kill("Istio 1.0: Envoy dies with the agent's SIGTERM");
            } else if (agent.skipDrain()) {
                envoy.kill("skip drain (/drain earlier or /quitquitquit on Istio >= 1.26)");
            } else {
                if (settings.mode() == EmulatorMode.ISTIO_1_1) {
                    envoy.hotRestartDrain();
                } else {
                    agent.post("/drain_listeners?inboundonly&graceful");
                }
                if (settings.exitOnZeroActiveConnections()) {
                    waitForZeroActiveConnections();
                } else {
                    envoy.awaitExit(settings.terminationDrainDuration());
                }
                envoy.kill("after " + (settings.exitOnZeroActiveConnections() ? "zero active connections"
                        : "terminationDrainDuration " + settings.terminationDrainDuration()));
            }
            agent.exit();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // emulator closed
        }
    }

    /** EXIT_ON_ZERO_ACTIVE_CONNECTIONS branch of {@code terminate}. No upper bound, as in Istio. */
    private void waitForZeroActiveConnections() throws InterruptedException {
        if (envoy.awaitExit(settings.minimumDrainDuration())) {
            return;
        }
        int errors = 0;
        while (true) {
            if (envoy.awaitExit(settings.activeConnectionCheckInterval())) {
                return;
            }
            try {
                HttpResponse stats = LoopbackHttpClient.send(envoy.adminPort(), "GET", ACTIVE_CONNECTIONS_STATS,
                        "agent", settings.statsRequestTimeout(), settings.statsRequestTimeout());
                if (stats.status() != 200) {
                    throw new IOException("status " + stats.status());
                }
                String body = stats.bodyText();
                if (body.isEmpty()) {
                    return; // "stats not available": exit now
                }
                if (activeConnections(body) == 0) {
                    return;
                }
                errors = 0;
            } catch (IOException | NumberFormatException e) {
                if (++errors >= IstioDefaults.MAX_CONSECUTIVE_STATS_ERRORS) {
                    return;
                }
            }
        }
    }

    /** Sums {@code listener.*} lines minus per-worker, internal, 15021, 15090 and admin ones (pkg/envoy/agent.go). */
    static long activeConnections(String statsBody) {
        long sum = 0;
        for (String line : statsBody.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            if (!name.startsWith("listener.") || name.contains("worker_")
                    || name.startsWith("listener.envoy_internal_")
                    || name.startsWith("listener.0.0.0.0_15021.") || name.startsWith("listener.0.0.0.0_15090.")
                    || name.equals("listener.admin.downstream_cx_active")
                    || name.equals("listener.admin.main_thread.downstream_cx_active")) {
                continue;
            }
            sum += Long.parseLong(line.substring(colon + 1).trim());
        }
        return sum;
    }
}
