package io.github.sidecarshutdown.istio;

import io.github.sidecarshutdown.internal.Json;
import io.github.sidecarshutdown.internal.Loggers;
import io.github.sidecarshutdown.pod.PodAnnotationException;
import io.github.sidecarshutdown.pod.PodAnnotations;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * What the Pod's annotations say about its sidecar: the
 * {@code proxy.istio.io/config} ProxyConfig fields that decide the shutdown window, and whether
 * the injector made {@code istio-proxy} a native sidecar. Every field is empty when the Pod does
 * not say it. Envoy's {@code /server_info} wins where both speak; these facts fill the gaps (the
 * window before Envoy answers, native mode, which {@code /server_info} cannot show).
 *
 * @param terminationDrainDuration        {@code terminationDrainDuration}
 * @param holdApplicationUntilProxyStarts {@code holdApplicationUntilProxyStarts}
 * @param exitOnZeroActiveConnections     {@code proxyMetadata.EXIT_ON_ZERO_ACTIVE_CONNECTIONS}
 * @param minimumDrainDuration            {@code proxyMetadata.MINIMUM_DRAIN_DURATION}
 * @param nativeSidecar                   from {@code sidecar.istio.io/status} ({@code istio-proxy}
 *                                        under {@code initContainers}), else from
 *                                        {@code sidecar.istio.io/nativeSidecar}
 * @param istioSidecar                    whether the annotations show an Istio sidecar at all
 *                                        (status, proxy config, native flag or {@code sidecar.istio.io/inject=true})
 * @param ambient                         whether {@code ambient.istio.io/redirection} is {@code enabled}:
 *                                        the Pod is in Istio's ambient mode (ztunnel, no sidecar)
 * @param source                          where the facts came from, for logs
 */
