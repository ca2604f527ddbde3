package io.github.sidecarshutdown.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Envoy admin API: state, server_info, 405/404, health check, quitquitquit, stats, listeners, call log. */
class EnvoyAdminTest {

    private static final String TEXT = "text/plain; charset=UTF-8";

    private static SidecarEmulator start(SidecarEmulatorBuilder builder) {
        return builder.build().start();
    }

    @Test
    void readyIsLiveWithEnvoyAdminHeaders() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            HttpResponse ready = TestHttp.get(emulator.adminUrl(), "/ready");

            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.bodyText()).isEqualTo("LIVE\n");
            assertThat(ready.headers().first("content-type")).isEqualTo(TEXT);
            assertThat(ready.headers().first("cache-control")).isEqualTo("no-cache, max-age=0");
            assertThat(ready.headers().first("x-content-type-options")).isEqualTo("nosniff");
        }
    }

    @Test
    void serverGoesFromPreInitializingThroughInitializingToLive() throws Exception {
        // given: 8.2, configurable delays to reach LIVE
        try (SidecarEmulator emulator = start(SidecarEmulator.builder()
                .timeToInitializing(Duration.ofMillis(700)).timeToLive(Duration.ofMillis(1400)))) {
            // then
            HttpResponse first = TestHttp.get(emulator.adminUrl(), "/ready");
            assertThat(first.status()).isEqualTo(503);
            assertThat(first.bodyText()).isEqualTo("PRE_INITIALIZING\n");
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> TestHttp.get(emulator.adminUrl(), "/ready").bodyText().equals("INITIALIZING\n"));
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").status()).isEqualTo(503);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> TestHttp.get(emulator.adminUrl(), "/ready").status() == 200);
            assertThat(TestHttp.get(emulator.adminUrl(), "/server_info").bodyText()).contains("\"state\": \"LIVE\"");
        }
    }

    @Test
    void serverStateGaugeLagsUntilTheNextStatsFlush() throws Exception {
        // given: LIVE after 100 ms, but server.state is only refreshed every 3 s (8.2)
        try (SidecarEmulator emulator = start(SidecarEmulator.builder()
                .timeToLive(Duration.ofMillis(100)).statsFlushInterval(Duration.ofSeconds(3)))) {
            await().atMost(Duration.ofSeconds(2))
                    .until(() -> TestHttp.get(emulator.adminUrl(), "/ready").status() == 200);

            // when
            String stats = TestHttp.get(emulator.adminUrl(), "/stats?filter=^server\\.state$").bodyText();

            // then
            assertThat(stats).isEqualTo("server.state: 3\n");
            await().atMost(Duration.ofSeconds(6)).until(() -> TestHttp.get(emulator.adminUrl(),
                    "/stats?filter=^server\\.state$").bodyText().equals("server.state: 0\n"));
        }
    }

    @Test
    void serverInfoCarriesProxyConfigAndIstioVersion() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            HttpResponse info = TestHttp.get(emulator.adminUrl(), "/server_info");

            assertThat(info.status()).isEqualTo(200);
            assertThat(info.headers().first("content-type")).isEqualTo("application/json");
            assertThat(info.headers().first("cache-control")).isEqualTo("no-cache, max-age=0");
            assertThat(info.bodyText())
                    .containsPattern("\"version\": \"[0-9a-f]{40}/1\\.34\\.2/Clean/RELEASE/BoringSSL\"")
                    .contains("\"state\": \"LIVE\"",
                            "\"hot_restart_version\": \"disabled\"", "\"drain_time\": \"45s\"",
                            "\"drain_strategy\": \"Immediate\"", "\"parent_shutdown_time\": \"900s\"",
                            "\"disable_hot_restart\": true", "\"ISTIO_VERSION\": \"1.26.2\"",
                            "\"PROXY_CONFIG\": {", "\"terminationDrainDuration\": \"5s\"")
                    .containsPattern("\"uptime_current_epoch\": \"\\d+s\"")
                    .containsPattern("\"uptime_all_epochs\": \"\\d+s\"")
                    .doesNotContain("EXIT_ON_ZERO_ACTIVE_CONNECTIONS");
        }
    }

    @Test
    void serverInfoShowsExitOnZeroWhenOn() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder()
                .mode(EmulatorMode.EXIT_ON_ZERO_ACTIVE_CONNECTIONS))) {
            assertThat(TestHttp.get(emulator.adminUrl(), "/server_info").bodyText())
                    .contains("\"EXIT_ON_ZERO_ACTIVE_CONNECTIONS\": \"true\"", "\"MINIMUM_DRAIN_DURATION\": \"5s\"");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/drain_listeners?inboundonly&graceful", "/healthcheck/fail", "/quitquitquit",
            "/reset_counters"})
    void mutatingEndpointsRefuseGetWith405AndDoNothing(String target) throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            // when
            HttpResponse response = TestHttp.get(emulator.adminUrl(), target);

            // then
            assertThat(response.status()).isEqualTo(405);
            assertThat(response.bodyText()).isEqualTo("Method GET not allowed, POST required.");
            assertThat(response.headers().first("content-type")).isEqualTo(TEXT);
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").bodyText()).isEqualTo("LIVE\n");
            assertThat(emulator.isEnvoyAlive()).isTrue();
            assertThat(emulator.events()).extracting(SidecarEvent::type)
                    .containsExactly(SidecarEvent.Type.STARTED);
        }
    }

    @Test
    void putIsRefusedToo() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            HttpResponse response = TestHttp.send(emulator.adminUrl().getPort(), "PUT", "/healthcheck/fail");
            assertThat(response.status()).isEqualTo(405);
            assertThat(response.bodyText()).isEqualTo("Method PUT not allowed, POST required.");
        }
    }

    @Test
    void unknownPathIs404WithTheHelpTable() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            HttpResponse response = TestHttp.get(emulator.adminUrl(), "/nope");

            assertThat(response.status()).isEqualTo(404);
            assertThat(response.bodyText()).startsWith("invalid path. admin commands are:\n")
                    .contains("  /drain_listeners: ", "  /ready: ");
            assertThat(response.headers().first("x-content-type-options")).isEqualTo("nosniff");
        }
    }

    @Test
    void healthcheckFailAndOkToggleStateLiveGaugeAndDrainClose() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().statsFlushInterval(Duration.ofSeconds(30)))) {
            // when
            HttpResponse fail = TestHttp.post(emulator.adminUrl(), "/healthcheck/fail");

            // then: 8.7
            assertThat(fail.status()).isEqualTo(200);
            assertThat(fail.bodyText()).isEqualTo("OK\n");
            HttpResponse ready = TestHttp.get(emulator.adminUrl(), "/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.bodyText()).isEqualTo("DRAINING\n");
            assertThat(TestHttp.get(emulator.adminUrl(), "/server_info").bodyText())
                    .contains("\"state\": \"DRAINING\"");
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=^server\\.(live|state)$").bodyText())
                    .isEqualTo("server.live: 0\nserver.state: 0\n"); // live at once, state at the next flush
            try (TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
                HttpResponse proxied = outbound.send("GET", "http://127.0.0.1:" + emulator.adminUrl().getPort() + "/ready");
                assertThat(proxied.headers().first("connection")).isEqualTo("close");
                assertThat(outbound.isClosedByServer()).isTrue();
            }
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isFalse();

            // when
            HttpResponse ok = TestHttp.post(emulator.adminUrl(), "/healthcheck/ok");

            // then
            assertThat(ok.bodyText()).isEqualTo("OK\n");
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").bodyText()).isEqualTo("LIVE\n");
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=^server\\.live$").bodyText())
                    .isEqualTo("server.live: 1\n");
        }
    }

    @Test
    void quitquitquitAnswersThenClosesEveryEnvoyPortAndTheAgentExits() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            // when: 8.8
            HttpResponse response = TestHttp.post(emulator.adminUrl(), "/quitquitquit");

            // then
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("OK\n");
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(emulator.exitCode()).hasValue(0);
            assertThat(emulator.isEnvoyAlive()).isFalse();
            assertThat(TestHttp.isRefused(emulator.adminUrl().getPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.healthUrl().getPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.agentUrl().getPort())).isTrue();
            assertThat(emulator.events()).extracting(SidecarEvent::type).containsSubsequence(
                    SidecarEvent.Type.ENVOY_EXITED, SidecarEvent.Type.AGENT_EXITED);
        }
    }

    @Test
    void statsTextIsSortedAndHasTheStatsIstioNeeds() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            HttpResponse stats = TestHttp.get(emulator.adminUrl(), "/stats");

            assertThat(stats.headers().first("content-type")).isEqualTo(TEXT);
            String[] lines = stats.bodyText().split("\n");
            assertThat(lines).isSorted();
            assertThat(lines).contains("cluster_manager.cds.update_success: 1",
                    "listener_manager.lds.update_success: 1", "listener_manager.workers_started: 1",
                    "server.state: 0", "server.live: 1", "listener_manager.listener_stopped: 0");
            assertThat(stats.bodyText()).doesNotContain("downstream_cx_active").doesNotContain("http.");
        }
    }

    @Test
    void statsFilterIsAPartialRegexMatchAndUsedOnlyDropsUnwrittenStats() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            String all = TestHttp.get(emulator.adminUrl(), "/stats?filter=update_").bodyText();
            String used = TestHttp.get(emulator.adminUrl(), "/stats?usedonly&filter=update_").bodyText();
            String istioReadiness = TestHttp.get(emulator.adminUrl(),
                    "/stats?usedonly&filter=%5E(server%5C.state%7Clistener_manager%5C.workers_started)").bodyText();

            assertThat(all).isEqualTo("cluster_manager.cds.update_rejected: 0\ncluster_manager.cds.update_success: 1\n"
                    + "listener_manager.lds.update_rejected: 0\nlistener_manager.lds.update_success: 1\n");
            assertThat(used).isEqualTo("cluster_manager.cds.update_success: 1\nlistener_manager.lds.update_success: 1\n");
            assertThat(istioReadiness).isEqualTo("listener_manager.workers_started: 1\nserver.state: 0\n");
        }
    }

    @Test
    void statsJsonFormat() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            HttpResponse json = TestHttp.get(emulator.adminUrl(), "/stats?format=json&filter=^server\\.(live|state)$");
            HttpResponse none = TestHttp.get(emulator.adminUrl(), "/stats?format=json&filter=^nothing$");

            assertThat(json.headers().first("content-type")).isEqualTo("application/json");
            assertThat(json.bodyText()).isEqualTo(
                    "{\"stats\":[{\"name\":\"server.live\",\"value\":1},{\"name\":\"server.state\",\"value\":0}]}");
            assertThat(none.bodyText()).isEqualTo("{\"stats\":[]}");
        }
    }

    @Test
    void downstreamConnectionStatsOnlyWhenEnabled() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().downstreamConnectionStats(true))) {
            TestHttp.Connection app = TestHttp.open(emulator.outboundProxyPort());
            // given: one open outbound connection of the app
            await().atMost(Duration.ofSeconds(2)).until(() -> TestHttp.get(emulator.adminUrl(),
                    "/stats?filter=^listener\\.0\\.0\\.0\\.0_15001\\.downstream_cx_active$").bodyText()
                    .equals("listener.0.0.0.0_15001.downstream_cx_active: 1\n"));

            // when
            String stats = TestHttp.get(emulator.adminUrl(), "/stats?usedonly&filter=downstream_cx_active$").bodyText();

            // then: per-worker and admin variants too; 15006 never used so absent with usedonly
            // (admin counts at least this request's own connection; an earlier poll's may still be closing)
            assertThat(stats).contains("listener.0.0.0.0_15001.worker_0.downstream_cx_active: 1")
                    .containsPattern("listener\\.admin\\.downstream_cx_active: [1-9]")
                    .containsPattern("listener\\.admin\\.main_thread\\.downstream_cx_active: [1-9]")
                    .doesNotContain("15006");
            app.close();
            await().atMost(Duration.ofSeconds(2)).until(() -> TestHttp.get(emulator.adminUrl(),
                    "/stats?filter=^listener\\.0\\.0\\.0\\.0_15001\\.downstream_cx_active$").bodyText()
                    .equals("listener.0.0.0.0_15001.downstream_cx_active: 0\n"));
        }
    }

    @Test
    void listenersInTextAndJson() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            // given: a stopped listener stays listed (8.10)
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly");

            String text = TestHttp.get(emulator.adminUrl(), "/listeners").bodyText();
            HttpResponse json = TestHttp.get(emulator.adminUrl(), "/listeners?format=json");

            assertThat(text).contains("virtualOutbound::127.0.0.1:" + emulator.outboundProxyPort() + "\n",
                    "virtualInbound::127.0.0.1:" + emulator.inboundPort() + "\n",
                    "0.0.0.0_15021::127.0.0.1:" + emulator.healthUrl().getPort() + "\n");
            assertThat(json.headers().first("content-type")).isEqualTo("application/json");
            assertThat(json.bodyText()).contains("\"listener_statuses\": [", "\"name\": \"virtualInbound\"",
                    "\"socket_address\": {", "\"address\": \"127.0.0.1\"",
                    "\"port_value\": " + emulator.inboundPort());
        }
    }

    @Test
    void everyCallIsRecordedWithMethodPathAndQuery() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            // when: 8.16
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful");
            TestHttp.get(emulator.agentUrl(), "/healthz/ready");
            TestHttp.get(emulator.healthUrl(), "/healthz/ready");

            // then
            assertThat(emulator.calls()).extracting(RecordedCall::toString).containsExactly(
                    "ADMIN POST /drain_listeners?inboundonly&graceful",
                    "AGENT GET /healthz/ready",
                    "HEALTH GET /healthz/ready",
                    "AGENT GET /healthz/ready (from sidecar)");
            RecordedCall drain = emulator.calls().get(0);
            assertThat(drain.hasQueryFlag("inboundonly")).isTrue();
            assertThat(drain.hasQueryFlag("graceful")).isTrue();
            assertThat(drain.hasQueryFlag("skip_exit")).isFalse();
            assertThat(drain.fromSidecar()).isFalse();
            assertThat(emulator.calls()).noneMatch(c -> !c.fromSidecar() && c.method().equals("GET")
                    && c.path().equals("/drain_listeners"));
        }
    }
}
