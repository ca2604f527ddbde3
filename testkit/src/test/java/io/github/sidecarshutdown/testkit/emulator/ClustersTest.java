package io.github.sidecarshutdown.testkit.emulator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /clusters}: the outbound proxy's live per-host counters under the mesh's cluster names,
 * beside the inbound and infrastructure clusters a client must leave out.
 */
class ClustersTest {

    @RegisterExtension
    static WireMockExtension downstream = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();

    /** {@code <cluster>::<host>::<stat>} to value, for the host stats of {@code GET /clusters}. */
    private static Map<String, Long> hostStats(SidecarEmulator emulator) throws Exception {
        HttpResponse r = TestHttp.get(emulator.adminUrl(), "/clusters");
        assertThat(r.status()).isEqualTo(200);
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : r.bodyText().split("\n")) {
            int last = line.lastIndexOf("::");
            String key = line.substring(0, last);
            if (key.endsWith("::rq_active") || key.endsWith("::cx_active") || key.endsWith("::rq_total")) {
                out.put(key, Long.parseLong(line.substring(last + 2)));
            }
        }
        return out;
    }

    @Test
    void aRequestInFlightIsRqActiveAndAnIdleKeepAliveConnectionOnlyCxActive() throws Exception {
        downstream.stubFor(get("/slow").willReturn(aResponse().withStatus(200).withFixedDelay(1_500).withBody("slow")));
        downstream.stubFor(get("/fast").willReturn(aResponse().withStatus(200).withBody("fast")));
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start();
                TestHttp.Connection idle = TestHttp.open(emulator.outboundProxyPort());
                TestHttp.Connection busy = TestHttp.open(emulator.outboundProxyPort())) {
            int port = downstream.getPort();
            String host = "outbound|" + port + "||127.0.0.1::127.0.0.1:" + port + "::";

            // given: one keep-alive connection that made a call and is now idle
            assertThat(idle.send("GET", "http://127.0.0.1:" + port + "/fast").bodyText()).isEqualTo("fast");
            Map<String, Long> afterIdle = hostStats(emulator);
            assertThat(afterIdle).containsEntry(host + "rq_active", 0L).containsEntry(host + "cx_active", 1L)
                    .containsEntry(host + "rq_total", 1L);

            // when: another connection has a request in flight
            busy.writeRaw("GET http://127.0.0.1:" + port + "/slow HTTP/1.1\r\nHost: x\r\n\r\n");
            Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> hostStats(emulator).get(host + "rq_active") == 1L);

            // then: the request is active on its host; the infrastructure streams and the inbound cluster are apart
            Map<String, Long> during = hostStats(emulator);
            assertThat(during).containsEntry(host + "rq_active", 1L).containsEntry(host + "cx_active", 2L)
                    .containsEntry(host + "rq_total", 2L);
            assertThat(during).containsEntry("xds-grpc::./etc/istio/proxy/XDS::rq_active", 1L);
            assertThat(during.keySet()).anyMatch(k -> k.startsWith("inbound|"));

            // and once it is answered, nothing is active any more
            assertThat(busy.readResponse().bodyText()).isEqualTo("slow");
            assertThat(hostStats(emulator)).containsEntry(host + "rq_active", 0L);
        }
    }

    @Test
    void aTunnelIsATcpSessionActiveForItsWholeLife() throws Exception {
        downstream.stubFor(get("/t").willReturn(aResponse().withStatus(200).withBody("tunneled")));
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start()) {
            int port = downstream.getPort();
            String host = "outbound|" + port + "||127.0.0.1::127.0.0.1:" + port + "::";
            try (TestHttp.Connection c = TestHttp.open(emulator.outboundProxyPort())) {
                c.writeRaw("CONNECT 127.0.0.1:" + port + " HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(c.readLine()).isEqualTo("HTTP/1.1 200 Connection established");
                assertThat(c.readLine()).isEmpty();

                // Envoy's TCP proxy: one session is one active request on one connection, idle or not
                assertThat(hostStats(emulator)).containsEntry(host + "rq_active", 1L).containsEntry(host + "cx_active", 1L);
            }
            Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> hostStats(emulator).get(host + "rq_active") == 0L);
            assertThat(hostStats(emulator)).containsEntry(host + "cx_active", 0L).containsEntry(host + "rq_total", 1L);
        }
    }

    @Test
    void consulAndKumaNameTheirClustersTheirOwnWay() throws Exception {
        downstream.stubFor(get("/x").willReturn(aResponse().withStatus(200).withBody("x")));
        for (EmulatorMode mode : new EmulatorMode[] {EmulatorMode.CONSUL, EmulatorMode.KUMA}) {
            try (SidecarEmulator emulator = SidecarEmulator.builder().mode(mode).build().start()) {
                TestHttp.send(emulator.outboundProxyPort(), "GET", "http://127.0.0.1:" + downstream.getPort() + "/x");
                String body = TestHttp.get(emulator.adminUrl(), "/clusters").bodyText();
                String outbound = mode == EmulatorMode.CONSUL
                        ? "127-0-0-1-" + downstream.getPort() + ".default.dc1.internal." + ClustersPage.CONSUL_TRUST_DOMAIN
                        : "127-0-0-1_default_svc_" + downstream.getPort();
                assertThat(body).as(mode.name()).contains(outbound + "::127.0.0.1:" + downstream.getPort() + "::rq_total::1\n");
                assertThat(body).as(mode.name()).contains(mode == EmulatorMode.CONSUL ? "local_app::" : "kuma:envoy:admin::");
            }
        }
    }
}
