package io.github.sidecarshutdown.spring.boot3.autoconfigure;

import io.github.sidecarshutdown.istio.IstioMesh;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.PhaseResult;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownListener;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.TaskContext;
import io.github.sidecarshutdown.metrics.SidecarShutdownMetrics;
import io.github.sidecarshutdown.spring.SidecarShutdownCustomizer;
import io.github.sidecarshutdown.spring.SidecarShutdownTask;
import io.github.sidecarshutdown.spring.boot3.actuate.EnvoyHealthIndicator;
import io.github.sidecarshutdown.spring.support.InvalidSettingFailureAnalyzer;
import io.github.sidecarshutdown.spring.support.SidecarCleanupLifecycle;
import io.github.sidecarshutdown.spring.support.SidecarReleaseHandler;
import io.github.sidecarshutdown.spring.support.SidecarShutdownEndpoint;
import io.github.sidecarshutdown.spring.support.SidecarShutdownLifecycle;
import io.github.sidecarshutdown.spring.support.SidecarStartupLifecycle;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Boot 3.5 starter in an {@link ApplicationContextRunner} on Spring Boot 3.5 itself: the
 * shared support classes on Spring Framework 6.2, Boot 3.5's health API, its metrics and endpoint
 * infrastructure. No server, no sidecar, no JVM hook.
 */
class SidecarShutdownBoot3AutoConfigurationTest {

    private static final AutoConfigurations ALL = AutoConfigurations.of(SidecarShutdownBoot3MetricsAutoConfiguration.class,
            SidecarShutdownBoot3AutoConfiguration.class, SidecarShutdownBoot3HealthAutoConfiguration.class,
            SidecarShutdownBoot3EndpointAutoConfiguration.class);

    /** No sidecar and no delay, so that closing each context (a whole shutdown) takes milliseconds. */
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(ALL)
            .withPropertyValues("sidecar.shutdown.sidecar-mode=none", "sidecar.shutdown.propagation-delay=0s",
                    "spring.lifecycle.timeout-per-shutdown-phase=10s");

    static final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void clearEvents() {
        events.clear();
    }

    @Test
    void startsWithUnsetPropertiesAndEveryPartIsThere() {
        // given no sidecar.shutdown.* property at all: cleanup-budget and propagation-delay are unset
        // (Boot 3.5's PropertyMapper would pass their nulls on)
        new ApplicationContextRunner().withConfiguration(ALL)
                .withPropertyValues("management.endpoints.web.exposure.include=sidecarshutdown").run(context -> {
            // then
            assertThat(context).hasNotFailed().hasSingleBean(ShutdownCoordinator.class)
                    .hasSingleBean(SidecarShutdownLifecycle.class).hasSingleBean(SidecarCleanupLifecycle.class)
                    .hasSingleBean(SidecarStartupLifecycle.class).hasSingleBean(SidecarReleaseHandler.class)
                    .hasSingleBean(SidecarShutdownMetrics.class).hasSingleBean(EnvoyHealthIndicator.class)
                    .hasSingleBean(SidecarShutdownEndpoint.class);
            ShutdownSettings spring = context.getBean(ShutdownCoordinator.class).settings();
            ShutdownSettings core = ShutdownCoordinator.builder().build().settings();
            assertThat(spring).isEqualTo(core);
            assertThat(spring.cleanupBudget()).isEmpty();
        });
    }

    @Test
    void propertiesReachTheCore() {
        runner.withPropertyValues("sidecar.shutdown.grace-period=45s", "sidecar.shutdown.cleanup-budget=8s",
                "sidecar.shutdown.propagation-delay=1500ms", "sidecar.shutdown.startup-policy=required",
                "sidecar.shutdown.admin-url=http://127.0.0.1:15999").run(context -> {
            ShutdownSettings s = context.getBean(ShutdownCoordinator.class).settings();
            assertThat(s.gracePeriod()).isEqualTo(Duration.ofSeconds(45));
            assertThat(s.cleanupBudget()).isEqualTo(Optional.of(Duration.ofSeconds(8)));
            assertThat(s.propagationDelay()).isEqualTo(Duration.ofMillis(1500));
            assertThat(s.startupPolicy()).isEqualTo(io.github.sidecarshutdown.StartupPolicy.REQUIRED);
            assertThat(s.url(IstioMesh.ADMIN_URL)).hasToString("http://127.0.0.1:15999");
        });
    }

