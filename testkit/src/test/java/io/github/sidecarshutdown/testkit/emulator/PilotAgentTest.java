package io.github.sidecarshutdown.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** pilot-agent status server ({@code pilot/cmd/pilot-agent/status/server.go}): ready, quit, drain. */
class PilotAgentTest {

    private static final String GO_TEXT = "text/plain; charset=utf-8";

    @Test
    void readyIs503UntilEnvoyIsConfiguredThen200EmptyAndCached() throws Exception {
        // given: Envoy LIVE after 300 ms, server.state flushed every 200 ms
        try (SidecarEmulator emulator = SidecarEmulator.builder().timeToLive(Duration.ofMillis(300))
                .statsFlushInterval(Duration.ofMillis(200)).build().start()) {
            HttpResponse early = TestHttp.get(emulator.agentUrl(), "/healthz/ready");
            assertThat(early.status()).isEqualTo(503);
            assertThat(early.body()).isEmpty();

            // when
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> TestHttp.get(emulator.agentUrl(), "/healthz/ready").status() == 200);
            HttpResponse ready = TestHttp.get(emulator.agentUrl(), "/healthz/ready");

            // then
            assertThat(ready.body()).isEmpty();
            assertThat(ready.headers().first("content-type")).isNull();
            assertThat(ready.headers().first("content-length")).isEqualTo("0");
            TestHttp.post(emulator.adminUrl(), "/healthcheck/fail");
            await().atMost(Duration.ofSeconds(2)).until(() -> TestHttp.get(emulator.adminUrl(),
                    "/stats?filter=^server\\.state$").bodyText().equals("server.state: 1\n"));
            assertThat(TestHttp.get(emulator.agentUrl(), "/healthz/ready").status()).isEqualTo(200); // cached
        }
    }

    @Test
    void readyIs503OnAnOpenConnectionOnceTerminatingWhileNewConnectionsAreRefused() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start();
                TestHttp.Connection probe = TestHttp.open(emulator.agentUrl().getPort())) {
            assertThat(probe.send("GET", "/healthz/ready").status()).isEqualTo(200);

            // when
            emulator.terminate();

            // then
            assertThat(TestHttp.isRefused(emulator.agentUrl().getPort())).isTrue();
            assertThat(probe.send("GET", "/healthz/ready").status()).isEqualTo(503);
        }
    }

    @Test
    void quitAndDrainRefuseNonPostWith405() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start()) {
            for (String path : new String[] {"/quitquitquit", "/drain"}) {
                HttpResponse response = TestHttp.get(emulator.agentUrl(), path);

                assertThat(response.status()).isEqualTo(405);
                assertThat(response.bodyText()).isEqualTo("Method Not Allowed\n");
                assertThat(response.headers().first("content-type")).isEqualTo(GO_TEXT);
            }
            assertThat(emulator.isEnvoyAlive()).isTrue();
            assertThat(TestHttp.isRefused(emulator.agentUrl().getPort())).isFalse();
        }
    }

    @Test
    void quitAndDrainRefuseNonLoopbackClientsWith403() throws Exception {
        // given: a peer that is not loopback (the handler is called directly: tests only use loopback)
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start()) {
            PilotAgent agent = emulator.agent();
            InetAddress podIp = InetAddress.getByAddress(new byte[] {10, 1, 2, 3});
            for (String path : new String[] {"/quitquitquit", "/drain"}) {
                HttpRequest request = new HttpRequest("POST", path, "HTTP/1.1", new HttpHeaders(), new byte[0], podIp);

                // when
                HttpResponse response = agent.handle(request, null);

                // then
                assertThat(response.status()).isEqualTo(403);
                assertThat(response.bodyText()).isEqualTo("Only requests from localhost are allowed\n");
                assertThat(response.headers().first("content-type")).isEqualTo(GO_TEXT);
            }
            assertThat(emulator.isEnvoyAlive()).isTrue();
        }
    }

    @Test
    void quitOnIstio126KillsEnvoyAtOnce() throws Exception {
        // given: a long drain window that must NOT be waited for
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26)
                .terminationDrainDuration(Duration.ofSeconds(30)).build().start()) {
            // when
            HttpResponse response = TestHttp.post(emulator.agentUrl(), "/quitquitquit");

            // then
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("OK");
            assertThat(response.headers().first("content-type")).isEqualTo(GO_TEXT);
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(TestHttp.isRefused(emulator.adminUrl().getPort())).isTrue();
            assertThat(emulator.calls()).noneMatch(c -> c.path().equals("/drain_listeners"));
        }
    }

    @Test
    void quitBefore126DrainsAndWaitsTheTerminationDrainDuration() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_5)
                .terminationDrainDuration(Duration.ofMillis(600)).build().start()) {
            // when
            long start = System.nanoTime();
            assertThat(TestHttp.post(emulator.agentUrl(), "/quitquitquit").bodyText()).isEqualTo("OK");

            // then
            await().atMost(Duration.ofSeconds(2)).until(() -> TestHttp.isRefused(emulator.agentUrl().getPort()));
            assertThat(emulator.isEnvoyAlive()).isTrue();
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(emulator.exitedAtNanos().orElseThrow() - start))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(600));
            assertThat(emulator.calls()).filteredOn(RecordedCall::fromSidecar).extracting(RecordedCall::toString)
                    .contains("ADMIN POST /drain_listeners?inboundonly&graceful (from sidecar)");
        }
    }

    @Test
    void drainPostsSkipExitDrainKeepsReadyAndMakesSigtermImmediate() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().terminationDrainDuration(Duration.ofSeconds(30))
                .build().start()) {
            // when
            HttpResponse response = TestHttp.post(emulator.agentUrl(), "/drain");

            // then
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("OK");
            assertThat(emulator.calls()).extracting(RecordedCall::toString)
                    .contains("ADMIN POST /drain_listeners?inboundonly&graceful&skip_exit (from sidecar)");
            assertThat(TestHttp.get(emulator.agentUrl(), "/healthz/ready").status()).isEqualTo(200);

            // and when
            emulator.terminate();

            // then: no 30 s wait
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void drainIs404BeforeIstio121AndQuitIs404BeforeIstio13() throws Exception {
        try (SidecarEmulator v120 = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_5).istioVersion("1.20.8")
                .build().start();
                SidecarEmulator v10 = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_0).build().start()) {
            HttpResponse drain = TestHttp.post(v120.agentUrl(), "/drain");
            HttpResponse quit = TestHttp.post(v10.agentUrl(), "/quitquitquit");

            assertThat(drain.status()).isEqualTo(404);
            assertThat(drain.bodyText()).isEqualTo("404 page not found\n");
            assertThat(quit.status()).isEqualTo(404);
            assertThat(v10.isEnvoyAlive()).isTrue();
        }
    }

    @Test
    void unknownAgentPathIsGo404() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start()) {
            HttpResponse response = TestHttp.get(emulator.agentUrl(), "/nope");

            assertThat(response.status()).isEqualTo(404);
            assertThat(response.bodyText()).isEqualTo("404 page not found\n");
        }
    }
}
