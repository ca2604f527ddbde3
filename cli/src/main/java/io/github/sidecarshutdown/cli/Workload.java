package io.github.sidecarshutdown.cli;

import java.util.List;
import java.util.Map;

/**
 * A Pod template found in a manifest.
 *
 * @param file        where it was read
 * @param kind        {@code Deployment}, {@code Job}, ...
 * @param name        {@code metadata.name}
 * @param annotations the Pod template's annotations
 * @param labels      the Pod template's labels
 * @param podSpec     the Pod template's spec, as SnakeYAML read it
 */
record Workload(String file, String kind, String name, Map<String, String> annotations, Map<String, String> labels,
        Map<String, Object> podSpec) {

    static final List<String> KINDS = List.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod");

    /** The sidecars themselves, when a rendered Pod lists them: never the app. */
    static final List<String> SIDECAR_CONTAINERS = List.of("istio-proxy", "consul-dataplane", "kuma-sidecar", "linkerd-proxy",
            "daprd");

    /** Kinds whose Pods serve behind a Service and are replaced on every rollout. */
    private static final List<String> SERVICE_KINDS = List.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet");

    /** The Pod's containers other than a sidecar's. */
    List<Map<?, ?>> appContainers() {
        return ManifestReader.list(podSpec.get("containers")).stream().map(ManifestReader::map)
                .filter(c -> !SIDECAR_CONTAINERS.contains(String.valueOf(c.get("name")))).toList();
    }

    boolean isBatch() {
        return kind.equals("Job") || kind.equals("CronJob");
    }

    /** A Deployment, StatefulSet, DaemonSet or ReplicaSet: never a Job's Pod (a bare Pod may be either). */
    boolean isService() {
        return SERVICE_KINDS.contains(kind);
    }

    /** Where the Pod spec sits in this kind's manifest, as a fix names it (e.g. {@code spec.template.spec}). */
    String podSpecPath() {
        return switch (kind) {
            case "Pod" -> "spec";
            case "CronJob" -> "spec.jobTemplate.spec.template.spec";
            default -> "spec.template.spec";
        };
    }

    /** The Pod's {@code restartPolicy} as written, or empty when the template does not set it. */
    String restartPolicy() {
        Object p = podSpec.get("restartPolicy");
        return p == null ? "" : String.valueOf(p).strip();
    }

    String title() {
        return kind + "/" + name;
    }
}
