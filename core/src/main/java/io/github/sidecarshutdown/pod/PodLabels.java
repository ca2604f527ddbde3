package io.github.sidecarshutdown.pod;

import io.github.sidecarshutdown.internal.Loggers;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The Pod's labels, from the downward-API file ({@code fieldPath: metadata.labels}), which the
 * kubelet writes in the same {@code key="value"} format as the annotations file. The library reads
 * one thing from them: whether the Pod belongs to a Job. The Job controller labels every Pod it
 * creates with {@code batch.kubernetes.io/job-name} (Kubernetes 1.27+) and {@code job-name}
 * (older, still written); a Deployment's Pod carries neither.
 *
 * @param labels the labels, empty when the file is missing or malformed
 * @param source where they came from, for logs
 */
public record PodLabels(Map<String, String> labels, String source) {

    /** Set by the Job controller on its Pods since Kubernetes 1.27. */
    public static final String JOB_NAME = "batch.kubernetes.io/job-name";
    /** The older label, still written by the Job controller. */
    public static final String LEGACY_JOB_NAME = "job-name";

    /** Looked up at each use, not at class load: SLF4J then starts off the app's path to Ready (docs/timeline.md). */
    private static Logger logger() {
        return Loggers.of(PodLabels.class);
    }

    public PodLabels {
        labels = Map.copyOf(labels);
        Objects.requireNonNull(source, "source");
    }

    /** The Job controller's uid label, written with {@link #LEGACY_JOB_NAME} on every Pod it creates. */
    public static final String LEGACY_CONTROLLER_UID = "controller-uid";
    /** The Job controller's uid label since Kubernetes 1.27. */
    public static final String CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
    /** Set by the ReplicaSet controller on a Deployment's Pods: such a Pod is never a Job's. */
    public static final String POD_TEMPLATE_HASH = "pod-template-hash";

    /**
     * The Job this Pod belongs to, if only the Job controller could have labelled it so: its own
     * {@link #JOB_NAME}, or the legacy {@link #LEGACY_JOB_NAME} together with the controller's uid
     * label (a user may label a Deployment {@code job-name}, but not with the uid of a Job). Never
     * for a Pod that carries {@link #POD_TEMPLATE_HASH}: a Deployment's Pod, whatever else it says.
     */
    public Optional<String> jobName() {
        if (labels.containsKey(POD_TEMPLATE_HASH)) {
            return Optional.empty();
        }
        String name = labels.get(JOB_NAME);
        if (name == null && (labels.containsKey(LEGACY_CONTROLLER_UID) || labels.containsKey(CONTROLLER_UID))) {
            name = labels.get(LEGACY_JOB_NAME);
        }
        return name == null || name.isBlank() ? Optional.empty() : Optional.of(name);
    }

    /**
     * Reads the downward-API labels file: a regular file only, bounded in size. Never throws: a
     * missing, unreadable or malformed file logs one line and gives no labels, so the Pod counts as a
     * service (never released as a Job on a guess).
     */
    public static PodLabels read(Path file) {
        Objects.requireNonNull(file, "file");
        PodFile.Read r = PodFile.read(file);
        if (r.missing()) {
            logger().info("No Pod labels at {} (mount metadata.labels with the downward API to let sidecar-shutdown "
                    + "recognise a Job's Pod, or set SIDECAR_SHUTDOWN_WORKLOAD); workload service", file);
            return new PodLabels(Map.of(), "no labels file");
        }
        if (r.content() == null) {
            logger().warn("Pod labels file {} is {}; ignored: workload service", file, r.problem());
            return new PodLabels(Map.of(), "labels file " + r.problem());
        }
        try {
            return new PodLabels(DownwardApiAnnotations.parse(r.content()), file.toString());
        } catch (PodAnnotationException e) {
            logger().warn("Pod labels file {} is malformed ({}); workload service", file, e.getMessage());
            return new PodLabels(Map.of(), "labels file malformed");
        }
    }
}
