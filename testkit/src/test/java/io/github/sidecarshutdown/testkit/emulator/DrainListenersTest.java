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

/** {@code POST /drain_listeners} (envoy {@code source/server/admin/listeners_handler.cc}). */
class DrainListenersTest {

    @RegisterExtension
    static WireMockExtension app = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @BeforeEach
    void stubs() {
        app.stubFor(get("/x").willReturn(aResponse().withStatus(200).withBody("hello")));
    }

    private SidecarEmulator start(SidecarEmulatorBuilder builder) {
        return builder.appPort(app.getPort()).build().start();
    }

    private String downstream() {
        return "http://127.0.0.1:" + app.getPort() + "/x";
    }

    @Test
    void gracefulInboundOnlyDrainClosesInboundButNotOutboundOnEnvoy134() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26));
                TestHttp.Connection inbound = TestHttp.open(emulator.inboundPort());
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
            // when
            HttpResponse drain = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful");

            // then
            assertThat(drain.status()).isEqualTo(200);
            assertThat(drain.bodyText()).isEqualTo("OK\n");
            HttpResponse in = inbound.send("GET", "/x");
            assertThat(in.bodyText()).isEqualTo("hello");
            assertThat(in.headers().first("connection")).isEqualTo("close");
            assertThat(inbound.isClosedByServer()).isTrue();
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isFalse(); // still accepting during the drain
            for (int i = 0; i < 2; i++) { // keep-alive, untouched
                HttpResponse out = outbound.send("GET", downstream());
                assertThat(out.bodyText()).isEqualTo("hello");
                assertThat(out.headers().first("connection")).isNull();
            }
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").bodyText()).isEqualTo("LIVE\n");
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=^server\\.(state|live)$").bodyText())
                    .isEqualTo("server.live: 1\nserver.state: 0\n");
        }
    }

    @Test
    void legacyEnvoyDrainAlsoClosesOutboundAndAdminConnections() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_5));
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort());
                TestHttp.Connection admin = TestHttp.open(emulator.adminUrl().getPort())) {
            // when
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful");

            // then: Envoy < 1.34 (envoyproxy/envoy#35020)
            HttpResponse out = outbound.send("GET", downstream());
            assertThat(out.bodyText()).isEqualTo("hello");
            assertThat(out.headers().first("connection")).isEqualTo("close");
            assertThat(outbound.isClosedByServer()).isTrue();
            assertThat(admin.send("GET", "/ready").headers().first("connection")).isEqualTo("close");
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isFalse();
        }
    }

    @Test
    void drainWithoutInboundOnlyAlsoDrainsOutboundOnEnvoy134() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder());
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?graceful");

            assertThat(outbound.send("GET", downstream()).headers().first("connection")).isEqualTo("close");
        }
    }

    @Test
    void inboundListenerStopsWhenTheDrainTimeElapses() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().drainDuration(Duration.ofMillis(300)))) {
            // when
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful");

            // then
            await().atMost(Duration.ofSeconds(5)).until(() -> TestHttp.isRefused(emulator.inboundPort()));
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isFalse();
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=listener_stopped").bodyText())
                    .isEqualTo("listener_manager.listener_stopped: 1\n");
            assertThat(emulator.events()).extracting(SidecarEvent::type)
                    .containsSubsequence(SidecarEvent.Type.DRAIN_STARTED, SidecarEvent.Type.LISTENERS_STOPPED);
        }
    }

    @Test
    void skipExitKeepsInboundAcceptingAfterTheDrainTime() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().drainDuration(Duration.ofMillis(200)))) {
            // when
            HttpResponse response = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful&skip_exit");

            // then
            assertThat(response.bodyText()).isEqualTo("OK\n");
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
                    .until(() -> !TestHttp.isRefused(emulator.inboundPort()));
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=listener_stopped").bodyText())
                    .isEqualTo("listener_manager.listener_stopped: 0\n");
            try (TestHttp.Connection inbound = TestHttp.open(emulator.inboundPort())) {
                assertThat(inbound.send("GET", "/x").headers().first("connection")).isEqualTo("close");
            }
        }
    }

    @Test
    void skipExitRequiresGraceful() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            HttpResponse response = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&skip_exit");

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.bodyText()).isEqualTo("skip_exit requires graceful\n");
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isFalse();
        }
    }

    @Test
    void nonGracefulDrainStopsTheSelectedListenersAtOnce() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            HttpResponse response = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly");

            assertThat(response.bodyText()).isEqualTo("OK\n");
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isFalse();
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").status()).isEqualTo(200);
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=listener_stopped").bodyText())
                    .isEqualTo("listener_manager.listener_stopped: 1\n");
        }
    }

    @Test
    void nonGracefulDrainOfAllListenersStopsOutboundToo() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            TestHttp.post(emulator.adminUrl(), "/drain_listeners");

            assertThat(TestHttp.isRefused(emulator.inboundPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isTrue();
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").status()).isEqualTo(200); // admin is not a listener
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=listener_stopped").bodyText())
                    .isEqualTo("listener_manager.listener_stopped: 3\n");
        }
    }

    @Test
    void repeatedGracefulCallsAreNoOpsAndFlagsCountByPresence() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            HttpResponse first = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly=true&graceful=true");
            HttpResponse second = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful");

            assertThat(first.bodyText()).isEqualTo("OK\n");
            assertThat(second.bodyText()).isEqualTo("OK\n");
            assertThat(emulator.events()).filteredOn(e -> e.type() == SidecarEvent.Type.DRAIN_STARTED).hasSize(1)
                    .first().extracting(SidecarEvent::detail).asString().startsWith("inboundonly graceful");
        }
    }

    // ---- conformance of the flags, envoy source/server/admin/listeners_handler.cc handlerDrainListeners ----

    @Test
    void gracefulWithoutSkipExitStopsInboundAtTheDrainTimeWhileThePodStaysReady() throws Exception {
        // given: Envoy's --drain-time-s (Istio drainDuration) shortened to 300 ms
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().drainDuration(Duration.ofMillis(300)))) {
            // when
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful");

            // then: accepting (with drain-close) during the drain time ...
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isFalse();
            // ... refused once it has passed
            await().atMost(Duration.ofSeconds(5)).until(() -> TestHttp.isRefused(emulator.inboundPort()));
            // while nothing tells the kubelet: pilot-agent, 15021 and Envoy all still say ready
            assertThat(TestHttp.get(emulator.agentUrl(), "/healthz/ready").status()).isEqualTo(200);
            assertThat(TestHttp.get(emulator.healthUrl(), "/healthz/ready").status()).isEqualTo(200);
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").bodyText()).isEqualTo("LIVE\n");
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isFalse();
            assertThat(TestHttp.isRefused(emulator.healthUrl().getPort())).isFalse();
        }
    }

    @Test
    void gracefulWithoutInboundOnlyStopsEveryListenerAtTheDrainTime() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().drainDuration(Duration.ofMillis(300)))) {
            // when: the gateway form
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?graceful");

            // then
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isFalse();
            await().atMost(Duration.ofSeconds(5)).until(() -> TestHttp.isRefused(emulator.outboundProxyPort()));
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.healthUrl().getPort())).isTrue();
            assertThat(TestHttp.get(emulator.adminUrl(), "/ready").status()).isEqualTo(200); // admin is not a listener
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=listener_stopped").bodyText())
                    .isEqualTo("listener_manager.listener_stopped: 3\n");
        }
    }

    @Test
    void skipExitWithoutInboundOnlyNeverStopsAnyListener() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().drainDuration(Duration.ofMillis(200)))) {
            // when
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?graceful&skip_exit");

            // then: long past the drain time, everything still accepts, with drain-close
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
                    .until(() -> !TestHttp.isRefused(emulator.inboundPort())
                            && !TestHttp.isRefused(emulator.outboundProxyPort()));
            try (TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
                HttpResponse out = outbound.send("GET", downstream());
                assertThat(out.bodyText()).isEqualTo("hello");
                assertThat(out.headers().first("connection")).isEqualTo("close");
            }
            assertThat(TestHttp.get(emulator.adminUrl(), "/stats?filter=listener_stopped").bodyText())
                    .isEqualTo("listener_manager.listener_stopped: 0\n");
        }
    }

    @Test
    void aRepeatedGracefulCallWithOtherFlagsChangesNothing() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().drainDuration(Duration.ofMillis(200)));
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
            // given: an inbound-only drain that never stops listeners
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful&skip_exit");

            // when: a second graceful call that would drain and stop everything
            HttpResponse second = TestHttp.post(emulator.adminUrl(), "/drain_listeners?graceful");

            // then: "OK\n", and the running drain keeps its first flags
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.bodyText()).isEqualTo("OK\n");
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3))
                    .until(() -> !TestHttp.isRefused(emulator.inboundPort())
                            && !TestHttp.isRefused(emulator.outboundProxyPort()));
            assertThat(outbound.send("GET", downstream()).headers().first("connection")).isNull();
        }
    }

    @Test
    void aNonGracefulCallDuringAGracefulDrainStopsAtOnce() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful&skip_exit");

            // when: the non-graceful branch runs whatever drain is in progress
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly");

            // then
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isFalse();
        }
    }

    @Test
    void unknownFlagsAreIgnored() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder());
                TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort())) {
            // when: a typo'd flag next to real ones
            HttpResponse response = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful&skipexit");

            // then: a plain inbound-only graceful drain
            assertThat(response.bodyText()).isEqualTo("OK\n");
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isFalse();
            assertThat(outbound.send("GET", downstream()).headers().first("connection")).isNull();
        }
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            // when: nothing Envoy knows, so no flag at all: stop every listener now
            HttpResponse response = TestHttp.post(emulator.adminUrl(), "/drain_listeners?inbound_only=true&grace");

            // then
            assertThat(response.bodyText()).isEqualTo("OK\n");
            assertThat(TestHttp.isRefused(emulator.inboundPort())).isTrue();
            assertThat(TestHttp.isRefused(emulator.outboundProxyPort())).isTrue();
        }
    }

    @Test
    void flagValuesDoNotMatterOnlyPresence() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder().drainDuration(Duration.ofMillis(200)))) {
            // when: "false" values are still present flags
            HttpResponse response = TestHttp.post(emulator.adminUrl(),
                    "/drain_listeners?inboundonly=false&graceful=false&skip_exit=0");

            // then: inbound-only, graceful, skip_exit
            assertThat(response.status()).isEqualTo(200);
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3))
                    .until(() -> !TestHttp.isRefused(emulator.inboundPort()));
            try (TestHttp.Connection inbound = TestHttp.open(emulator.inboundPort())) {
                assertThat(inbound.send("GET", "/x").headers().first("connection")).isEqualTo("close");
            }
        }
    }

    @Test
    void theCallLogHasTheExactQueryAClientSent() throws Exception {
        try (SidecarEmulator emulator = start(SidecarEmulator.builder())) {
            // when
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?inboundonly&graceful&skip_exit");
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?graceful=true&inboundonly");
            TestHttp.post(emulator.adminUrl(), "/drain_listeners?skip_exit");

            // then: verbatim, in order, and the 400 is logged too
            assertThat(emulator.calls()).filteredOn(c -> c.path().equals("/drain_listeners"))
                    .extracting(RecordedCall::query)
                    .containsExactly("inboundonly&graceful&skip_exit", "graceful=true&inboundonly", "skip_exit");
            RecordedCall first = emulator.calls().get(0);
            assertThat(first.method()).isEqualTo("POST");
            assertThat(first.fromSidecar()).isFalse();
            assertThat(first.hasQueryFlag("skip_exit")).isTrue();
            assertThat(emulator.calls().get(1).hasQueryFlag("graceful")).isTrue();
            assertThat(emulator.calls().get(1).hasQueryFlag("skip_exit")).isFalse();
        }
    }
}
