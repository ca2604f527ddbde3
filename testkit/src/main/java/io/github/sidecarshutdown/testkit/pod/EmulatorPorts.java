package io.github.sidecarshutdown.testkit.pod;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The five loopback ports of a sidecar emulator, chosen before it starts: for a Pod whose
 * application starts before its sidecar ({@link PodSimulatorBuilder#sidecarStartDelay(java.time.Duration)}),
 * which must be told where the sidecar will listen, as a real application is told Istio's fixed
 * ports. {@link #emulatorArgs()} passes them to {@code SidecarEmulatorMain}.
 *
 * <pre>{@code
 * EmulatorPorts ports = EmulatorPorts.pick();
 * List<String> sidecarArgs = new ArrayList<>(List.of("--mode", "istio"));
 * sidecarArgs.addAll(ports.emulatorArgs());
 * ContainerSpec app = ContainerSpec.builder().name("app")
 *     .command(JavaProcess.javaCommand(MyApp.class))
 *     .env("SIDECAR_SHUTDOWN_ADMIN_URL", ports.url(ports.admin()))
 *     .env("SIDECAR_SHUTDOWN_AGENT_URL", ports.url(ports.agent()))
 *     .build();
 * }</pre>
 *
 * @param admin Envoy admin (or the other mesh's admin)
 * @param agent pilot-agent's status port (or the other mesh's agent)
 * @param health Envoy's readiness listener
 * @param outbound the outbound HTTP proxy
 * @param inbound the inbound listener
 */
public record EmulatorPorts(int admin, int agent, int health, int outbound, int inbound) {

    /**
     * Validates the ports: each 1-65535, all distinct.
     */
    public EmulatorPorts {
        Set<Integer> seen = new HashSet<>();
        for (int port : List.of(admin, agent, health, outbound, inbound)) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
            }
            if (!seen.add(port)) {
                throw new IllegalArgumentException("port: " + port + " used twice (expected: five distinct ports)");
            }
        }
    }

    /**
     * Picks five distinct loopback ports that were free a moment ago, below the ephemeral range
     * (see {@link LoopbackPorts#freePort()}).
     *
     * @return the ports
     * @throws IOException if no free port was found
     */
    public static EmulatorPorts pick() throws IOException {
        Set<Integer> ports = new HashSet<>();
        int[] chosen = new int[5];
        for (int i = 0; i < chosen.length; i++) {
            int port = LoopbackPorts.freePort();
            while (!ports.add(port)) {
                port = LoopbackPorts.freePort();
            }
            chosen[i] = port;
        }
        return new EmulatorPorts(chosen[0], chosen[1], chosen[2], chosen[3], chosen[4]);
    }

    /**
     * Returns the emulator's options that bind these ports.
     *
     * @return {@code --admin-port A --agent-port B --health-port C --outbound-port D --inbound-port E}
     */
    public List<String> emulatorArgs() {
        return List.of("--admin-port", String.valueOf(admin), "--agent-port", String.valueOf(agent),
                "--health-port", String.valueOf(health), "--outbound-port", String.valueOf(outbound),
                "--inbound-port", String.valueOf(inbound));
    }

    /**
     * Returns the loopback URL of a port.
     *
     * @param port one of these ports
     * @return {@code http://127.0.0.1:<port>}
     */
    public String url(int port) {
        return "http://127.0.0.1:" + port;
    }
}
