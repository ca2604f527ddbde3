package io.github.sidecarshutdown.envoy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** {@code /server_info} bodies as Envoy and Istio print them (docs/sidecar-protocol.md §3.3), and a port nothing listens on. */
public final class ServerInfoBodies {

    /** An Istio 1.26 sidecar: pretty-printed, proto field names, durations as strings. */
    public static final String ISTIO = """
            {
             "version": "0123abcd4567/1.34.2-dev/Clean/RELEASE/BoringSSL",
             "state": "LIVE",
             "hot_restart_version": "disabled",
             "command_line_options": {
              "concurrency": 2,
              "config_path": "/etc/istio/proxy/envoy-rev.json",
              "local_address_ip_version": "v4",
              "mode": "Serve",
              "disable_hot_restart": true,
              "file_flush_interval": "1s",
              "drain_time": "45s",
              "drain_strategy": "Immediate",
              "parent_shutdown_time": "900s",
              "restart_epoch": 0
             },
             "uptime_current_epoch": "3612s",
             "uptime_all_epochs": "3612s",
             "node": {
              "id": "sidecar~10.1.2.3~myapp-7d9c-abcde.default~default.svc.cluster.local",
              "cluster": "myapp.default",
              "metadata": {
               "ISTIO_VERSION": "1.26.2",
               "EXIT_ON_ZERO_ACTIVE_CONNECTIONS": "true",
               "ENVOY_STATUS_PORT": 15021,
               "ENVOY_PROMETHEUS_PORT": 15090,
               "PROXY_CONFIG": {
                "drainDuration": "45s",
                "terminationDrainDuration": "5s",
                "holdApplicationUntilProxyStarts": true,
                "proxyAdminPort": 15000,
                "statusPort": 15020
               }
              }
             }
            }
            """;

    /** Plain Envoy: no Istio node metadata. */
    public static final String PLAIN_ENVOY = """
            {
             "version": "fedcba987654/1.34.2/Clean/RELEASE/BoringSSL",
             "state": "LIVE",
             "hot_restart_version": "11.104",
             "command_line_options": {"drain_time": "600s", "drain_strategy": "Gradual", "restart_epoch": 0},
             "uptime_current_epoch": "12s",
             "node": {"id": "edge", "cluster": "edge", "metadata": {}}
            }
            """;

    private ServerInfoBodies() {
    }

    /** A loopback port that refuses connections: bound once, then released. */
    public static int refusedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
