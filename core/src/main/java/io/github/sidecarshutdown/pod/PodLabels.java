package io.github.sidecarshutdown.pod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger logger = LoggerFactory.getLogger(PodLabels.class);

    public PodLabels {
        labels = Map.copyOf(labels);
        Objects.requireNonNull(source, "source");
    }

    /** The Job this Pod belongs to, if its labels say so. */
    public Optional<String> jobName() {
        String name = labels.get(JOB_NAME);
        if (name == null) {
            name = labels.get(LEGACY_JOB_NAME);
        }
        return Optional.ofNullable(name).filter(n -> !n.isBlank());
    }

    /**
     * Reads the downward-API labels file. Never throws: a missing, unreadable or malformed file logs
     * one line and gives no labels, so the Pod counts as a service (never released as a Job on a
     * guess).
     */
    public static PodLabels read(Path file) {
        Objects.requireNonNull(file, "file");
        String content;
        try {
            if (Files.size(file) > DownwardApiAnnotations.MAX_CHARS * 4L) {
                logger.warn("Pod labels file {} is larger than {} bytes; ignored: workload service", file,
                        DownwardApiAnnotations.MAX_CHARS * 4L);
                return new PodLabels(Map.of(), "labels file too large");
            }
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            logger.info("No Pod labels at {} (mount metadata.labels with the downward API to let sidecar-shutdown "
                    + "recognise a Job's Pod, or set SIDECAR_SHUTDOWN_WORKLOAD); workload service", file);
            return new PodLabels(Map.of(), "no labels file");
        } catch (IOException | RuntimeException e) {
            logger.warn("Pod labels file {} is unreadable ({}); workload service", file, e.toString());
            return new PodLabels(Map.of(), "labels file unreadable");
        }
        try {
            return new PodLabels(DownwardApiAnnotations.parse(content), file.toString());
        } catch (PodAnnotationException e) {
            logger.warn("Pod labels file {} is malformed ({}); workload service", file, e.getMessage());
            return new PodLabels(Map.of(), "labels file malformed");
        }
    }
}
