package io.github.sidecarshutdown.pod;

import io.github.sidecarshutdown.internal.Loggers;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * The Pod's annotations as the library read them once at {@code build()}, from the downward-API file
 * ({@code fieldPath: metadata.annotations}), for every mesh to interpret: Istio's
 * ({@link io.github.sidecarshutdown.istio.PodFacts}), Consul's and Kuma's ({@link MeshAnnotations}), and the injectors' marks that
 * say a sidecar is in the Pod even before it answers.
 *
 * @param values  the annotations, empty when the file is missing or could not be read
 * @param source  where they came from, for logs and the plan (the file, or why there is none)
 * @param mounted whether the file was there and read (a mounted file may still hold no annotation
 *                the library reads)
 */
public record PodAnnotations(Map<String, String> values, String source, boolean mounted) {

    /** Looked up at each use, not at class load: SLF4J then starts off the app's path to Ready (docs/timeline.md). */
    private static Logger logger() {
        return Loggers.of(PodAnnotations.class);
    }

    public PodAnnotations {
        values = Map.copyOf(values);
        Objects.requireNonNull(source, "source");
    }

    /** No annotations known, with why. */
    public static PodAnnotations none(String why) {
        return new PodAnnotations(Map.of(), why, false);
    }

    /** Annotations already decoded (a manifest, a test). */
    public static PodAnnotations of(Map<String, String> values, String source) {
        return new PodAnnotations(values, source, true);
    }

    /**
     * Reads the downward-API annotations file: a regular file only, bounded in size (a FIFO or a
     * device is not opened). Never throws: a missing, unreadable or malformed file logs one line and
     * gives {@link #none}, so the library keeps its defaults.
     */
    public static PodAnnotations read(Path file) {
        Objects.requireNonNull(file, "file");
        PodFile.Read r = PodFile.read(file);
        if (r.missing()) {
            logger().info("No Pod annotations at {} (mount metadata.annotations with the downward API so that sidecar-shutdown "
                    + "sees an injected sidecar before it answers, native mode and the Pod's proxy config); "
                    + "using what the sidecar answers and the defaults", file);
            return none("no annotations file");
        }
        if (r.content() == null) {
            logger().warn("Pod annotations file {} is {}; ignored, using the defaults", file, r.problem());
            return none("annotations file " + r.problem());
        }
        try {
            return new PodAnnotations(DownwardApiAnnotations.parse(r.content()), file.toString(), true);
        } catch (PodAnnotationException e) {
            logger().warn("Pod annotations file {} is malformed ({}); using the defaults", file, e.getMessage());
            return none("annotations file malformed");
        }
    }

    /**
     * Parses a duration written in an annotation ({@code 30s}, {@code 1m30s}, {@code 500ms}).
     *
     * @param what what is being read, as the error names it (the annotation and field)
     * @param raw  the text
     * @param hint how to write it, for the error (e.g. {@code such as 30s, 1m30s or 500ms})
     * @throws PodAnnotationException naming {@code what}, the value and {@code hint}
     */
    public static java.time.Duration duration(String what, String raw, String hint) {
        try {
            return io.github.sidecarshutdown.config.SettingParser.duration(AnnotationDuration.KEY, what, raw);
        } catch (io.github.sidecarshutdown.config.InvalidSettingException e) {
            throw new PodAnnotationException(0, what + ": '" + abbreviate(raw) + "' is not a duration " + hint);
        }
    }

    /**
     * {@code s} as quoted in an error message: shortened, and with control characters escaped, since
     * annotation text is written by whoever wrote the manifest and the message goes to a log.
     */
    public static String abbreviate(String s) {
        return DownwardApiAnnotations.abbreviate(s);
    }

    /**
     * Parses the content of a downward-API annotations or labels file: one {@code key="value"} line
     * each, values quoted as Go's {@code %q} writes them.
     *
     * @throws PodAnnotationException on a line that is not {@code key="value"}, a bad escape, a
     *     duplicate key, or content too large
     */
    public static Map<String, String> parse(String content) {
        return DownwardApiAnnotations.parse(content);
    }

    /** The annotation's value, or null. */
    public @Nullable String get(String key) {
        return values.get(key);
    }
}
