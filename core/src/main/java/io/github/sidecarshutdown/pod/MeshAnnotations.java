package io.github.sidecarshutdown.pod;

import io.github.sidecarshutdown.config.InvalidSettingException;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.config.SettingParser;
import io.github.sidecarshutdown.internal.Loggers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * What the Pod's annotations say about a Consul or Kuma sidecar (docs/sidecar-protocol.md §10):
 * whether their injector put one in the Pod, and the knobs that decide its window after SIGTERM.
 * Kept apart from {@link io.github.sidecarshutdown.istio.PodFacts}, which is about Istio. Every field is empty when the Pod does not
 * say it.
 *
 * @param consulInjected      {@code consul.hashicorp.com/connect-inject-status: injected}
 * @param consulLifecycle     {@code consul.hashicorp.com/enable-sidecar-proxy-lifecycle}
 * @param consulGracePeriod   {@code consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds}
 * @param consulGracefulPort  {@code consul.hashicorp.com/sidecar-proxy-lifecycle-graceful-port}
 * @param consulNative        {@code consul.hashicorp.com/enable-consul-dataplane-as-sidecar}
 * @param kumaInjected        {@code kuma.io/sidecar-injected: true}
 * @param kumaDrainTime       {@code kuma.io/sidecar-drain-time}
 * @param kumaAdminPort       {@code kuma.io/envoy-admin-port}
 * @param source              where the annotations came from, for logs
 */
