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
 * Conformance: {@code EXIT_ON_ZERO_ACTIVE_CONNECTIONS} (istio {@code pkg/envoy/agent.go}
 * {@code activeProxyConnections}): after {@code MINIMUM_DRAIN_DURATION} the agent polls
 * {@code downstream_cx_active} of every listener but admin, 15021 and 15090, so the app's own outbound
 * connections through the outbound listener (15001) keep the sidecar alive.
 */
class ExitOnZeroActiveConnectionsTest {

    @RegisterExtension
    static WireMockExtension downstream =
            WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @BeforeEach
    void stubs() {
        downstream.stubFor(get("/x").willReturn(aResponse().withStatus(200).withBody("hello")));
    }

    private static SidecarEmulator start() {
        return SidecarEmulator.builder().mode(EmulatorMode.EXIT_ON_ZERO_ACTIVE_CONNECTIONS)
                .minimumDrainDuration(Duration.ofMillis(300)).activeConnectionCheckInterval(Duration.ofMillis(100))
                .terminationDrainDuration(Duration.ofSeconds(30)).appPort(downstream.getPort()).build().start();
    }

    private static String activeConnectionStats(SidecarEmulator emulator) throws Exception {
        return TestHttp.get(emulator.adminUrl(), TerminationSequence.ACTIVE_CONNECTIONS_STATS).bodyText();
    }

    @Test
    void anOutboundConnectTunnelOfTheAppKeepsTheSidecarAlive() throws Exception {
        try (SidecarEmulator emulator = start();
                TestHttp.Connection tunnel = TestHttp.open(emulator.outboundProxyPort())) {
            // given: an HTTPS-style CONNECT tunnel through the outbound listener, in use
            tunnel.writeRaw("CONNECT 127.0.0.1:" + downstream.getPort() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(tunnel.readLine()).isEqualTo("HTTP/1.1 200 Connection established");
            assertThat(tunnel.readLine()).isEmpty();
            tunnel.writeRaw("GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(tunnel.readResponse().bodyText()).isEqualTo("hello");

            // when
            emulator.terminate();

            // then: the poll sees it on the outbound listener, and the sidecar stays
            await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3)).until(emulator::isEnvoyAlive);
            assertThat(activeConnectionStats(emulator)).contains("listener.0.0.0.0_15001.downstream_cx_active: 1\n");
            assertThat(emulator.calls()).filteredOn(RecordedCall::fromSidecar).extracting(RecordedCall::toString)
                    .contains("ADMIN GET /stats?usedonly&filter=downstream_cx_active$ (from sidecar)");

            // and when the app closes it
            tunnel.close();

            // then
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void anIdleKeepAliveOutboundConnectionCountsToo() throws Exception {
        try (SidecarEmulator emulator = start();
                TestHttp.Connection pooled = TestHttp.open(emulator.outboundProxyPort())) {
            // given: a pooled connection that is idle after one request
            assertThat(pooled.send("GET", "http://127.0.0.1:" + downstream.getPort() + "/x").status()).isEqualTo(200);

            // when
            emulator.terminate();

            // then
            await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3)).until(emulator::isEnvoyAlive);
            String stats = activeConnectionStats(emulator);
            assertThat(stats).contains("listener.0.0.0.0_15001.downstream_cx_active: 1\n");
            assertThat(TerminationSequence.activeConnections(stats)).isEqualTo(1);
            pooled.close();
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void connectionsToAdminAndTheHealthListenerDoNotCount() throws Exception {
        try (SidecarEmulator emulator = start();
                TestHttp.Connection admin = TestHttp.open(emulator.adminUrl().getPort());
                TestHttp.Connection health = TestHttp.open(emulator.healthUrl().getPort())) {
            // given: open, kept-alive connections to admin (15000) and 15021
            assertThat(admin.send("GET", "/ready").status()).isEqualTo(200);
            assertThat(health.send("GET", "/healthz/ready").status()).isEqualTo(200);

            // when
            long sigterm = System.nanoTime();
            emulator.terminate();

            // then: gone soon after MINIMUM_DRAIN_DURATION, not held by those connections
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(emulator.exitedAtNanos().orElseThrow() - sigterm))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
    }

    @Test
    void anOpenInboundConnectionKeepsTheSidecarAlive() throws Exception {
        try (SidecarEmulator emulator = start();
                TestHttp.Connection inbound = TestHttp.open(emulator.inboundPort())) {
            // when
            emulator.terminate();

            // then
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).until(emulator::isEnvoyAlive);
            inbound.close();
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).isTrue();
        }
    }
}
