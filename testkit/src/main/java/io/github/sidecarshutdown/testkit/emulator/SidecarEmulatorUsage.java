package io.github.sidecarshutdown.testkit.emulator;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The text {@code SidecarEmulatorMain --help} prints. Kept apart from the argument parsing so that each
 * fits on a screen; the event types are listed from {@link SidecarEvent.Type} so the text cannot fall
 * behind them.
 */
final class SidecarEmulatorUsage {

    private SidecarEmulatorUsage() {
    }

    static String text() {
        String events = Arrays.stream(SidecarEvent.Type.values()).map(Enum::name)
                .collect(Collectors.joining(", "));
        return """
                Usage: java -cp <testkit class path> io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain [options]

                Runs an emulated sidecar container on 127.0.0.1: Envoy's admin API, pilot-agent (or the other
                mesh's agent), an outbound HTTP proxy and an inbound listener, each on its own port. Point an
                app at it to watch what its shutdown does beside that sidecar, then stop it with kill -TERM.

                Modes (--mode; the library's sidecar-mode names, any case):
                  istio     classic Istio sidecar, newest line (ISTIO_1_26: Istio 1.26+, Envoy 1.34+) [default]
                  native    Istio native sidecar (a Kubernetes sidecar container): SIGTERM it after the app exited
                  linkerd   linkerd-proxy: admin /ready, /live, POST /shutdown
                  dapr      daprd: /v1.0/healthz, /v1.0/healthz/outbound, POST /v1.0/shutdown
                  consul    consul-dataplane with its Envoy: Envoy admin + the dataplane's lifecycle server
                  kuma      kuma-dp with its Envoy: Envoy admin + kuma-dp's readiness reporter
                  ambient   Istio ambient: no proxy in the Pod; traffic passes until SIGTERM (ztunnel forgets the Pod)
                  none      no sidecar: admin and agent ports refuse; traffic passes through
                  Also accepted: the Istio release lines ISTIO_1_0, ISTIO_1_1, ISTIO_1_5 (Istio 1.5-1.25),
                  ISTIO_1_26, EXIT_ON_ZERO_ACTIVE_CONNECTIONS, and NATIVE, LINKERD, ... in capitals.
                  Not emulated: envoy (plain Envoy without pilot-agent), auto (the library's detection).

                Options (durations: 500ms, 5s, 1m or PT5S; ports: 0 = a free port, the default):
                  --mode NAME                        which sidecar (see above); default istio
                  --termination-drain-duration D     Istio's terminationDrainDuration: SIGTERM to Envoy's end; 5s
                  --drain-duration D                 Envoy's drain time; kuma: kuma.io/sidecar-drain-time;
                                                     consul: the dataplane's Envoy drain time; 45s (Istio), 30s
                  --minimum-drain-duration D         EXIT_ON_ZERO_ACTIVE_CONNECTIONS: wait before polling; 5s
                  --shutdown-grace-period D          consul: sidecar-proxy-lifecycle-shutdown-grace-period; 30s
                  --shutdown-drain-listeners BOOL    consul: drain inbound at a graceful shutdown; true
                  --startup-grace-period D           consul: longest /graceful_startup wait; 0s
                  --shutdown-endpoint BOOL           linkerd: POST /shutdown enabled; true
                  --time-to-initializing D           Envoy stays PRE_INITIALIZING this long after start; 0s
                  --time-to-live D                   Envoy is INITIALIZING until this long after start, then
                                                     LIVE (config received); 0s
                  --istio-version V                  ISTIO_VERSION reported (selects pilot-agent's behaviour)
                  --envoy-version V                  Envoy version reported (selects its drain behaviour)
                  --status-server BOOL               pilot-agent's status server listens; true
                  --traffic-stats BOOL               /stats keeps listener and HTTP counters; false
                  --app-port N                       the app's port behind the inbound listener; none: 503
                  --admin-port N, --agent-port N, --health-port N, --outbound-port N, --inbound-port N
                                                     fix a port instead of a free one
                  --ports-file PATH                  also write the ready line's JSON to this file
                  --native-prestop-file PATH         native: run the preStop /drain when this file appears
                  -h, --help                         print this text and exit 0

                Output (standard output, one line each):
                  SIDECAR_EMULATOR_READY {"admin":P,"agent":P,"health":P,"outbound":P,"inbound":P}
                    once every port is bound; the ports, as the app must be told them:
                    admin     Envoy admin (Istio 15000, Consul 19000, Kuma 9901); linkerd-proxy admin (4191);
                              daprd HTTP API (3500); refuses in ambient and none
                    agent     pilot-agent status port (15020); consul-dataplane lifecycle (20600); kuma-dp
                              readiness (9902); refuses where the mode has none
                    health    Envoy's readiness listener (Istio 15021)
                    outbound  HTTP forward proxy standing for Envoy's outbound capture (15001): send the
                              app's outbound HTTP through it
                    inbound   listener standing for 15006, forwarding to --app-port
                  SIDECAR_EMULATOR_EVENT <UTC time> <TYPE> [detail]
                    one line per state change; TYPE is one of %s

                Signals:
                  SIGTERM (kill -TERM <pid>) or SIGINT (Ctrl-C) is the kubelet's SIGTERM to the sidecar: the
                  mode's termination sequence runs (istio: pilot-agent closes its status port, drains
                  inbound, keeps outbound for --termination-drain-duration, then kills Envoy). A release
                  (POST /quitquitquit on admin or agent) ends it sooner. The process exits 0 when the
                  emulated agent exits.

                Exit codes: 0 when the sidecar exited, or after --help; 2 for a bad argument (the message
                names the option).
                """.formatted(wrap(events));
    }

    /** The event types, wrapped to the text's width under the line that introduces them. */
    private static String wrap(String list) {
        StringBuilder text = new StringBuilder();
        int column = 44;
        for (String word : list.split(" ")) {
            if (column + word.length() > 100) {
                text.append("\n      ");
                column = 6;
            } else if (text.length() > 0) {
                text.append(' ');
                column++;
            }
            text.append(word);
            column += word.length();
        }
        return text.toString();
    }
}