public record MeshAnnotations(
        boolean consulInjected,
        Optional<Boolean> consulLifecycle,
        Optional<Duration> consulGracePeriod,
        Optional<Integer> consulGracefulPort,
        Optional<Boolean> consulNative,
        boolean kumaInjected,
        Optional<Duration> kumaDrainTime,
        Optional<Integer> kumaAdminPort,
        String source) {

    /** Set by consul-k8s on every Pod it injected, with the value {@code injected}. */
    public static final String CONSUL_INJECT_STATUS = "consul.hashicorp.com/connect-inject-status";
    /** Per-Pod switch of the dataplane's proxy lifecycle management (consul-k8s default: on). */
    public static final String CONSUL_LIFECYCLE = "consul.hashicorp.com/enable-sidecar-proxy-lifecycle";
    /** Seconds the dataplane keeps Envoy forwarding after its SIGTERM (consul-k8s default 30). */
    public static final String CONSUL_GRACE_PERIOD = "consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds";
    /** Port of the dataplane's lifecycle server (consul-k8s default 20600). */
    public static final String CONSUL_GRACEFUL_PORT = "consul.hashicorp.com/sidecar-proxy-lifecycle-graceful-port";
    /** Runs consul-dataplane as a Kubernetes sidecar container (stopped by the kubelet after the app). */
    public static final String CONSUL_NATIVE = "consul.hashicorp.com/enable-consul-dataplane-as-sidecar";
    /** Set by Kuma's injector on every Pod it injected, with the value {@code true}. */
    public static final String KUMA_INJECTED = "kuma.io/sidecar-injected";
    /** How long kuma-dp keeps Envoy forwarding after its SIGTERM (a Go duration; Kuma's default 30s). */
    public static final String KUMA_DRAIN_TIME = "kuma.io/sidecar-drain-time";
    /** Envoy admin port of the kuma-dp sidecar, set by Kuma's injector. */
    public static final String KUMA_ADMIN_PORT = "kuma.io/envoy-admin-port";

    /** consul-k8s's Helm default for the grace period ({@code defaultShutdownGracePeriodSeconds}). */
    public static final Duration CONSUL_DEFAULT_GRACE_PERIOD = Duration.ofSeconds(30);
    /** Kuma's default drain time ({@code runtime.kubernetes.injector.sidecarContainer.drainTime}). */
    public static final Duration KUMA_DEFAULT_DRAIN_TIME = Duration.ofSeconds(30);

    /** Looked up at each use, not at class load: SLF4J then starts off the app's path to Ready (docs/timeline.md). */
    private static Logger logger() {
        return Loggers.of(MeshAnnotations.class);
    }

    public MeshAnnotations {
        Objects.requireNonNull(consulLifecycle, "consulLifecycle");
        Objects.requireNonNull(consulGracePeriod, "consulGracePeriod");
        Objects.requireNonNull(consulGracefulPort, "consulGracefulPort");
        Objects.requireNonNull(consulNative, "consulNative");
        Objects.requireNonNull(kumaDrainTime, "kumaDrainTime");
        Objects.requireNonNull(kumaAdminPort, "kumaAdminPort");
        Objects.requireNonNull(source, "source");
    }

    /** Nothing known. */
    public static MeshAnnotations none(String source) {
        return new MeshAnnotations(false, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false,
                Optional.empty(), Optional.empty(), source);
    }

    /**
     * The window consul-dataplane keeps Envoy forwarding after its SIGTERM: 0 with lifecycle
     * management off (the dataplane's own default grace period is 0, so it quits Envoy at once),
     * else the annotation, else {@code fallback}. Empty for a native dataplane, which gets its
     * SIGTERM only after the app exited.
     */
    public Optional<Duration> consulWindow(Duration fallback) {
        if (consulNative.orElse(false)) {
            return Optional.empty();
        }
        if (!consulLifecycle.orElse(true)) {
            return Optional.of(Duration.ZERO);
        }
        return Optional.of(consulGracePeriod.orElse(fallback));
    }

    /**
     * Reads the downward-API annotations file ({@link PodAnnotations#read}). Never throws: a missing
     * file gives {@link #none(String)}; a malformed one logs one line naming the annotation and its fix.
     */
    public static MeshAnnotations read(Path file) {
        return of(PodAnnotations.read(file));
    }

    /** The Consul and Kuma facts in annotations read once; a malformed one logs one line and gives none. */
    public static MeshAnnotations of(PodAnnotations annotations) {
        if (!annotations.mounted()) {
            return none(annotations.source());
        }
        try {
            return fromAnnotations(annotations.values(), annotations.source());
        } catch (PodAnnotationException e) {
            logger().warn("Pod annotations in {}: {}; the Consul and Kuma defaults apply", annotations.source(), e.getMessage());
            return none("annotations file malformed");
        }
    }

    /**
     * Facts from annotations already decoded (the downward-API file, or a manifest).
     *
     * @throws PodAnnotationException naming the annotation as written, its value and the fix
     */
    public static MeshAnnotations fromAnnotations(Map<String, String> a, String source) {
        Objects.requireNonNull(a, "annotations");
        boolean consul = "injected".equals(strip(a.get(CONSUL_INJECT_STATUS)));
        String kumaFlag = strip(a.get(KUMA_INJECTED));
        boolean kuma = kumaFlag != null && (kumaFlag.equalsIgnoreCase("true") || kumaFlag.equalsIgnoreCase("enabled"));
        return new MeshAnnotations(consul, bool(a, CONSUL_LIFECYCLE), seconds(a, CONSUL_GRACE_PERIOD), port(a, CONSUL_GRACEFUL_PORT),
                bool(a, CONSUL_NATIVE), kuma, goDuration(a, KUMA_DRAIN_TIME), port(a, KUMA_ADMIN_PORT), source);
    }

    private static @Nullable String strip(@Nullable String s) {
        return s == null ? null : s.strip();
    }

    private static Optional<Boolean> bool(Map<String, String> a, String name) {
        String v = strip(a.get(name));
        if (v == null || v.isEmpty()) {
            return Optional.empty();
        }
        // consul-k8s reads these with Go's strconv.ParseBool.
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true": case "1": case "t":
                return Optional.of(true);
            case "false": case "0": case "f":
                return Optional.of(false);
            default:
                throw new PodAnnotationException(0, name + ": '" + DownwardApiAnnotations.abbreviate(v)
                        + "' is not true or false; write \"true\" or \"false\"");
        }
    }

    private static Optional<Duration> seconds(Map<String, String> a, String name) {
        String v = strip(a.get(name));
        if (v == null) {
            return Optional.empty();
        }
        // consul-k8s parses it with strconv.ParseUint: whole seconds, digits only.
        if (!v.matches("\\d{1,9}")) {
            throw new PodAnnotationException(0, name + ": '" + DownwardApiAnnotations.abbreviate(v)
                    + "' is not a whole number of seconds; write it as digits only, such as \"30\" (consul-k8s rejects \"30s\")");
        }
        return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
    }

    private static Optional<Integer> port(Map<String, String> a, String name) {
        String v = strip(a.get(name));
        if (v == null) {
            return Optional.empty();
        }
        if (!v.matches("\\d{1,5}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > 65535) {
            throw new PodAnnotationException(0, name + ": '" + DownwardApiAnnotations.abbreviate(v)
                    + "' is not a port; write a number from 1 to 65535, such as \"20600\"");
        }
        return Optional.of(Integer.parseInt(v));
    }

    private static Optional<Duration> goDuration(Map<String, String> a, String name) {
        String v = strip(a.get(name));
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(SettingParser.duration(AnnotationDuration.KEY, name, v));
        } catch (InvalidSettingException e) {
            throw new PodAnnotationException(0, name + ": '" + DownwardApiAnnotations.abbreviate(v)
                    + "' is not a duration; write it as Kuma reads it, such as \"30s\" or \"1m30s\"");
        }
    }
}
