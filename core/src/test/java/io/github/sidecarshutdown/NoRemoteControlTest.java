package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.envoy.AdminEndpoint;
import io.github.sidecarshutdown.jdkhttp.JdkHttpServerSupport;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Nobody is let in: the library's calls that change the sidecar are POSTs to its own loopback
 * sidecar, and the one HTTP handler it offers (readiness) only reads, whatever method, path or
 * body a remote caller sends. The Spring actuator endpoint's read-only shape is checked in the
 * starter ({@code SidecarShutdownAutoConfigurationTest.endpointIsReadOnlyAndShowsThePlanThenTheReport}).
 */
class NoRemoteControlTest {

    private static final Set<AdminEndpoint> MUTATING = EnumSet.of(AdminEndpoint.DRAIN_LISTENERS, AdminEndpoint.QUITQUITQUIT,
            AdminEndpoint.AGENT_QUITQUITQUIT, AdminEndpoint.AGENT_DRAIN);

    @Test
    void everyCallThatChangesTheSidecarIsAPostAndEveryReadIsAGet() {
        for (AdminEndpoint e : AdminEndpoint.values()) {
            assertThat(e.method()).as(e.name()).isEqualTo(MUTATING.contains(e) ? "POST" : "GET");
        }
    }

    @Test
    void theReadinessHandlerOnlyReadsWhateverARemoteCallerSends() throws Exception {
        // given a coordinator whose gate is ready, served on loopback as the README shows
        ShutdownCoordinator c = ShutdownCoordinator.builder().fromEnvironment(Map.of()).runtimeHooks(new RecordingHooks())
                .sidecarMode(io.github.sidecarshutdown.sidecar.SidecarMode.NONE).build();
        c.awaitSidecarReady(Duration.ofSeconds(1));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ready", JdkHttpServerSupport.readinessHandler(c.readiness()));
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "GET")) {
                for (String path : List.of("/ready", "/ready/shutdown", "/ready?state=shutting_down", "/ready/../quitquitquit")) {
                    // when
                    int status = call(method, base + path, "{\"state\":\"SHUTTING_DOWN\",\"action\":\"quitquitquit\"}");

                    // then
                    assertThat(status).as("%s %s", method, path).isEqualTo(200);
                }
            }
            assertThat(c.readiness().state()).isEqualTo(ReadinessGate.State.READY);
            assertThat(c.state()).isEqualTo(ShutdownCoordinator.State.NEW);
            assertThat(c.report()).isEmpty();
        } finally {
            server.stop(0);
        }
    }

    private static int call(String method, String url, String body) throws Exception {
        HttpURLConnection conn = (HttpURLConnection) URI.create(url).toURL().openConnection(Proxy.NO_PROXY);
        conn.setConnectTimeout(5_000);
        conn.setReadTimeout(5_000);
        if (method.equals("PATCH")) {
            conn.setRequestMethod("POST");
            conn.setRequestProperty("X-HTTP-Method-Override", "PATCH");
        } else {
            conn.setRequestMethod(method);
        }
        if (!method.equals("GET")) {
            conn.setDoOutput(true);
            try (OutputStream out = conn.getOutputStream()) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
        }
        int status = conn.getResponseCode();
        conn.disconnect();
        return status;
    }
}
