package io.github.sidecarshutdown.testkit.emulator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The inbound listener in front of the app. */
class InboundForwarderTest {

    @RegisterExtension
    static WireMockExtension app = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @Test
    void forwardsToTheAppWithKeepAlive() throws Exception {
        app.stubFor(get("/hello?x=1").willReturn(aResponse().withStatus(200).withHeader("X-App", "yes")
                .withBody("hi")));
        try (SidecarEmulator emulator = SidecarEmulator.builder().appPort(app.getPort()).build().start();
                TestHttp.Connection c = TestHttp.open(emulator.inboundPort())) {
            for (int i = 0; i < 2; i++) {
                HttpResponse response = c.send("GET", "/hello?x=1");
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.bodyText()).isEqualTo("hi");
                assertThat(response.headers().first("X-App")).isEqualTo("yes");
                assertThat(response.headers().first("connection")).isNull();
            }
            app.verify(2, getRequestedFor(urlEqualTo("/hello?x=1")));
        }
    }

    @Test
    void withoutAnAppItAnswers503() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().build().start()) {
            HttpResponse response = TestHttp.send(emulator.inboundPort(), "GET", "/");

            assertThat(response.status()).isEqualTo(503);
            assertThat(response.bodyText()).isEqualTo("no healthy upstream");
        }
    }
}
