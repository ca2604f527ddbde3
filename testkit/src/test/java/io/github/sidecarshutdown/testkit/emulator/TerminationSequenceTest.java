package io.github.sidecarshutdown.testkit.emulator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** pilot-agent's SIGTERM sequence per mode ({@code pkg/envoy/agent.go}), classic and native. */
class TerminationSequenceTest {

    @RegisterExtension
    static WireMockExtension downstream =
            WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @BeforeEach
    void stubs() {
        downstream.stubFor(get("/x").willReturn(aResponse().withStatus(200).withBody("hello")));
    }

    private String target() {
        return "http://127.0.0.1:" + downstream.getPort() + "/x";
    }

    private static long eventNanos(SidecarEmulator emulator, SidecarEvent.Type type) {
        return emulator.events().stream().filter(e -> e.type() == type).findFirst().orElseThrow().nanoTime();
    }

    @Test
    void istio126ClosesAgentDrainsInboundKeepsOutboundThenKillsEnvoyAfterTheDrainDuration() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26)
                .terminationDrainDuration(Duration.ofMillis(800)).build().start();
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
            // when
            emulator.terminate();

            // then: agent refused at once, admin still LIVE, outbound keeps working without Connection: close
            assertThat(TestHttp.isRefused(emulator.agentUrl().getPort())).isTrue();
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").bodyText()).isEqualTo("LIVE\n");
            HttpResponse during = outbound.send("GET", target());
            assertThat(during.bodyText()).isEqualTo("hello");
            assertThat(during.headers().first("connection")).isNull();
            await().atMost(Duration.ofSeconds(2)).until(() -> emulator.calls().stream()
                    .anyMatch(c -> c.toString().equals("ADMIN POST /drain_listeners?inboundonly&graceful (from sidecar)")));

            // then: killed after the drain duration
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(emulator.exitCode()).hasValue(0);
            assertThat(emulator.exitedAt()).isPresent();
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.adminUrl().getPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.healthUrl().getPort())).isTrue();
            assertThat(emulator.events()).extracting(SidecarEvent::type).containsSubsequence(
                    SidecarEvent.Type.SIGTERM_RECEIVED, SidecarEvent.Type.AGENT_STATUS_CLOSED,
                    SidecarEvent.Type.DRAIN_STARTED, SidecarEvent.Type.ENVOY_KILLED, SidecarEvent.Type.AGENT_EXITED);
            assertThat(Duration.ofNanos(eventNanos(emulator, SidecarEvent.Type.ENVOY_KILLED)
                    - eventNanos(emulator, SidecarEvent.Type.SIGTERM_RECEIVED))).isGreaterThanOrEqualTo(Duration.ofMillis(800));
        }
    }

    @Test
    void killResetsOpenConnections() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().terminationDrainDuration(Duration.ofMillis(300))
                .build().start();
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
            assertThat(outbound.send("GET", target()).status()).isEqualTo(200);

            // when
            emulator.terminate();

            // then: RST, not FIN
            IOException end = outbound.readUntilEnd();
            assertThat(end).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
    }

    @Test
    void istio15AlsoClosesOutboundConnectionsDuringTheDrain() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_5)
                .terminationDrainDuration(Duration.ofMillis(800)).build().start()) {
            // when
            emulator.terminate();
            await().atMost(Duration.ofSeconds(2))
                    .until(() -> emulator.events().stream().anyMatch(e -> e.type() == SidecarEvent.Type.DRAIN_STARTED));

            // then: still forwarding, but with Connection: close
            try (TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
                HttpResponse response = outbound.send("GET", target());
                assertThat(response.bodyText()).isEqualTo("hello");
                assertThat(response.headers().first("connection")).isEqualTo("close");
                assertThat(outbound.isClosedByServer()).isTrue();
            }
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isTrue();
        }
    }

    @Test
    void istio10EnvoyDiesAtSigterm() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_0).build().start()) {
            // when
            emulator.terminate();

            // then: no 5 s window at all
            assertThat(emulator.awaitExit(Duration.ofSeconds(3))).isTrue();
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.adminUrl().getPort())).isTrue();
            assertThat(emulator.calls()).noneMatch(c -> c.path().equals("/drain_listeners"));
        }
    }

    @Test
    void istio11RefusesNewOutboundAtSigtermDrainsOpenOnesAndDiesAfterTheDrainDuration() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_1)
                .terminationDrainDuration(Duration.ofMillis(800)).build().start();
                TestHttp.Connection open = TestHttp.open(emulator.outboundProxyPort())) {
            // one exchange first: a connection still in the listener's backlog (not yet accepted)
            // is reset when the listener closes, which is not what this test is about
            assertThat(open.send("GET", target()).status()).isEqualTo(200);

            // when
            emulator.terminate();

            // then
            await().atMost(Duration.ofSeconds(2)).until(() -> TestHttp.isRefused(emulator.outboundProxyPort()));
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isTrue();
            assertThat(emulator.isEnvoyAlive()).isTrue();
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").status()).isEqualTo(200);
            HttpResponse onOpen = open.send("GET", target());
            assertThat(onOpen.bodyText()).isEqualTo("hello");
            assertThat(onOpen.headers().first("connection")).isEqualTo("close");
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(TestHttp.isRefused(emulator.adminUrl().getPort())).isTrue();
        }
    }

    @Test
    void exitOnZeroPollsStatsUntilTheLastOutboundConnectionCloses() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.EXIT_ON_ZERO_ACTIVE_CONNECTIONS)
                .minimumDrainDuration(Duration.ofMillis(300)).activeConnectionCheckInterval(Duration.ofMillis(100))
                .build().start()) {
            TestHttp.Connection open = TestHttp.open(emulator.outboundProxyPort());
            assertThat(open.send("GET", target()).status()).isEqualTo(200);

            // when
            emulator.terminate();

            // then: the open connection keeps Envoy alive past MINIMUM_DRAIN_DURATION
            await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3)).until(emulator::isEnvoyAlive);
            assertThat(emulator.calls()).filteredOn(RecordedCall::fromSidecar).extracting(RecordedCall::toString)
                    .contains("ADMIN GET /stats?usedonly&filter=downstream_cx_active$ (from sidecar)");

            // and when the app closes its connection
            open.close();

            // then
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isTrue();
        }
    }

    @Test
    void exitOnZeroExitsAfterTheMinimumDrainWhenNothingIsOpen() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.EXIT_ON_ZERO_ACTIVE_CONNECTIONS)
                .minimumDrainDuration(Duration.ofMillis(300)).activeConnectionCheckInterval(Duration.ofMillis(100))
                .terminationDrainDuration(Duration.ofSeconds(30)).build().start()) {
            long start = System.nanoTime();
            emulator.terminate();

            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(emulator.exitedAtNanos().orElseThrow() - start))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
    }

    @Test
    void activeConnectionSumFollowsPilotAgentsExclusions() {
        String body = "listener.0.0.0.0_15001.downstream_cx_active: 2\n"
                + "listener.0.0.0.0_15001.worker_0.downstream_cx_active: 2\n"
                + "listener.0.0.0.0_15006.downstream_cx_active: 1\n"
                + "listener.0.0.0.0_15021.downstream_cx_active: 5\n"
                + "listener.0.0.0.0_15090.downstream_cx_active: 5\n"
                + "listener.admin.downstream_cx_active: 1\n"
                + "listener.admin.main_thread.downstream_cx_active: 1\n"
                + "listener.envoy_internal_x.downstream_cx_active: 7\n"
                + "http.inbound.downstream_cx_active: 9\n";

        assertThat(TerminationSequence.activeConnections(body)).isEqualTo(3);
    }

    @Test
    void agentExitsEarlyWhenEnvoyQuitsDuringTheDrainWindow() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().terminationDrainDuration(Duration.ofSeconds(30))
                .build().start()) {
            emulator.terminate();

            // when: the library releases the sidecar
            assertThat(TestHttp.post(emulator.adminUrl(), "/quitquitquit").bodyText()).isEqualTo("OK\n");

            // then
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(emulator.exitCode()).hasValue(0);
        }
    }

    @Test
    void nativePreStopDrainsInboundKeepsAgentReadyAndSigtermKillsAtOnce() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.NATIVE).build().start();
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
            // when: pod deletion starts
            emulator.podDeletionStarted();

            // then: outbound untouched, agent still 200, inbound drain-closes
            assertThat(emulator.calls()).extracting(RecordedCall::toString)
                    .contains("ADMIN POST /drain_listeners?inboundonly&graceful&skip_exit (from sidecar)");
            assertThat(TestHttp.get(emulator.agentUrl(), "/healthz/ready").status()).isEqualTo(200);
            assertThat(outbound.send("GET", target()).headers().first("connection")).isNull();
            try (TestHttp.Connection inbound = TestHttp.open(emulator.inboundPort())) {
                assertThat(inbound.send("GET", "/").headers().first("connection")).isEqualTo("close");
            }

            // when: the app has exited, the kubelet sends SIGTERM (default 5 s drain must not apply)
            emulator.terminate();

            // then
            assertThat(emulator.awaitExit(Duration.ofSeconds(3))).isTrue();
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isTrue();
        }
    }

    @Test
    void nativeWithLegacyEnvoyClosesOutboundDuringThePreStopDrain() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.NATIVE).legacyEnvoyDrain(true)
                .build().start();
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
            emulator.podDeletionStarted();

            assertThat(outbound.send("GET", target()).headers().first("connection")).isEqualTo("close");
        }
    }

    @Test
    void noSidecarHasNothingOnAdminAndAgentAndAPassThroughThatNeverDies() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.NONE).build().start()) {
            assertThat(TestHttp.isRefused(emulator.adminUrl().getPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.agentUrl().getPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.healthUrl().getPort())).isTrue();

            // when
            emulator.terminate();

            // then
            assertThat(emulator.isExited()).isTrue();
            assertThat(emulator.awaitExit(Duration.ZERO)).isTrue();
            try (TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
                HttpResponse response = outbound.send("GET", target());
                assertThat(response.bodyText()).isEqualTo("hello");
                assertThat(response.headers().first("connection")).isNull();
            }
        }
    }

    @Test
    void terminateIsIdempotent() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().terminationDrainDuration(Duration.ofMillis(200))
                .build().start()) {
            emulator.terminate();
            emulator.terminate();

            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(emulator.events()).filteredOn(e -> e.type() == SidecarEvent.Type.AGENT_EXITED).hasSize(1);
        }
    }
}
