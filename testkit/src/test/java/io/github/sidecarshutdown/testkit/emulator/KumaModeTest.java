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
 * {@link EmulatorMode#KUMA}: kuma-dp's readiness reporter, its SIGTERM (health check failed, drain time,
 * Envoy killed) and its exit with Envoy, point by point as docs/emulator-meshes.md (section Kuma) lists them.
 */
class KumaModeTest {

    @RegisterExtension
    static WireMockExtension peer = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @RegisterExtension
    static WireMockExtension app = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @BeforeEach
    void stubs() {
        peer.stubFor(get("/x").willReturn(aResponse().withStatus(200).withBody("peer")));
        app.stubFor(get("/in").willReturn(aResponse().withStatus(200).withBody("app")));
    }

    private static SidecarEmulatorBuilder kuma(Duration drainTime) {
        return SidecarEmulator.builder().mode(EmulatorMode.KUMA).appPort(app.getPort()).drainDuration(drainTime);
    }

    private static String peerUrl() {
        return "http://127.0.0.1:" + peer.getPort() + "/x";
    }

    @Test
    void beforeSigtermTheReadinessReporterAndEnvoyAreReady() throws Exception {
        try (SidecarEmulator e = kuma(Duration.ofSeconds(30)).build().start()) {
            HttpResponse ready = TestHttp.get(e.agentUrl(), "/ready");

            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.bodyText()).isEqualTo("READY");
            assertThat(ready.headers().first("x-powered-by")).isEqualTo("kuma-dp");
            assertThat(TestHttp.get(e.adminUrl(), "/ready").bodyText()).isEqualTo("LIVE\n");
            assertThat(TestHttp.get(e.agentUrl(), "/other").status()).isEqualTo(404);
        }
    }

    @Test
    void sigtermFailsEnvoysHealthCheckDrainClosesEverythingAndKillsEnvoyAfterTheDrainTime() throws Exception {
        // given: a drain time long enough for the checks made within it, on a loaded machine too
        Duration drainTime = Duration.ofSeconds(3);
        try (SidecarEmulator e = kuma(drainTime).build().start();
                TestHttp.Connection outbound = TestHttp.open(e.outboundProxyPort());
                TestHttp.Connection inbound = TestHttp.open(e.inboundPort())) {
            // when
            long signalled = System.nanoTime();
            e.terminate();

            // then: readiness TERMINATING, Envoy DRAINING after kuma-dp's /healthcheck/fail
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                    .until(() -> TestHttp.get(e.adminUrl(), "/ready").status() == 503);
            assertThat(TestHttp.get(e.adminUrl(), "/ready").bodyText()).isEqualTo("DRAINING\n");
            HttpResponse ready = TestHttp.get(e.agentUrl(), "/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.bodyText()).isEqualTo("TERMINATING");
            assertThat(e.calls()).filteredOn(RecordedCall::fromSidecar).extracting(RecordedCall::toString)
                    .containsExactly("ADMIN POST /healthcheck/fail (from sidecar)");
            // requests are still served during the drain time, but both directions drain-close
            HttpResponse out = outbound.send("GET", peerUrl());
            assertThat(out.bodyText()).isEqualTo("peer");
            assertThat(out.headers().first("connection")).isEqualTo("close");
            HttpResponse in = inbound.send("GET", "/in");
            assertThat(in.bodyText()).isEqualTo("app");
            assertThat(in.headers().first("connection")).isEqualTo("close");
            assertThat(e.isExited()).isFalse();

            // and then: Envoy is killed after the drain time, kuma-dp exits
            assertThat(e.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(e.exitedAtNanos().orElseThrow() - signalled))
                    .isGreaterThanOrEqualTo(drainTime);
            assertThat(e.exitCode()).hasValue(0);
            assertThat(e.events()).extracting(SidecarEvent::type).containsSubsequence(
                    SidecarEvent.Type.SIGTERM_RECEIVED, SidecarEvent.Type.HEALTHCHECK_FAILED,
                    SidecarEvent.Type.ENVOY_KILLED, SidecarEvent.Type.AGENT_EXITED);
            assertThat(TestHttp.isRefused(e.outboundProxyPort())).isTrue();
            assertThat(TestHttp.isRefused(e.adminUrl().getPort())).isTrue();
            assertThat(TestHttp.isRefused(e.agentUrl().getPort())).isTrue();
        }
    }

    @Test
    void aSecondSigtermCutsTheDrainWaitShort() throws Exception {
        try (SidecarEmulator e = kuma(Duration.ofSeconds(30)).build().start()) {
            e.terminate();
            await().atMost(Duration.ofSeconds(1)).until(() -> TestHttp.get(e.adminUrl(), "/ready").status() == 503);

            e.terminate();

            assertThat(e.awaitExit(Duration.ofSeconds(3))).isTrue();
            assertThat(e.isEnvoyAlive()).isFalse();
        }
    }

    @Test
    void envoysQuitquitquitEndsKumaDpAtOnce() throws Exception {
        try (SidecarEmulator e = kuma(Duration.ofSeconds(30)).build().start()) {
            assertThat(TestHttp.post(e.adminUrl(), "/quitquitquit").bodyText()).isEqualTo("OK\n");

            assertThat(e.awaitExit(Duration.ofSeconds(3))).isTrue();
            assertThat(e.exitCode()).hasValue(0);
            assertThat(e.events()).extracting(SidecarEvent::type).containsSubsequence(
                    SidecarEvent.Type.ENVOY_EXITED, SidecarEvent.Type.AGENT_EXITED);
            assertThat(TestHttp.isRefused(e.agentUrl().getPort())).isTrue();
        }
    }

    @Test
    void envoysExitDuringTheDrainWaitDoesNotEndKumaDpBeforeTheDrainTime() throws Exception {
        Duration drainTime = Duration.ofMillis(1500);
        try (SidecarEmulator e = kuma(drainTime).build().start()) {
            long signalled = System.nanoTime();
            e.terminate();
            await().atMost(Duration.ofSeconds(1)).until(() -> TestHttp.get(e.adminUrl(), "/ready").status() == 503);

            TestHttp.post(e.adminUrl(), "/quitquitquit");

            await().atMost(Duration.ofSeconds(1)).until(() -> !e.isEnvoyAlive());
            assertThat(TestHttp.get(e.agentUrl(), "/ready").bodyText()).isEqualTo("TERMINATING");
            assertThat(e.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(e.exitedAtNanos().orElseThrow() - signalled))
                    .isGreaterThanOrEqualTo(drainTime);
        }
    }

    @Test
    void serverInfoShowsKumasNodeWithTheAdminAndReadinessPorts() throws Exception {
        try (SidecarEmulator e = kuma(Duration.ofMillis(500)).build().start()) {
            String info = TestHttp.get(e.adminUrl(), "/server_info").bodyText();

            assertThat(info).contains("\"id\": \"default.app-7d9c-abcde.default\"", "\"cluster\": \"app\"",
                            "\"dataplane.admin.port\": \"" + e.adminUrl().getPort() + "\"",
                            "\"dataplane.admin.address\": \"127.0.0.1\"",
                            "\"dataplane.readinessReporter.port\": \"" + e.agentUrl().getPort() + "\"",
                            "\"dataplane.proxyType\": \"dataplane\"", "\"kumaDp\": {", "\"version\": \"2.14.3\"",
                            "\"drain_time\": \"0.500s\"", "\"state\": \"LIVE\"")
                    .containsPattern("\"version\": \"[0-9a-f]{40}/1\\.38\\.2/Clean/RELEASE/BoringSSL\"")
                    .doesNotContain("ISTIO_VERSION", "node_name");
            assertThat(TestHttp.isRefused(e.healthUrl().getPort())).isTrue(); // no Istio 15021
        }
    }

    @Test
    void thePodsDeletionDoesNothingWithoutAPreStopHook() throws Exception {
        try (SidecarEmulator e = kuma(Duration.ofSeconds(30)).build().start()) {
            e.podDeletionStarted();

            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() ->
                    e.calls().stream().noneMatch(RecordedCall::fromSidecar)
                            && TestHttp.get(e.agentUrl(), "/ready").status() == 200);
        }
    }
}