public record PodFacts(
        Optional<Duration> terminationDrainDuration,
        Optional<Boolean> holdApplicationUntilProxyStarts,
        Optional<Boolean> exitOnZeroActiveConnections,
        Optional<Duration> minimumDrainDuration,
        Optional<Boolean> nativeSidecar,
        boolean istioSidecar,
        boolean ambient,
        String source) {

    /** The downward-API annotation holding the pod's ProxyConfig overrides. */
    public static final String PROXY_CONFIG = "proxy.istio.io/config";
    /** Set by Istio's injector; its JSON lists where {@code istio-proxy} went. */
    public static final String SIDECAR_STATUS = "sidecar.istio.io/status";
    /** Per-pod request for a native sidecar (Istio 1.24 and later). */
    public static final String NATIVE_SIDECAR = "sidecar.istio.io/nativeSidecar";
    /** Set by istio-cni on a Pod whose traffic ztunnel redirects (ambient mode); {@code enabled} when on. */
    public static final String AMBIENT_REDIRECTION = "ambient.istio.io/redirection";
    /** Per-pod injection switch. */
    public static final String INJECT = "sidecar.istio.io/inject";

    /** Looked up at each use, not at class load: SLF4J then starts off the app's path to Ready (docs/timeline.md). */
    private static Logger logger() {
        return Loggers.of(PodFacts.class);
    }

    public PodFacts {
        Objects.requireNonNull(terminationDrainDuration, "terminationDrainDuration");
        Objects.requireNonNull(holdApplicationUntilProxyStarts, "holdApplicationUntilProxyStarts");
        Objects.requireNonNull(exitOnZeroActiveConnections, "exitOnZeroActiveConnections");
        Objects.requireNonNull(minimumDrainDuration, "minimumDrainDuration");
        Objects.requireNonNull(nativeSidecar, "nativeSidecar");
        Objects.requireNonNull(source, "source");
    }

    /** Nothing known. */
    public static PodFacts none(String source) {
        return new PodFacts(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                false, false, source);
    }

    /** Whether the Pod said nothing that matters here. */
    public boolean isEmpty() {
        return terminationDrainDuration.isEmpty() && holdApplicationUntilProxyStarts.isEmpty()
                && exitOnZeroActiveConnections.isEmpty() && minimumDrainDuration.isEmpty() && nativeSidecar.isEmpty()
                && !istioSidecar && !ambient;
    }

    /** Whether the Pod's sidecar is a native one (Kubernetes sidecar container). */
    public boolean isNative() {
        return nativeSidecar.orElse(false);
    }

    /**
     * Reads the downward-API annotations file ({@link PodAnnotations#read}). Never throws: a missing,
     * unreadable or malformed file logs one line and gives {@link #none(String)}, so the library
     * keeps its defaults.
     */
    public static PodFacts read(Path file) {
        return of(PodAnnotations.read(file));
    }

    /** The Istio facts in annotations read once; malformed Istio annotations log one line and give none. */
    public static PodFacts of(PodAnnotations annotations) {
        if (!annotations.mounted()) {
            return none(annotations.source());
        }
        try {
            PodFacts f = fromAnnotations(annotations.values(), annotations.source());
            logger().debug("Pod facts from {}: {}", annotations.source(), f);
            return f;
        } catch (PodAnnotationException e) {
            logger().warn("Pod annotations in {} are malformed ({}); using the defaults", annotations.source(), e.getMessage());
            return none("annotations file malformed");
        }
    }

    /**
     * Facts from annotations already decoded (the downward-API file, or a manifest).
     *
     * @throws PodAnnotationException if {@code proxy.istio.io/config}, {@code sidecar.istio.io/status}
     *     or a field the library reads is malformed; the message names the annotation
     */
    public static PodFacts fromAnnotations(Map<String, String> annotations, String source) {
        Objects.requireNonNull(annotations, "annotations");
        Optional<Duration> tdd = Optional.empty();
        Optional<Boolean> hold = Optional.empty();
        Optional<Boolean> exitOnZero = Optional.empty();
        Optional<Duration> minimum = Optional.empty();
        String config = annotations.get(PROXY_CONFIG);
        if (config != null) {
            Map<String, Object> pc;
            try {
                pc = ProxyConfigYaml.parse(config);
            } catch (PodAnnotationException e) {
                throw new PodAnnotationException(e.line(), PROXY_CONFIG + ": " + stripLine(e));
            }
            tdd = duration(pc.get("terminationDrainDuration"), PROXY_CONFIG + " terminationDrainDuration");
            hold = bool(pc.get("holdApplicationUntilProxyStarts"), PROXY_CONFIG + " holdApplicationUntilProxyStarts");
            Object md = pc.get("proxyMetadata");
            if (md != null && !(md instanceof Map)) {
                throw new PodAnnotationException(lineOf(md), PROXY_CONFIG + ": proxyMetadata must be a map of NAME: value"
                        + notA(md));
            }
            if (md instanceof Map) {
                Map<?, ?> meta = (Map<?, ?>) md;
                exitOnZero = bool(meta.get("EXIT_ON_ZERO_ACTIVE_CONNECTIONS"),
                        PROXY_CONFIG + " proxyMetadata.EXIT_ON_ZERO_ACTIVE_CONNECTIONS");
                minimum = duration(meta.get("MINIMUM_DRAIN_DURATION"), PROXY_CONFIG + " proxyMetadata.MINIMUM_DRAIN_DURATION");
            }
        }
        Optional<Boolean> nativeSidecar = Optional.empty();
        String status = annotations.get(SIDECAR_STATUS);
        if (status != null) {
            nativeSidecar = nativeFromStatus(status);
        }
        String requested = annotations.get(NATIVE_SIDECAR);
        if (nativeSidecar.isEmpty() && requested != null) {
            nativeSidecar = bool(requested, NATIVE_SIDECAR);
        }
        String inject = annotations.get(INJECT);
        boolean istio = status != null || config != null || requested != null
                || (inject != null && inject.strip().equalsIgnoreCase("true"));
        if (inject != null && inject.strip().equalsIgnoreCase("false") && status == null) {
            istio = false;
        }
        String redirection = annotations.get(AMBIENT_REDIRECTION);
        boolean ambient = redirection != null && redirection.strip().equalsIgnoreCase("enabled");
        return new PodFacts(tdd, hold, exitOnZero, minimum, nativeSidecar, istio, ambient, source);
    }

    private static String stripLine(PodAnnotationException e) {
        String m = e.getMessage();
        return m != null && m.startsWith("line ") ? m.substring(m.indexOf(':') + 2) : String.valueOf(m);
    }

    private static Optional<Boolean> nativeFromStatus(String status) {
        Object root;
        try {
            root = Json.parse(status);
        } catch (Json.JsonException e) {
            throw new PodAnnotationException(0, SIDECAR_STATUS + ": " + e.getMessage());
        }
        if (!(root instanceof Map)) {
            throw new PodAnnotationException(0, SIDECAR_STATUS + ": expected a JSON object");
        }
        Map<?, ?> m = (Map<?, ?>) root;
        if (names(m.get("initContainers")).contains("istio-proxy")) {
            return Optional.of(true);
        }
        if (names(m.get("containers")).contains("istio-proxy")) {
            return Optional.of(false);
        }
        return Optional.empty();
    }

    private static List<?> names(@Nullable Object o) {
        return o instanceof List ? (List<?>) o : List.of();
    }

    /** Where a value the YAML reader skipped stood; 0 for other values, whose line is not kept. */
    private static int lineOf(Object o) {
        return o instanceof ProxyConfigYaml.Unread u ? u.line() : 0;
    }

    /** ", not a sequence" and the like, for a value of the wrong kind. */
    private static String notA(Object o) {
        if (o instanceof ProxyConfigYaml.Unread u) {
            return ", not " + u.what();
        }
        return o instanceof Map ? ", not a map" : "";
    }

    private static Optional<Duration> duration(@Nullable Object o, String what) {
        if (o == null) {
            return Optional.empty();
        }
        if (!(o instanceof String)) {
            // A field the library reads stays strict: a list or a block scalar here is an error,
            // though the same value under another key is skipped.
            throw new PodAnnotationException(lineOf(o), what + " must be a duration such as 30s" + notA(o));
        }
        return Optional.of(PodAnnotations.duration(what, (String) o, "such as 30s, 1m30s or 500ms"));
    }

    private static Optional<Boolean> bool(@Nullable Object o, String what) {
        if (o == null) {
            return Optional.empty();
        }
        String v = o instanceof String ? ((String) o).strip().toLowerCase(Locale.ROOT) : "";
        if (v.equals("true")) {
            return Optional.of(true);
        }
        if (v.equals("false")) {
            return Optional.of(false);
        }
        throw new PodAnnotationException(lineOf(o), what + ": expected true or false" + notA(o));
    }

    /**
     * Sidecar facts from the annotations alone, as the plan uses them before (or without) Envoy's
     * {@code /server_info}: {@code AUTO} resolves to {@code NATIVE} for a native sidecar,
     * {@code ISTIO} when the annotations show an Istio sidecar, {@code AMBIENT} for an ambient Pod
     * without one, else {@code NONE}; any other
     * configured mode is kept.
     *
     * @param configured    the configured sidecar mode
     * @param defaultWindow the window assumed when the Pod does not set {@code terminationDrainDuration}
     */
    public SidecarFacts toSidecarFacts(SidecarMode configured, Duration defaultWindow) {
        SidecarMode mode = configured;
        if (mode == SidecarMode.AUTO) {
            mode = isNative() ? SidecarMode.NATIVE : istioSidecar ? SidecarMode.ISTIO
                    : ambient ? SidecarMode.AMBIENT : SidecarMode.NONE;
        }
        if (mode == SidecarMode.NONE) {
            return SidecarFacts.none(source);
        }
        if (mode != SidecarMode.ISTIO) {
            return new SidecarFacts(mode, Optional.empty(), Optional.empty(), false, Optional.empty(), source);
        }
        return new SidecarFacts(SidecarMode.ISTIO, Optional.empty(), Optional.of(terminationDrainDuration.orElse(defaultWindow)),
                exitOnZeroActiveConnections.orElse(false), minimumDrainDuration, source
                        + (terminationDrainDuration.isEmpty() ? " (no terminationDrainDuration; assuming "
                                + defaultWindow.toMillis() + " ms)" : "")).withKnob(IstioMesh.WINDOW);
    }
}