    @ParameterizedTest
    @CsvSource({
            "sidecar.shutdown.safety-margin, 40s, must be shorter than",
            "sidecar.shutdown.admin-url, http://10.1.2.3:15000, not a loopback address",
            "sidecar.shutdown.grace-period, -5s, must not be negative"})
    void invalidValuesFailStartupNamingTheProperty(String property, String value, String problem) {
        runner.withPropertyValues(property + "=" + value).run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new InvalidSettingFailureAnalyzer(null).analyze(context.getStartupFailure());
            assertThat(analysis).as("analyzed").isNotNull();
            assertThat(analysis.getDescription()).contains("'" + property + "'").contains(problem);
        });
    }

    @Test
    void envoyHealthIndicatorIsThereOnBoot3sHealthApiAndToggled() {
        runner.run(context -> {
            Health health = context.getBean("envoyHealthIndicator", EnvoyHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP); // no sidecar, none configured
            assertThat(health.getDetails()).containsEntry("state", "absent").containsEntry("mode", "none")
                    .containsKeys("sidecar", "shutdown", "readiness");
        });
        runner.withPropertyValues("management.health.envoy.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("envoyHealthIndicator"));
        runner.withPropertyValues("management.health.defaults.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("envoyHealthIndicator"));
    }

    @Test
    void healthIsDownWhenAConfiguredSidecarNeverAnswers() throws Exception {
        int unused;
        try (ServerSocket s = new ServerSocket(0)) {
            unused = s.getLocalPort();
        }
        runner.withPropertyValues("sidecar.shutdown.sidecar-mode=istio", "sidecar.shutdown.startup-wait=0s",
                "sidecar.shutdown.admin-url=http://127.0.0.1:" + unused, "sidecar.shutdown.agent-url=http://127.0.0.1:" + unused)
                .run(context -> {
                    Health health = context.getBean(EnvoyHealthIndicator.class).health();
                    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health.getDetails()).containsEntry("state", "absent").containsEntry("mode", "istio");
                });
    }

    @Test
    void endpointOnlyWhenExposedAndAllowed() {
        runner.run(context -> assertThat(context).as("not exposed by default").doesNotHaveBean(SidecarShutdownEndpoint.class));
        ApplicationContextRunner exposed = runner.withPropertyValues("management.endpoints.web.exposure.include=health,sidecarshutdown");
        exposed.run(context -> {
            Map<String, Object> shown = context.getBean(SidecarShutdownEndpoint.class).shutdown();
            assertThat(shown).containsEntry("state", "new").containsKey("plan");
        });
        exposed.withPropertyValues("management.endpoint.sidecarshutdown.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(SidecarShutdownEndpoint.class));
    }

    @Test
    void worksWithoutActuatorOrMicrometer() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate", "io.micrometer")).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(ShutdownCoordinator.class).hasSingleBean(SidecarShutdownLifecycle.class)
                    .doesNotHaveBean("envoyHealthIndicator").doesNotHaveBean("sidecarShutdownEndpoint")
                    .doesNotHaveBean("sidecarShutdownMetrics");
        });
    }

    @Test
    void metricsAreBoundToTheAppsRegistryOnBoot3sMicrometer() {
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class)).run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.find("sidecar.state").tag("state", "unknown").gauge()).isNotNull();
                });
    }

    @Test
    void lifecyclePhasesBracketBoot3sWebServer() {
        int graceful = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE;
        int webServerStop = graceful - 1024;
        runner.run(context -> {
            assertThat(context.getBean(SidecarShutdownLifecycle.class).getPhase()).isGreaterThan(graceful);
            assertThat(context.getBean(SidecarCleanupLifecycle.class).getPhase()).isLessThan(webServerStop);
        });
    }

    @Test
    void requestsAreCountedOnServletAndReactiveStacks() {
        // the filters' configurations are nested in the shared superclass: Spring must find them there
        new WebApplicationContextRunner().withConfiguration(ALL).withPropertyValues("sidecar.shutdown.sidecar-mode=none")
                .run(context -> assertThat(context).hasNotFailed().hasBean("sidecarInFlightFilter")
                        .doesNotHaveBean("sidecarInFlightWebFilter"));
        new ReactiveWebApplicationContextRunner().withConfiguration(ALL).withPropertyValues("sidecar.shutdown.sidecar-mode=none")
                .run(context -> assertThat(context).hasNotFailed().hasBean("sidecarInFlightWebFilter")
                        .doesNotHaveBean("sidecarInFlightFilter"));
    }

    @Test
    void annotatedTasksRunBeforeBeansAreDestroyedAndTheSidecarReleaseComesLast() {
        runner.withUserConfiguration(Tasks.class).run(context -> {
            assertThat(context.getBean(ShutdownCoordinator.class).tasks()).extracting(ShutdownTask::name)
                    .containsExactly("notify", "tasksBean.release");
        });
        // after close
        assertThat(events).containsSubsequence("phase-start inbound_drain", "task notify alive=true",
                "phase-start release", "task release alive=true", "downstream destroyed", "phase-start sidecar_release");
    }

    // ---------------------------------------------------------------------------------------------

    /** Stands for an HTTP client or data source the cleanup tasks use. */
    static class Downstream implements DisposableBean {
        volatile boolean alive = true;

        @Override
        public void destroy() {
            alive = false;
            events.add("downstream destroyed");
        }
    }

    static class TaskMethods {
        private final Downstream downstream;

        TaskMethods(Downstream downstream) {
            this.downstream = downstream;
        }

        @SidecarShutdownTask(name = "notify", needsSidecar = SidecarShutdownTask.NeedsSidecar.NO)
        void notifyPeers(TaskContext ctx) {
            events.add("task " + ctx.taskName() + " alive=" + downstream.alive);
        }

        @SidecarShutdownTask(phase = ShutdownPhase.RELEASE)
        void release() {
            events.add("task release alive=" + downstream.alive);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Tasks {
        @Bean
        Downstream downstream() {
            return new Downstream();
        }

        @Bean
        TaskMethods tasksBean(Downstream downstream) {
            return new TaskMethods(downstream);
        }

        @Bean
        SidecarShutdownCustomizer recordPhases() {
            return b -> b.listener(new ShutdownListener() {
                @Override
                public void onPhaseStarted(ShutdownPhase phase) {
                    events.add("phase-start " + phase.tagValue());
                }

                @Override
                public void onPhaseCompleted(PhaseResult result) {
                    events.add("phase-done " + result.phase().tagValue());
                }
            });
        }
    }
}
