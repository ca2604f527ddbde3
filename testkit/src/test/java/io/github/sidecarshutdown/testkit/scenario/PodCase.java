package io.github.sidecarshutdown.testkit.scenario;

import io.github.sidecarshutdown.testkit.emulator.EmulatorMode;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorBuilder;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One Pod of the agreement matrix, described once: the mesh and its sidecar's settings, the
 * workload and how it ends, the library's release setting and the grace period. From it come both
 * what the library reads (the Pod's annotations in the downward-API file, the
 * {@code SIDECAR_SHUTDOWN_*} settings) and how the emulated sidecar behaves, so that the plan and
 * the emulator describe the same Pod. A plan's fix is applied here ({@link #withFix}): through the
 * same annotations and settings, so a fix the emulator cannot map is an error, not a silent no-op.
 *
 * @param mesh             the sidecar
 * @param end              how the Pod ends
 * @param releaseSidecar   {@code SIDECAR_SHUTDOWN_RELEASE_SIDECAR}
 * @param window           the sidecar's own window after its SIGTERM, whole seconds: Istio's
 *                         {@code terminationDrainDuration}, Consul's shutdown grace period, Kuma's
 *                         drain time (all set by annotation); Linkerd's and Dapr's own shutdown time
 *                         (no annotation the library reads); 0 where there is none
 * @param consulLifecycle  Consul's {@code enable-sidecar-proxy-lifecycle} (true elsewhere)
 * @param drainListeners   Consul's {@code ...-shutdown-drain-listeners} (true elsewhere)
 * @param grace            {@code terminationGracePeriodSeconds}, and the library's grace period with it
 */
