package io.github.sidecarshutdown.testkit.emulator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link EmulatorMode#CONSUL}: consul-dataplane's lifecycle server and SIGTERM, and its exit with Envoy,
 * point by point as docs/emulator-meshes.md (section Consul) lists them.
 */
class ConsulModeTest {

    private static final Duration GRACE = Duration.ofMillis(800);

    @RegisterExtension
    static WireMockExtension peer = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @RegisterExtension
    static WireMockExtension app = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @BeforeEach
    void stubs() {
        peer.stubFor(get("/x").willReturn(aResponse().withStatus(200).withBody("peer")));
        app.stubFor(get("/in").willReturn(aResponse().withStatus(200).withBody("app")));
    }

    private static SidecarEmulatorBuilder consul() {
        return SidecarEmulator.builder().mode(EmulatorMode.CONSUL).appPort(app.getPort()).shutdownGracePeriod(GRACE);
    }

    private static String peerUrl() {
        return "http://127.0.0.1:" + peer.getPort() + "/x";
    }

    @Test
    void gracefulShutdownAnswersAtOnceDrainsInboundWithSkipExitAndQuitsEnvoyAfterTheGracePeriod() throws Exception {
        // given: a grace period long enough for the checks made within it, on a loaded machine too
        Duration grace = Duration.ofSeconds(3);
        try (SidecarEmulator e = consul().shutdownGracePeriod(grace).build().start();
                TestHttp.Connection outbound = TestHttp.open(e.outboundProxyPort());
                TestHttp.Connection inbound = TestHttp.open(e.inboundPort())) {
            // when
            long called = System.nanoTime();
            HttpResponse answer = TestHttp.post(e.agentUrl(), "/graceful_shutdown");

            // then: 200 with no body, before the grace period is over
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.bodyText()).isEmpty();
            assertThat(e.isExited()).isFalse();
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).until(() -> e.calls().stream().anyMatch(c -> c.fromSidecar()
                    && c.toString().equals("ADMIN POST /drain_listeners?inboundonly&graceful&skip_exit (from sidecar)")));
            // inbound is drain-closed but still answered; outbound goes on untouched (Envoy 1.38 drains by
            // direction); Envoy's server state does not change with a drain
            HttpResponse in = inbound.send("GET", "/in");
            assertThat(in.status()).isEqualTo(200);
            assertThat(in.headers().first("connection")).isEqualTo("close");
            for (int i = 0; i < 3; i++) {
                HttpResponse out = outbound.send("GET", peerUrl());
                assertThat(out.bodyText()).isEqualTo("peer");
                assertThat(out.headers().first("connection")).isNull();
            }
            assertThat(TestHttp.get(e.adminUrl(), "/ready").bodyText()).isEqualTo("LIVE\n");
            assertThat(e.isEnvoyAlive()).isTrue();

