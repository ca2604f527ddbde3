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

    boolean isBatch() {
        return kind.equals("Job") || kind.equals("CronJob");
    }

    String title() {
        return kind + "/" + name;
    }
}
