package io.github.sidecarshutdown.testkit.emulator;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the other meshes' bootstraps give their Envoy, as {@code /server_info} shows it: the {@code node}
 * (id, cluster, metadata) and the command-line options that differ from Istio's. Each mesh's shape is
 * the one its bootstrap source writes (docs/emulator-meshes.md); names and ids stand for a Pod
 * {@code app-7d9c-abcde} of workload {@code app} in namespace {@code default}.
 */
final class EnvoyNodes {

    static final String POD = "app-7d9c-abcde";
    /** kuma-dp's version as {@code version.kumaDp} carries it (kuma-dp 2.14, Envoy 1.38.2). */
    static final String KUMA_DP_VERSION = "2.14.3";
    /** kuma-dp's work directory: a temporary {@code kuma-dp-*} directory unless configured. */
    static final String KUMA_WORK_DIR = "/tmp/kuma-dp-3417262151";

    private EnvoyNodes() {
    }

    /** The node of {@code settings.mode()}, an other mesh with an Envoy. */
    static Map<String, Object> node(EmulatorSettings settings, int adminPort, int agentPort) {
        switch (settings.mode()) {
            case CONSUL:
                return consul();
            case KUMA:
                return kuma(settings, adminPort, agentPort);
            default:
                throw new IllegalArgumentException("no Envoy node for " + settings.mode());
        }
    }

    /**
     * consul-dataplane's bootstrap template: id = the proxy's service id ({@code <pod>-<service>-sidecar-proxy}
     * as consul-k8s registers it), cluster = the service, metadata {@code node_name} (consul-k8s:
     * {@code <k8s node>-virtual}), {@code namespace} and {@code partition} ({@code default} without
     * Consul Enterprise).
     */
    static Map<String, Object> consul() {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("node_name", "node-1-virtual");
        metadata.put("namespace", "default");
        metadata.put("partition", "default");
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("id", POD + "-app-sidecar-proxy");
        node.put("cluster", "app");
        node.put("metadata", metadata);
        return node;
    }

    /**
     * Kuma's bootstrap: id {@code <mesh>.<pod>.<namespace>}, cluster = the workload, metadata with the
     * admin address and port, the readiness reporter's port, the proxy type and the versions of Envoy and
     * kuma-dp.
     */
    static Map<String, Object> kuma(EmulatorSettings settings, int adminPort, int readinessPort) {
        Map<String, Object> envoy = new LinkedHashMap<>();
        envoy.put("build", AdminServer.ENVOY_BUILD_SHA + "/" + settings.envoyVersion() + "/Clean/RELEASE/BoringSSL");
        envoy.put("version", settings.envoyVersion());
        Map<String, Object> kumaDp = new LinkedHashMap<>();
        kumaDp.put("buildDate", "2026-07-30T09:12:44Z");
        kumaDp.put("gitCommit", "0c2a4f6e9b1d3a5c7e9f1b3d5a7c9e1f3b5d7a9c");
        kumaDp.put("gitTag", "v" + KUMA_DP_VERSION);
        kumaDp.put("version", KUMA_DP_VERSION);
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("envoy", envoy);
        version.put("kumaDp", kumaDp);

        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("dataplane.admin.address", "127.0.0.1");
        metadata.put("dataplane.admin.port", String.valueOf(adminPort));
        metadata.put("dataplane.proxyType", "dataplane");
        metadata.put("dataplane.readinessReporter.port", String.valueOf(readinessPort));
        metadata.put("features", List.of());
        metadata.put("version", version);
        metadata.put("workdir", KUMA_WORK_DIR);
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("id", "default." + POD + ".default");
        node.put("cluster", "app");
        node.put("metadata", metadata);
        return node;
    }

    /** Where the bootstrap came from: consul-dataplane passes it inline, kuma-dp writes a file. */
    static void options(EmulatorSettings settings, Map<String, Object> options, Duration drainTime) {
        if (settings.mode() == EmulatorMode.CONSUL) {
            options.put("config_path", "");
            options.put("config_yaml", "(consul-dataplane's bootstrap, elided by the emulator)");
        } else {
            options.put("config_path", KUMA_WORK_DIR + "/bootstrap.yaml");
            options.put("config_yaml", "");
        }
        options.put("drain_time", AdminServer.protoDuration(drainTime));
    }
}