            // and then: Envoy is quit after the grace period and the dataplane exits with it
            assertThat(e.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(e.exitedAtNanos().orElseThrow() - called)).isGreaterThanOrEqualTo(grace);
            assertThat(e.exitCode()).hasValue(0);
            assertThat(e.isEnvoyAlive()).isFalse();
            assertThat(e.calls()).filteredOn(RecordedCall::fromSidecar).extracting(RecordedCall::toString)
                    .containsExactly("ADMIN POST /drain_listeners?inboundonly&graceful&skip_exit (from sidecar)",
                            "ADMIN POST /quitquitquit (from sidecar)");
            assertThat(e.events()).extracting(SidecarEvent::type).containsSubsequence(
                    SidecarEvent.Type.AGENT_QUIT_REQUESTED, SidecarEvent.Type.DRAIN_STARTED,
                    SidecarEvent.Type.ENVOY_EXITED, SidecarEvent.Type.AGENT_EXITED);
            assertThat(TestHttp.isRefused(e.outboundProxyPort())).isTrue();
            assertThat(TestHttp.isRefused(e.adminUrl().getPort())).isTrue();
            assertThat(TestHttp.isRefused(e.agentUrl().getPort())).isTrue();
        }
    }

    @Test
    void gracefulShutdownAcceptsAnyMethod() throws Exception {
        try (SidecarEmulator e = consul().build().start()) {
            assertThat(TestHttp.get(e.agentUrl(), "/graceful_shutdown").status()).isEqualTo(200);

            assertThat(e.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(e.events()).extracting(SidecarEvent::detail)
                    .contains("consul-dataplane GET /graceful_shutdown");
        }
    }

    @Test
    void sigtermRunsTheGracefulShutdownOnceAndASecondSignalChangesNothing() throws Exception {
        try (SidecarEmulator e = consul().build().start()) {
            long signalled = System.nanoTime();
            e.terminate();
            e.terminate();

            assertThat(e.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(e.exitedAtNanos().orElseThrow() - signalled)).isGreaterThanOrEqualTo(GRACE);
            assertThat(e.calls()).filteredOn(RecordedCall::fromSidecar).extracting(RecordedCall::path)
                    .containsExactly("/drain_listeners", "/quitquitquit");
        }
    }

    @Test
    void withoutShutdownDrainListenersItOnlyWaitsAndQuits() throws Exception {
        try (SidecarEmulator e = consul().shutdownDrainListeners(false).build().start();
                TestHttp.Connection inbound = TestHttp.open(e.inboundPort())) {
            e.terminate();

            assertThat(inbound.send("GET", "/in").headers().first("connection")).isNull();
            assertThat(e.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(e.calls()).filteredOn(RecordedCall::fromSidecar).extracting(RecordedCall::path)
                    .containsExactly("/quitquitquit");
        }
    }

    @Test
    void quittingEnvoyDirectlyEndsTheDataplaneAtOnce() throws Exception {
        try (SidecarEmulator e = consul().shutdownGracePeriod(Duration.ofSeconds(30)).build().start()) {
            assertThat(TestHttp.post(e.adminUrl(), "/quitquitquit").bodyText()).isEqualTo("OK\n");

            assertThat(e.awaitExit(Duration.ofSeconds(3))).isTrue();
            assertThat(e.exitCode()).hasValue(0);
            assertThat(TestHttp.isRefused(e.agentUrl().getPort())).isTrue();
            assertThat(e.calls()).noneMatch(RecordedCall::fromSidecar);
        }
    }

    @Test
    void gracefulStartupWaitsForEnvoyOnlyWithAStartupGracePeriod() throws Exception {
        Duration live = Duration.ofMillis(700);
        try (SidecarEmulator waiting = consul().timeToLive(live).startupGracePeriod(Duration.ofSeconds(5)).build()
                        .start();
                SidecarEmulator immediate = consul().timeToLive(Duration.ofSeconds(30)).build().start()) {
            assertThat(TestHttp.get(waiting.agentUrl(), "/graceful_startup").status()).isEqualTo(200);
            assertThat(TestHttp.get(waiting.adminUrl(), "/ready").status()).isEqualTo(200);

            // startup grace period 0 (consul-k8s's default): 200 at once, Envoy not LIVE yet
            assertThat(TestHttp.get(immediate.agentUrl(), "/graceful_startup").status()).isEqualTo(200);
            assertThat(TestHttp.get(immediate.adminUrl(), "/ready").status()).isEqualTo(503);
        }
    }

    @Test
    void serverInfoShowsConsulDataplanesNodeAndNoIstio() throws Exception {
        try (SidecarEmulator e = consul().build().start()) {
            String info = TestHttp.get(e.adminUrl(), "/server_info").bodyText();

            assertThat(info).contains("\"id\": \"app-7d9c-abcde-app-sidecar-proxy\"", "\"cluster\": \"app\"",
                            "\"node_name\": \"node-1-virtual\"", "\"namespace\": \"default\"",
                            "\"partition\": \"default\"", "\"config_path\": \"\"", "\"drain_time\": \"30s\"",
                            "\"drain_strategy\": \"Immediate\"", "\"state\": \"LIVE\"")
                    .containsPattern("\"version\": \"[0-9a-f]{40}/1\\.38\\.2/Clean/RELEASE/BoringSSL\"")
                    .doesNotContain("ISTIO_VERSION", "PROXY_CONFIG");
            assertThat(TestHttp.isRefused(e.healthUrl().getPort())).isTrue(); // no Istio 15021
        }
    }

    @Test
    void theLifecycleServerAnswersOtherPathsWith404AndThePodsDeletionDoesNothing() throws Exception {
        try (SidecarEmulator e = consul().build().start()) {
            HttpResponse other = TestHttp.get(e.agentUrl(), "/quitquitquit");
            e.podDeletionStarted();

            assertThat(other.status()).isEqualTo(404);
            assertThat(other.bodyText()).isEqualTo("404 page not found\n");
            // consul-k8s injects no preStop: nothing drains, nothing quits
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1))
                    .until(() -> e.calls().stream().noneMatch(RecordedCall::fromSidecar) && !e.isExited());
        }
    }
}
