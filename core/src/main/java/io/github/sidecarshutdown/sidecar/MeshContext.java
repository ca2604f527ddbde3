package io.github.sidecarshutdown.sidecar;

import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.envoy.AdminCallListener;
import io.github.sidecarshutdown.pod.PodAnnotations;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link Mesh} gets to make its adapter: the validated settings (its own among them), the
 * Pod's annotations as read once, the listener told about every admin call, and the mode the user
 * configured ({@link SidecarMode#AUTO} when the mesh was found by detection). Immutable.
 */
public final class MeshContext {

    /** Longest connect timeout of an admin call: a loopback port either accepts at once or refuses. */
    private static final Duration MAX_CONNECT = Duration.ofMillis(250);

    private final ShutdownSettings settings;
    private final PodAnnotations pod;
    private final AdminCallListener listener;
    private final SidecarMode configured;

    /**
     * @param settings   the coordinator's settings
     * @param pod        the Pod's annotations
     * @param listener   told about every admin call
     * @param configured the {@code sidecar-mode} as configured
     */
    public MeshContext(ShutdownSettings settings, PodAnnotations pod, AdminCallListener listener, SidecarMode configured) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.pod = Objects.requireNonNull(pod, "pod");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.configured = Objects.requireNonNull(configured, "configured");
    }

    /** The coordinator's settings. */
    public ShutdownSettings settings() {
        return settings;
    }

    /** The Pod's annotations as read at build. */
    public PodAnnotations pod() {
        return pod;
    }

    /** Told about every admin call (metrics). */
    public AdminCallListener adminCallListener() {
        return listener;
    }

    /** The {@code sidecar-mode} as configured: {@link SidecarMode#AUTO} when detection chose the mesh. */
    public SidecarMode configuredMode() {
        return configured;
    }

    /** The value of a URL setting of a mesh. */
    public URI url(MeshSetting setting) {
        return settings.url(setting);
    }

    /**
     * The URL for {@code setting}: the configured one when the user set it, else {@code http://127.0.0.1:<port>}
     * when the Pod's annotations name the port the injector put the sidecar on, else the default.
     */
    public URI url(MeshSetting setting, String portAnnotation) {
        if (settings.isSet(setting)) {
            return settings.url(setting);
        }
        String port = pod.get(portAnnotation);
        if (port != null && port.strip().matches("\\d{1,5}")) {
            int p = Integer.parseInt(port.strip());
            if (p >= 1 && p <= 65535) {
                return URI.create("http://127.0.0.1:" + p);
            }
        }
        return settings.url(setting);
    }

    /** The connect timeout of one admin call: the admin timeout, at most 250 ms. */
    public Duration connectTimeout() {
        Duration t = settings.adminTimeout();
        return t.compareTo(MAX_CONNECT) < 0 ? t : MAX_CONNECT;
    }
}
