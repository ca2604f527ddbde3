package io.github.sidecarshutdown.sidecar;

import java.util.Locale;
import java.util.Objects;

/**
 * Which sidecar the app runs beside, by name; setting {@code sidecar-mode}. A mode is only a name:
 * what a sidecar does (its calls, its window, whether its SIGTERM can be seen) is said by the
 * {@link Sidecar} the mode's {@link Mesh} makes, through its {@link SidecarFacts} and
 * {@link Sidecar#releaseDecision}. The built-in modes are the constants here; {@link Meshes} lists
 * the meshes that answer to them ({@code docs/sidecar-states.md}).
 *
 * <p>Immutable; equal when the names are equal.
 */
public final class SidecarMode {

    /** Find out: the Pod's annotations first, then what answers on each mesh's ports (docs/sidecar-states.md, "Detection"). */
    public static final SidecarMode AUTO = new SidecarMode("auto");
    /** Classic Istio sidecar (pilot-agent + Envoy): killed {@code terminationDrainDuration} after the Pod's SIGTERM. */
    public static final SidecarMode ISTIO = new SidecarMode("istio");
    /** Plain Envoy with an admin port and no pilot-agent. */
    public static final SidecarMode ENVOY = new SidecarMode("envoy");
    /** Istio native sidecar (a Kubernetes sidecar container): outbound works until the app exits. */
    public static final SidecarMode NATIVE = new SidecarMode("native");
    /** Istio ambient mode: no sidecar in the Pod, ztunnel on the node carries its traffic. */
    public static final SidecarMode AMBIENT = new SidecarMode("ambient");
    /** Linkerd's linkerd-proxy. */
    public static final SidecarMode LINKERD = new SidecarMode("linkerd");
    /** Dapr's daprd. */
    public static final SidecarMode DAPR = new SidecarMode("dapr");
    /** Consul's consul-dataplane with Envoy. */
    public static final SidecarMode CONSUL = new SidecarMode("consul");
    /** Kuma / Kong Mesh's kuma-dp with Envoy. */
    public static final SidecarMode KUMA = new SidecarMode("kuma");
    /** No sidecar: no calls, no window, no added delay. */
    public static final SidecarMode NONE = new SidecarMode("none");

    private final String name;

    private SidecarMode(String name) {
        this.name = name;
    }

    /**
     * The mode with this name (lowercase letters, digits and {@code -}); the built-in constants are
     * returned for their names.
     *
     * @throws IllegalArgumentException for a name that is not a mode name
     */
    public static SidecarMode of(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        if (!isName(n)) {
            throw new IllegalArgumentException("sidecar mode: '" + name + "' (expected: a lowercase name such as istio)");
        }
        for (SidecarMode m : new SidecarMode[] {AUTO, ISTIO, ENVOY, NATIVE, AMBIENT, LINKERD, DAPR, CONSUL, KUMA, NONE}) {
            if (m.name.equals(n)) {
                return m;
            }
        }
        return new SidecarMode(n);
    }

    /**
     * A lowercase letter, then at most 31 lowercase letters, digits and {@code -}. Written out rather
     * than as a regex: a mode is read on the app's path to Ready.
     */
    private static boolean isName(String n) {
        if (n.isEmpty() || n.length() > 32 || n.charAt(0) < 'a' || n.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < n.length(); i++) {
            char c = n.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** The name as settings, logs and reports write it, e.g. {@code istio}. */
    public String name() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SidecarMode other && other.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
