package io.github.sidecarshutdown.cli;

import static io.github.sidecarshutdown.cli.ManifestReader.list;
import static io.github.sidecarshutdown.cli.ManifestReader.map;

import io.github.sidecarshutdown.cli.Finding.Severity;
import io.github.sidecarshutdown.istio.PodFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The sidecar's configuration beyond timings: exit-on-zero without a minimum, startup calls with the
 * app not held, an ambient Pod calling a sidecar, annotations the library cannot see.
 */
final class PodRules {

    private static final Pattern OUTBOUND_VALUE = Pattern.compile(
            "^(?:https?|grpcs?|amqps?|redis|rediss|mongodb(?:\\+srv)?|nats|kafka|postgres(?:ql)?|mysql)://.+|^jdbc:.+",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern OUTBOUND_NAME = Pattern.compile(
            ".*(?:_URL|_URI|_ENDPOINT|_ADDR|_ADDRESS|_HOST|BOOTSTRAP_SERVERS|_DSN)$", Pattern.CASE_INSENSITIVE);
    /** Sidecar endpoints an ambient Pod does not have: Envoy admin, pilot-agent, their release calls. */
    private static final Pattern SIDECAR_CALL = Pattern.compile(
            "(?:localhost|127\\.0\\.0\\.1|\\[::1\\]):15000\\b|:15020\\b|quitquitquit|pilot-agent", Pattern.CASE_INSENSITIVE);

    private PodRules() {
    }

    static void check(ContainerModel m, Targets t, List<Finding> findings) {
        if (m.usesLibrary && !m.downwardApiMounted("metadata.annotations", m.settings.annotationsFile())) {
            findings.add(Finding.manual(Rule.ANNOTATIONS_NOT_MOUNTED, Severity.WARNING,
                    "container " + m.name + ": nothing mounts the Pod's annotations at " + m.settings.annotationsFile()
                            + ", so the library cannot see native mode or the Pod's proxy config before Envoy answers",
                    "add a downwardAPI volume with items [{path: " + m.settings.annotationsFile().getFileName()
                            + ", fieldRef: {fieldPath: metadata.annotations}}] mounted at " + m.settings.annotationsFile().getParent()
                            + " (see examples/kubernetes/plain-java.yaml)"));
        }
        if (m.classicIstio() && m.facts.exitOnZeroActiveConnections() && m.facts.minimumDrainDuration().isEmpty()) {
            findings.add(Finding.fixedBy(Rule.EXIT_ON_ZERO_WITHOUT_MINIMUM, Severity.WARNING,
                    "EXIT_ON_ZERO_ACTIVE_CONNECTIONS is on without MINIMUM_DRAIN_DURATION: only the default 5s of outbound "
                            + "is guaranteed, after which Envoy exits as soon as no connection is open, even between two cleanup calls",
                    t.windowChanges(), ""));
        }
        if (m.classicIstio() && !m.pod.holdApplicationUntilProxyStarts().orElse(false)) {
            Optional<String> caller = outboundVariable(m.env);
            if (caller.isPresent()) {
                findings.add(Finding.manual(Rule.HOLD_OFF_WITH_STARTUP_CALLS, Severity.WARNING,
                        "container " + m.name + " seems to call out (heuristic: " + caller.get() + " looks like the address of "
                                + "a service or database) while holdApplicationUntilProxyStarts is off: a call made before "
                                + "Envoy is ready at startup is refused",
                        "add to proxy.istio.io/config: holdApplicationUntilProxyStarts: true (or call "
                                + "coordinator.awaitSidecarReady() before the first outbound call)"));
            }
        }
        if (m.facts.mode() == SidecarMode.AMBIENT) {
            Optional<String> call = sidecarCall(m.container);
            if (call.isPresent()) {
                findings.add(Finding.manual(Rule.AMBIENT_SIDECAR_CALL, Severity.WARNING,
                        "container " + m.name + " is in an ambient Pod (" + PodFacts.AMBIENT_REDIRECTION + ": enabled) but its "
                                + call.get() + " calls a sidecar endpoint; ambient Pods have no sidecar, so the call fails or "
                                + "hangs (and with `set -e` or `&&` skips what follows)",
                        "remove the call from container " + m.name + ": ztunnel on the node carries the Pod's traffic until every "
                                + "container exited, so there is nothing to drain or release; keep only a delay before exit "
                                + "(SIDECAR_SHUTDOWN_PROPAGATION_DELAY with sidecar-shutdown, or a preStop sleep)"));
            }
        }
    }

    private static Optional<String> outboundVariable(Map<String, String> env) {
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getKey().startsWith("SIDECAR_SHUTDOWN_")) {
                continue;
            }
            String v = e.getValue().strip();
            if (OUTBOUND_VALUE.matcher(v).matches()) {
                return Optional.of(e.getKey() + "=" + v);
            }
            if (OUTBOUND_NAME.matcher(e.getKey()).matches() && !v.isEmpty() && !v.startsWith("127.") && !v.startsWith("localhost")) {
                return Optional.of(e.getKey() + "=" + v);
            }
        }
        return Optional.empty();
    }

    /** Where the container calls a sidecar endpoint (preStop, command, args), if it does. */
    private static Optional<String> sidecarCall(Map<?, ?> container) {
        Map<?, ?> preStop = map(map(container.get("lifecycle")).get("preStop"));
        StringBuilder hook = new StringBuilder();
        list(map(preStop.get("exec")).get("command")).forEach(o -> hook.append(o).append(' '));
        Map<?, ?> http = map(preStop.get("httpGet"));
        if (!http.isEmpty()) {
            hook.append(":").append(http.get("port")).append(' ').append(http.get("path"));
        }
        if (SIDECAR_CALL.matcher(hook).find()) {
            return Optional.of("preStop");
        }
        StringBuilder command = new StringBuilder();
        list(container.get("command")).forEach(o -> command.append(o).append(' '));
        list(container.get("args")).forEach(o -> command.append(o).append(' '));
        return SIDECAR_CALL.matcher(command).find() ? Optional.of("command") : Optional.empty();
    }
}
