package io.github.sidecarshutdown;

import io.github.sidecarshutdown.consul.ConsulSidecar;
import io.github.sidecarshutdown.envoy.AdminCallListener;
import io.github.sidecarshutdown.envoy.EnvoyAdminClient;
import io.github.sidecarshutdown.kuma.KumaSidecar;
import io.github.sidecarshutdown.pod.MeshAnnotations;
import java.net.URI;
import java.time.Duration;

/**
 * Builds the Consul and Kuma adapters from the settings and the Pod's annotations. A port the
 * injector wrote into the annotations ({@code kuma.io/envoy-admin-port},
 * {@code consul.hashicorp.com/sidecar-proxy-lifecycle-graceful-port}) is used when the matching URL
 * setting was left at its default, since the injector put the sidecar there.
 */
final class MeshSidecars {

    private final ShutdownSettings settings;
    private final MeshAnnotations pod;
    private final AdminCallListener listener;
    private final boolean consulLifecycleUrlSet;
    private final boolean kumaAdminUrlSet;

    MeshSidecars(ShutdownSettings settings, MeshAnnotations pod, AdminCallListener listener, boolean consulLifecycleUrlSet,
            boolean kumaAdminUrlSet) {
        this.settings = settings;
        this.pod = pod;
        this.listener = listener;
        this.consulLifecycleUrlSet = consulLifecycleUrlSet;
        this.kumaAdminUrlSet = kumaAdminUrlSet;
    }

    /** The Pod's annotations these adapters were built from. */
    MeshAnnotations pod() {
        return pod;
    }

    private Duration connect() {
        Duration t = settings.adminTimeout();
        return t.compareTo(Duration.ofMillis(250)) < 0 ? t : Duration.ofMillis(250);
    }

    private EnvoyAdminClient admin(URI url) {
        // No agent beside these Envoys: the agent URL is never called, so it names the admin itself.
        return EnvoyAdminClient.builder().adminUrl(url).agentUrl(url).allowNonLoopback(settings.allowNonLoopback())
                .callTimeout(settings.adminTimeout()).connectTimeout(connect()).listener(listener).build();
    }

    ConsulSidecar consul() {
        URI lifecycle = consulLifecycleUrlSet ? settings.consulLifecycleUrl()
                : pod.consulGracefulPort().map(p -> URI.create("http://127.0.0.1:" + p)).orElse(settings.consulLifecycleUrl());
        return new ConsulSidecar(admin(settings.consulAdminUrl()), lifecycle, connect(), settings.allowNonLoopback(), pod);
    }

    KumaSidecar kuma() {
        URI url = kumaAdminUrlSet ? settings.kumaAdminUrl()
                : pod.kumaAdminPort().map(p -> URI.create("http://127.0.0.1:" + p)).orElse(settings.kumaAdminUrl());
        return new KumaSidecar(admin(url), pod);
    }
}
