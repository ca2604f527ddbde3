package io.github.sidecarshutdown.spring.autoconfigure;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.SidecarNotReadyException;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.spring.support.SidecarStartupLifecycle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/** Readiness at startup follows the sidecar; the plan is checked against Spring's phase timeout. */
class SidecarStartupLifecycleTest {

    @RegisterExtension
    static WireMockExtension agent = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @RegisterExtension
    static WireMockExtension admin = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    /** Readiness events with the time they were seen. */
    static final List<String> readiness = new CopyOnWriteArrayList<>();

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(SidecarShutdownAutoConfiguration.class)
    static class App implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {
        @Override
        public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
            readiness.add(event.getState() + "@" + System.nanoTime());
        }
    }

    private static ConfigurableApplicationContext run(String... properties) {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setRegisterShutdownHook(false);
        String[] args = new String[properties.length + 5];
        args[0] = "--sidecar.shutdown.sidecar-mode=istio";
        args[1] = "--sidecar.shutdown.admin-url=" + admin.baseUrl();
        args[2] = "--sidecar.shutdown.agent-url=" + agent.baseUrl();
        args[3] = "--sidecar.shutdown.propagation-delay=0s";
        args[4] = "--spring.lifecycle.timeout-per-shutdown-phase=10s";
        System.arraycopy(properties, 0, args, 5, properties.length);
        return app.run(args);
    }

    @Test
    void readinessTurnsOnOnlyOnceTheSidecarIsReady() throws Exception {
        // given pilot-agent not ready yet; it gets ready 1.5 s from now
        readiness.clear();
        admin.stubFor(get(urlPathEqualTo("/ready")).willReturn(aResponse().withStatus(200).withBody("LIVE")));
        agent.stubFor(get(urlPathEqualTo("/healthz/ready")).willReturn(aResponse().withStatus(503)));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        long[] readyAt = new long[1];
        timer.schedule(() -> {
            readyAt[0] = System.nanoTime();
            agent.stubFor(get(urlPathEqualTo("/healthz/ready")).willReturn(aResponse().withStatus(200)));
        }, 1500, TimeUnit.MILLISECONDS);
        try {
            // when
            try (ConfigurableApplicationContext context = run("--sidecar.shutdown.startup-wait=20s")) {
                // then Spring's ACCEPTING_TRAFFIC came after the sidecar got ready, and only once
                List<String> accepting = readiness.stream().filter(e -> e.startsWith("ACCEPTING_TRAFFIC")).toList();
                assertThat(accepting).hasSize(1);
                long acceptingAt = Long.parseLong(accepting.get(0).split("@")[1]);
                assertThat(readyAt[0]).as("sidecar got ready").isPositive();
                assertThat(acceptingAt).isGreaterThan(readyAt[0]);
                assertThat(context.getBean(ShutdownCoordinator.class).readiness().isReady()).isTrue();
                agent.verify(getRequestedFor(urlPathEqualTo("/healthz/ready")));
            }
        } finally {
            timer.shutdownNow();
        }
        // and closing it turned readiness off
        assertThat(readiness).last().asString().startsWith("REFUSING_TRAFFIC");
    }

    @Test
    void requiredSidecarThatNeverGetsReadyFailsStartup() {
        admin.stubFor(get(urlPathEqualTo("/ready")).willReturn(aResponse().withStatus(503).withBody("PRE_INITIALIZING")));
        agent.stubFor(get(urlPathEqualTo("/healthz/ready")).willReturn(aResponse().withStatus(503)));
        assertThatThrownBy(() -> run("--sidecar.shutdown.startup-wait=500ms", "--sidecar.shutdown.startup-policy=required").close())
                .isInstanceOf(SidecarNotReadyException.class).hasMessageContaining("not ready within");
    }
}