record PodCase(Mesh mesh, End end, boolean releaseSidecar, Duration window, boolean consulLifecycle,
        boolean drainListeners, Duration grace) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The sidecars of the matrix. */
    enum Mesh {
        ISTIO("istio", EmulatorMode.ISTIO_1_26),
        ISTIO_NATIVE("native", EmulatorMode.NATIVE),
        CONSUL("consul", EmulatorMode.CONSUL),
        CONSUL_NATIVE("consul", EmulatorMode.CONSUL),
        KUMA("kuma", EmulatorMode.KUMA),
        LINKERD("linkerd", EmulatorMode.LINKERD),
        DAPR("dapr", EmulatorMode.DAPR),
        AMBIENT("ambient", EmulatorMode.AMBIENT),
        NONE("none", EmulatorMode.NONE);

        final String sidecarMode;
        final EmulatorMode emulatorMode;

        Mesh(String sidecarMode, EmulatorMode emulatorMode) {
            this.sidecarMode = sidecarMode;
            this.emulatorMode = emulatorMode;
        }

        /** Whether a Pod annotation sets the sidecar's window (the plan's knob). */
        boolean annotatedWindow() {
            return this == ISTIO || this == CONSUL || this == KUMA;
        }

        /** Whether its window ends its outbound: after it, calls through the sidecar fail. */
        boolean windowEndsOutbound() {
            return annotatedWindow();
        }

        /**
         * Whether the kubelet stops it only after the app exited (a native sidecar; ztunnel, which
         * removes the Pod once its last container exited), in a deletion and at a Job's end alike.
         */
        boolean stoppedAfterApp() {
            return this == ISTIO_NATIVE || this == CONSUL_NATIVE || this == AMBIENT;
        }

        /** Whether a sidecar container gets the Pod's SIGTERM with the app (a classic one). */
        boolean classic() {
            return this == ISTIO || this == CONSUL || this == KUMA || this == LINKERD || this == DAPR;
        }

        /**
         * Whether its SIGTERM shows to the app, and after how long: pilot-agent closes its port and
         * kuma-dp fails Envoy's health check at once; Linkerd's and Dapr's not-ready counts after
         * lasting 1 s (docs/sidecar-states.md). Empty when it never shows (Consul, native, ambient).
         */
        @Nullable Duration signalShowsAfter() {
            switch (this) {
                case ISTIO:
                case KUMA:
                    return Duration.ZERO;
                case LINKERD:
                case DAPR:
                    return Duration.ofSeconds(1);
                default:
                    return null;
            }
        }

        /**
         * Whether a classic sidecar left running at a Job's end keeps the Job from completing. Kuma's
         * control plane quits a finished Job's sidecar itself (kumahq/kuma#1497, as the linter
         * assumes); the emulator does not stand for the control plane, so Kuma is left out.
         */
        boolean keepsAJobRunning() {
            return this == ISTIO || this == CONSUL || this == LINKERD || this == DAPR;
        }
    }

    /** How the Pod ends. */
    enum End {
        /** A service's Pod is deleted: SIGTERM to the app and to a classic sidecar at once. */
        SERVICE_DELETED("service", true),
        /** A Job's app is done: the library runs on its own, nothing signals the sidecar. */
        JOB_COMPLETES("job", false),
        /** A Job's Pod is deleted (or its active deadline passed): as a service's deletion, in job mode. */
        JOB_DELETED("job", true);

        final String workload;
        final boolean deletion;

        End(String workload, boolean deletion) {
            this.workload = workload;
            this.deletion = deletion;
        }
    }

    static final String ISTIO_STATUS = "sidecar.istio.io/status";
    static final String ISTIO_PROXY_CONFIG = "proxy.istio.io/config";
    static final String AMBIENT_REDIRECTION = "ambient.istio.io/redirection";
    static final String CONSUL_INJECTED = "consul.hashicorp.com/connect-inject-status";
    static final String CONSUL_LIFECYCLE = "consul.hashicorp.com/enable-sidecar-proxy-lifecycle";
    static final String CONSUL_GRACE = "consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds";
    static final String CONSUL_DRAIN_LISTENERS = "consul.hashicorp.com/enable-sidecar-proxy-lifecycle-shutdown-drain-listeners";
    static final String CONSUL_NATIVE = "consul.hashicorp.com/enable-consul-dataplane-as-sidecar";
    static final String KUMA_INJECTED = "kuma.io/sidecar-injected";
    static final String KUMA_DRAIN_TIME = "kuma.io/sidecar-drain-time";

    static final String GRACE_PERIOD = "SIDECAR_SHUTDOWN_GRACE_PERIOD";
    static final String RELEASE_SIDECAR = "SIDECAR_SHUTDOWN_RELEASE_SIDECAR";

    /** The library's margin: with it the grace periods of the matrix leave whole seconds of budget. */
    static final Duration SAFETY_MARGIN = Duration.ofSeconds(1);
    static final Duration DRAIN_TIMEOUT = Duration.ofMillis(100);
    static final Duration ADMIN_TIMEOUT = Duration.ofMillis(500);

    private static final Pattern ISTIO_WINDOW = Pattern.compile(
            "^\\{?\\s*\"?terminationDrainDuration\"?\\s*:\\s*\"?(\\d+)s\"?\\s*}?\\s*$");
    private static final Pattern WHOLE_SECONDS = Pattern.compile("^(\\d+)s$");

    PodCase {
        Objects.requireNonNull(mesh, "mesh");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(grace, "grace");
        if (window.getNano() != 0 || grace.getNano() != 0) {
            throw new IllegalArgumentException("window and grace: whole seconds (expected: what annotations can say)");
        }
    }

    /** A case with the meshes' defaults for the settings that only one mesh has. */
    static PodCase of(Mesh mesh, End end, boolean releaseSidecar, Duration window, Duration grace) {
        return new PodCase(mesh, end, releaseSidecar, window, true, true, grace);
    }

    PodCase withConsul(boolean lifecycle, boolean drain) {
        return new PodCase(mesh, end, releaseSidecar, window, lifecycle, drain, grace);
    }

    /** A short name for reports, e.g. {@code consul lifecycle=off | service deleted | release | window 1s | grace 5s}. */
    String label() {
        StringBuilder sb = new StringBuilder(mesh.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        if (mesh == Mesh.CONSUL) {
            sb.append(consulLifecycle ? "" : " lifecycle=off").append(drainListeners ? "" : " drain-listeners=off");
        }
        sb.append(" | ").append(end.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        sb.append(" | ").append(releaseSidecar ? "release" : "release-sidecar=false");
        if (!window.isZero() || mesh.annotatedWindow()) {
            sb.append(" | window ").append(window.toSeconds()).append('s');
        }
        return sb.append(" | grace ").append(grace.toSeconds()).append('s').toString();
    }

    /** The window that ends the sidecar's outbound after its SIGTERM, as the emulator runs it. */
    Duration effectiveWindow() {
        if (mesh == Mesh.CONSUL && !consulLifecycle) {
            return Duration.ZERO; // consul-k8s passes no grace period: the dataplane's default, 0
        }
        return mesh.annotatedWindow() ? window : Duration.ZERO;
    }

    /**
     * How long after its SIGTERM the sidecar exits on its own (a classic sidecar in a deletion):
     * its window, or Linkerd's and Dapr's own shutdown time.
     */
    Duration naturalEnd() {
        return mesh == Mesh.LINKERD || mesh == Mesh.DAPR ? window : effectiveWindow();
    }

    /** How long a released sidecar may take to exit after the call: daprd's graceful shutdown, else at once. */
    Duration quitTime() {
        return mesh == Mesh.DAPR ? window : Duration.ZERO;
    }

    /** The Pod's annotations, as the downward API mounts them. */
    Map<String, String> annotations() {
        Map<String, String> a = new LinkedHashMap<>();
        switch (mesh) {
            case ISTIO:
                a.put(ISTIO_STATUS, "{\"initContainers\":[\"istio-init\"],\"containers\":[\"istio-proxy\"]}");
                a.put(ISTIO_PROXY_CONFIG, "terminationDrainDuration: " + window.toSeconds() + "s");
                break;
            case ISTIO_NATIVE:
                a.put(ISTIO_STATUS, "{\"initContainers\":[\"istio-validation\",\"istio-proxy\"],\"containers\":[]}");
                break;
            case CONSUL:
                a.put(CONSUL_INJECTED, "injected");
                a.put(CONSUL_LIFECYCLE, String.valueOf(consulLifecycle));
                a.put(CONSUL_GRACE, String.valueOf(window.toSeconds()));
                a.put(CONSUL_DRAIN_LISTENERS, String.valueOf(drainListeners));
                break;
            case CONSUL_NATIVE:
                a.put(CONSUL_INJECTED, "injected");
                a.put(CONSUL_NATIVE, "true");
                break;
            case KUMA:
                a.put(KUMA_INJECTED, "true");
                a.put(KUMA_DRAIN_TIME, window.toSeconds() + "s");
                break;
            case AMBIENT:
                a.put(AMBIENT_REDIRECTION, "enabled");
                break;
            default:
                break; // Linkerd's and Dapr's injectors write nothing the library reads
        }
        return a;
    }

    /** The library's settings, as the container's environment gives them. */
    Map<String, String> environment(Path annotationsFile, Path labelsFile) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SIDECAR_SHUTDOWN_SIDECAR_MODE", mesh.sidecarMode);
        env.put("SIDECAR_SHUTDOWN_WORKLOAD", end.workload);
        env.put(GRACE_PERIOD, grace.toSeconds() + "s");
        env.put("SIDECAR_SHUTDOWN_SAFETY_MARGIN", SAFETY_MARGIN.toSeconds() + "s");
        env.put("SIDECAR_SHUTDOWN_PROPAGATION_DELAY", "0s");
        env.put("SIDECAR_SHUTDOWN_DRAIN_TIMEOUT", DRAIN_TIMEOUT.toMillis() + "ms");
        env.put("SIDECAR_SHUTDOWN_ADMIN_TIMEOUT", ADMIN_TIMEOUT.toMillis() + "ms");
        env.put(RELEASE_SIDECAR, String.valueOf(releaseSidecar));
        env.put("SIDECAR_SHUTDOWN_ANNOTATIONS_FILE", annotationsFile.toString());
        env.put("SIDECAR_SHUTDOWN_LABELS_FILE", labelsFile.toString());
        return env;
    }

    /** The emulated sidecar of this Pod. */
    SidecarEmulatorBuilder emulator() {
        SidecarEmulatorBuilder b = SidecarEmulator.builder().mode(mesh.emulatorMode);
        switch (mesh) {
            case ISTIO:
                return b.terminationDrainDuration(window);
            case CONSUL:
                // consul-k8s passes the grace period and the drain switch only with the lifecycle on.
                return b.shutdownGracePeriod(effectiveWindow()).shutdownDrainListeners(consulLifecycle && drainListeners);
            case CONSUL_NATIVE:
                // No window for a native dataplane (docs/sidecar-protocol.md, consul-k8s at a507b1d):
                // its SIGTERM comes after the app exited and it stops at once.
                return b.shutdownGracePeriod(Duration.ZERO);
            case KUMA:
                return b.drainDuration(window);
            case LINKERD:
            case DAPR:
                return b.terminationDrainDuration(window);
            default:
                return b;
        }
    }

    /**
     * This Pod with a plan's fix applied: its annotations through the same mapping as
     * {@link #annotations()}, its settings and grace period.
     *
     * @throws IllegalArgumentException for an annotation or setting this Pod does not read: a fix
     *     that would change nothing
     */
    PodCase withFix(Map<String, String> annotations, Map<String, String> settings, @Nullable Duration gracePeriod) {
        Duration w = window;
        boolean lifecycle = consulLifecycle;
        boolean release = releaseSidecar;
        Duration g = grace;
        for (Map.Entry<String, String> e : annotations.entrySet()) {
            String key = e.getKey();
            String value = e.getValue().strip();
            if (mesh == Mesh.ISTIO && key.equals(ISTIO_PROXY_CONFIG)) {
                w = seconds(ISTIO_WINDOW, value, key);
            } else if (mesh == Mesh.CONSUL && key.equals(CONSUL_GRACE)) {
                w = Duration.ofSeconds(Long.parseLong(value));
            } else if (mesh == Mesh.CONSUL && key.equals(CONSUL_LIFECYCLE)) {
                lifecycle = Boolean.parseBoolean(value);
            } else if (mesh == Mesh.KUMA && key.equals(KUMA_DRAIN_TIME)) {
                w = seconds(WHOLE_SECONDS, value, key);
            } else {
                throw new IllegalArgumentException("the fix sets annotation " + key + ": '" + value + "', which a "
                        + mesh + " Pod's sidecar does not read");
            }
        }
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (e.getKey().equals(GRACE_PERIOD)) {
                g = seconds(WHOLE_SECONDS, e.getValue(), e.getKey());
            } else if (e.getKey().equals(RELEASE_SIDECAR)) {
                release = Boolean.parseBoolean(e.getValue());
            } else {
                throw new IllegalArgumentException("the fix sets " + e.getKey() + "=" + e.getValue() + ", which this test cannot apply");
            }
        }
        if (gracePeriod != null) {
            if (settings.containsKey(GRACE_PERIOD) && !gracePeriod.equals(g)) {
                throw new IllegalArgumentException("the fix's grace period " + gracePeriod + " and its " + GRACE_PERIOD + "="
                        + settings.get(GRACE_PERIOD) + " differ");
            }
            g = gracePeriod;
        }
        return new PodCase(mesh, end, release, w, lifecycle, drainListeners, g);
    }

    private static Duration seconds(Pattern p, String value, String what) {
        Matcher m = p.matcher(value.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(what + ": '" + value + "' (expected: a whole number of seconds)");
        }
        return Duration.ofSeconds(Long.parseLong(m.group(1)));
    }
}
