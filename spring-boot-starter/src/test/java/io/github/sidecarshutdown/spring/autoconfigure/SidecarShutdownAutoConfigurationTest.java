package io.github.sidecarshutdown.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.github.sidecarshutdown.PhaseResult;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownListener;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownSettings;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.StartupPolicy;
import io.github.sidecarshutdown.TaskContext;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.metrics.SidecarShutdownMetrics;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.spring.actuate.EnvoyHealthIndicator;
import io.github.sidecarshutdown.spring.SidecarShutdownCustomizer;
import io.github.sidecarshutdown.spring.SidecarShutdownTask;
import io.github.sidecarshutdown.spring.support.InvalidSettingFailureAnalyzer;
import io.github.sidecarshutdown.spring.support.SidecarCleanupLifecycle;
import io.github.sidecarshutdown.spring.support.SidecarReleaseHandler;
import io.github.sidecarshutdown.spring.support.SidecarShutdownEndpoint;
import io.github.sidecarshutdown.spring.support.SidecarShutdownLifecycle;
import io.github.sidecarshutdown.spring.support.SidecarShutdownProperties;
import io.github.sidecarshutdown.spring.support.SidecarStartupLifecycle;
import io.github.sidecarshutdown.testkit.emulator.EmulatorMode;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import io.micrometer.core.instrument.MeterRegistry;
import java.beans.PropertyDescriptor;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/** The auto-configuration in an {@link ApplicationContextRunner}: no server, no sidecar, no JVM hook. */
class SidecarShutdownAutoConfigurationTest {

    private static final AutoConfigurations ALL = AutoConfigurations.of(SidecarShutdownMetricsAutoConfiguration.class,
            SidecarShutdownAutoConfiguration.class, SidecarShutdownHealthAutoConfiguration.class,
            SidecarShutdownEndpointAutoConfiguration.class);

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
    void defaultsAreTheCoreDefaultsAndEveryPartIsThere() {
        // given the properties' own defaults (sidecar-mode auto: nothing listens on 15000 here)
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
        });
    }

    @ParameterizedTest
    @EnumSource(Setting.class)
    void everySettingIsAPropertyMappedToTheCore(Setting setting) {
        // given a value that differs from the default
        Object[] sample = sample(setting);
        String value = (String) sample[0];
        Object expected = sample[1];
        @SuppressWarnings("unchecked")
        Function<ShutdownSettings, Object> read = (Function<ShutdownSettings, Object>) sample[2];
        PropertyDescriptor pd = BeanUtils.getPropertyDescriptor(SidecarShutdownProperties.class, setting.builderMethod());
        assertThat(pd).as("SidecarShutdownProperties.%s", setting.builderMethod()).isNotNull();
        assertThat(pd.getReadMethod()).isNotNull();
        assertThat(pd.getWriteMethod()).isNotNull();
        assertThat(read.apply(ShutdownCoordinator.builder().build().settings())).as("the sample is not the default").isNotEqualTo(expected);

        // when
        runner.withPropertyValues(setting.propertyName() + "=" + value).run(context -> {
            // then
            assertThat(context).hasNotFailed();
            assertThat(read.apply(context.getBean(ShutdownCoordinator.class).settings())).isEqualTo(expected);
        });
    }

    /**
     * Every setting a mesh adds is a property too, read under its key from the descriptors
     * ({@code Meshes.settings()}), with no field in {@code SidecarShutdownProperties}.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("meshSettings")
    void everyMeshSettingIsAPropertyMappedToTheCore(io.github.sidecarshutdown.sidecar.MeshSetting setting) {
        // given a value that differs from the default
        String value = setting.kind() == Setting.Kind.URL ? "http://127.0.0.1:1" + Math.abs(setting.key().hashCode() % 9000 + 1000)
                : "17s";
        java.util.function.Function<ShutdownSettings, Object> read = s -> setting.kind() == Setting.Kind.URL ? s.url(setting)
                : s.duration(setting);
        Object expected = setting.kind() == Setting.Kind.URL ? URI.create(value) : Duration.ofSeconds(17);
        assertThat(read.apply(ShutdownCoordinator.builder().build().settings())).as("the sample is not the default").isNotEqualTo(expected);

        // when set as a property, and as the environment variable relaxed binding reads
        runner.withPropertyValues(setting.propertyName() + "=" + value).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(read.apply(context.getBean(ShutdownCoordinator.class).settings())).isEqualTo(expected);
        });
        runner.withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addFirst(
                new org.springframework.core.env.SystemEnvironmentPropertySource("test-environment",
                        java.util.Map.of(setting.envName(), value)))).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(read.apply(context.getBean(ShutdownCoordinator.class).settings())).isEqualTo(expected);
        });
    }

    static java.util.stream.Stream<io.github.sidecarshutdown.sidecar.MeshSetting> meshSettings() {
        return io.github.sidecarshutdown.sidecar.Meshes.settings().stream();
    }

    /** {property value, expected setting, accessor}; every setting must have one. */
    private static Object[] sample(Setting s) {
        switch (s) {
            case ENABLED: return of("false", false, ShutdownSettings::enabled);
            case GRACE_PERIOD: return of("45s", Duration.ofSeconds(45), ShutdownSettings::gracePeriod);
            case SAFETY_MARGIN: return of("3s", Duration.ofSeconds(3), ShutdownSettings::safetyMargin);
            case PROPAGATION_DELAY: return of("1500ms", Duration.ofMillis(1500), ShutdownSettings::propagationDelay);
            case QUIET_PERIOD: return of("2s", Duration.ofSeconds(2), ShutdownSettings::quietPeriod);
            case DRAIN_TIMEOUT: return of("7s", Duration.ofSeconds(7), ShutdownSettings::drainTimeout);
            case CLEANUP_BUDGET: return of("8s", Optional.of(Duration.ofSeconds(8)), ShutdownSettings::cleanupBudget);
            case TASK_TIMEOUT: return of("4s", Duration.ofSeconds(4), ShutdownSettings::taskTimeout);
            case MINIMUM_TASK_WINDOW: return of("400ms", Duration.ofMillis(400), ShutdownSettings::minimumTaskWindow);
            case SIDECAR_MODE: return of("native", SidecarMode.NATIVE, ShutdownSettings::sidecarMode);
            case ALLOW_NON_LOOPBACK: return of("true", true, ShutdownSettings::allowNonLoopback);
            case ADMIN_TIMEOUT: return of("300ms", Duration.ofMillis(300), ShutdownSettings::adminTimeout);
            case RELEASE_SIDECAR: return of("false", false, ShutdownSettings::releaseSidecar);
            case STARTUP_WAIT: return of("2s", Duration.ofSeconds(2), ShutdownSettings::startupWait);
            case STARTUP_POLICY: return of("required", StartupPolicy.REQUIRED, ShutdownSettings::startupPolicy);
            case ANNOTATIONS_FILE: return of("/var/run/podinfo/annotations", java.nio.file.Path.of("/var/run/podinfo/annotations"),
                    ShutdownSettings::annotationsFile);
            case WORKLOAD: return of("job", io.github.sidecarshutdown.Workload.JOB, ShutdownSettings::workload);
            case LABELS_FILE: return of("/var/run/podinfo/labels", java.nio.file.Path.of("/var/run/podinfo/labels"),
                    ShutdownSettings::labelsFile);
            default:
                return fail("Setting %s has no property test: add it to SidecarShutdownProperties, applyProperties and here", s);
        }
    }

    private static Object[] of(String value, Object expected, Function<ShutdownSettings, ?> read) {
        return new Object[] {value, expected, read};
    }

    @Test
    void backsOffWhenTheAppDefinesItsOwnCoordinator() {
        runner.withUserConfiguration(UserCoordinator.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(ShutdownCoordinator.class);
            assertThat(context.getBean(ShutdownCoordinator.class)).isSameAs(context.getBean("myCoordinator"));
            assertThat(context.getBean(ShutdownCoordinator.class).settings().gracePeriod()).isEqualTo(Duration.ofSeconds(12));
            // the lifecycles still order the user's coordinator into Spring's shutdown
            assertThat(context).hasSingleBean(SidecarShutdownLifecycle.class).hasSingleBean(SidecarCleanupLifecycle.class);
            // and Spring does not call shutdown() as an inferred destroy method
            assertThat(context.getBeanFactory().getBeanDefinition("myCoordinator").getDestroyMethodName()).isEmpty();
        });
    }

    @Test
    void customizersApplyInOrderAfterTheProperties() {
        runner.withPropertyValues("sidecar.shutdown.grace-period=20s").withUserConfiguration(Customizers.class).run(context -> {
            ShutdownCoordinator c = context.getBean(ShutdownCoordinator.class);
            assertThat(c.settings().gracePeriod()).isEqualTo(Duration.ofSeconds(50)); // order 2 ran last
            assertThat(c.settings().drainTimeout()).isEqualTo(Duration.ofSeconds(3)); // order 1 kept
            assertThat(c.tasks()).extracting(ShutdownTask::name).contains("from-customizer");
        });
    }

    @Test
    void worksWithoutActuator() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health"))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(ShutdownCoordinator.class)
                            .hasSingleBean(SidecarShutdownLifecycle.class)
                            .doesNotHaveBean("envoyHealthIndicator").doesNotHaveBean("sidecarShutdownEndpoint");
                });
    }

    @Test
    void worksWithoutMicrometer() {
        runner.withClassLoader(new FilteredClassLoader("io.micrometer")).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(ShutdownCoordinator.class)
                    .doesNotHaveBean("sidecarShutdownMetrics").doesNotHaveBean("sidecarShutdownMetricsCustomizer");
        });
    }

    @ParameterizedTest
    @CsvSource({
            "sidecar.shutdown.safety-margin, 40s, must be shorter than",
            "sidecar.shutdown.admin-url, http://10.1.2.3:15000, not a loopback address",
            "sidecar.shutdown.grace-period, -5s, must not be negative",
            "sidecar.shutdown.task-timeout, 0s, must be greater than 0",
            "sidecar.shutdown.startup-wait, 25h, longer than a day",
            "sidecar.shutdown.agent-url, ftp://127.0.0.1:15020, scheme must be http or https"})
    void invalidValuesFailStartupNamingTheProperty(String property, String value, String problem) {
        runner.withPropertyValues(property + "=" + value).run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new InvalidSettingFailureAnalyzer(null).analyze(context.getStartupFailure());
            assertThat(analysis).as("analyzed").isNotNull();
            assertThat(analysis.getDescription()).contains("'" + property + "'").contains(problem);
            assertThat(analysis.getAction()).contains(property);
        });
    }

    @Test
    void unparsableDurationFailsInSpringsBinderNamingTheProperty() {
        runner.withPropertyValues("sidecar.shutdown.drain-timeout=soon").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("sidecar.shutdown.drain-timeout");
        });
    }

    @Test
    void healthIndicatorIsToggledByManagementHealthEnvoyEnabled() {
        runner.run(context -> {
            Health health = context.getBean("envoyHealthIndicator", EnvoyHealthIndicator.class).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP); // no sidecar, none configured
            assertThat(health.getDetails()).containsEntry("state", "absent").containsEntry("mode", "none");
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
                    Health health = context.getBean(EnvoyHealthIndicator.class).health(true);
                    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health.getDetails()).containsEntry("state", "absent").containsEntry("mode", "istio");
                });
    }

    @Test
    void healthNamesTheSidecarItFoundWhenItAnswers() {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26).build().start()) {
            runner.withPropertyValues("sidecar.shutdown.sidecar-mode=istio", "sidecar.shutdown.startup-wait=0s",
                    "sidecar.shutdown.admin-url=" + emulator.adminUrl(), "sidecar.shutdown.agent-url=" + emulator.agentUrl())
                    .run(context -> {
                        Health health = context.getBean(EnvoyHealthIndicator.class).health(true);
                        assertThat(health.getStatus()).isEqualTo(Status.UP);
                        assertThat(health.getDetails()).containsEntry("state", "live").containsEntry("mode", "istio");
                        assertThat((String) health.getDetails().get("found")).startsWith("istio ");
                    });
        }
    }

    @Test
    void endpointIsReadOnlyAndShowsThePlanThenTheReport() {
        assertThat(Arrays.stream(SidecarShutdownEndpoint.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(WriteOperation.class) || m.isAnnotationPresent(DeleteOperation.class)))
                .isEmpty();
        assertThat(Arrays.stream(SidecarShutdownEndpoint.class.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(ReadOperation.class)))
                .extracting(Method::getName).containsExactly("shutdown");
        runner.run(context -> assertThat(context).as("not exposed by default").doesNotHaveBean(SidecarShutdownEndpoint.class));
        ApplicationContextRunner exposed = runner.withPropertyValues("management.endpoints.web.exposure.include=health,sidecarshutdown");
        exposed.run(context -> {
            SidecarShutdownEndpoint endpoint = context.getBean(SidecarShutdownEndpoint.class);
            Map<String, Object> before = endpoint.shutdown();
            assertThat(before).containsEntry("state", "new").containsKey("readiness").doesNotContainKey("report");
            assertThat(before.get("plan")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsKeys("budgetMs", "steps", "warnings");

            // when a shutdown begins (with no sidecar and no task it may already be over when the endpoint is read)
            java.util.concurrent.CompletableFuture<io.github.sidecarshutdown.ShutdownReport> running =
                    context.getBean(ShutdownCoordinator.class).shutdownAsync();

            // then the live report shows up, and once it is over the endpoint says so with the final report
            Map<String, Object> during = endpoint.shutdown();
            assertThat(during.get("state")).isIn("stopping", "terminated");
            assertThat(during).containsKey("report");
            running.get(10, java.util.concurrent.TimeUnit.SECONDS);
            Map<String, Object> after = endpoint.shutdown();
            assertThat(after).containsEntry("state", "terminated");
            assertThat(after.get("report")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsEntry("complete", true);
        });
        exposed.withPropertyValues("management.endpoint.sidecarshutdown.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(SidecarShutdownEndpoint.class));
    }

    @Test
    void theStarterRegistersNoJvmHook() {
        // Spring's own hook closes the context, which runs the sequence: a second hook would race it
        runner.run(context -> {
            ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
            assertThat(coordinator.isInstalled()).isFalse();
            assertThat(coordinator.state()).isEqualTo(ShutdownCoordinator.State.NEW);
        });
    }

    @Test
    void metricsAreBoundToTheAppsRegistry() {
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class)).run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.find("sidecar.state").tag("state", "unknown").gauge()).isNotNull();
                });
    }

    @Test
    void tasksComeFromBeansAndAnnotatedMethodsInOrderAndRunBeforeBeansAreDestroyed() {
        runner.withUserConfiguration(Tasks.class).run(context -> {
            ShutdownCoordinator c = context.getBean(ShutdownCoordinator.class);
            assertThat(c.tasks()).extracting(ShutdownTask::name)
                    .containsExactly("first-by-method-order", "bean-task", "ordered-bean-method", "tasksBean.lastByDefault");
            assertThat(c.tasks()).filteredOn(t -> t.name().equals("ordered-bean-method")).singleElement()
                    .satisfies(t -> {
                        assertThat(t.phase()).isEqualTo(ShutdownPhase.RELEASE);
                        assertThat(t.timeout()).contains(Duration.ofMillis(1500));
                        assertThat(t.needsSidecar()).isTrue();
                        assertThat(t.retries()).isEqualTo(2);
                    });
        });
        // after close: the tasks ran, with the downstream bean alive; the sidecar release came after it was destroyed
        assertThat(events).containsSubsequence("phase-start inbound_drain", "task first-by-method-order alive=true",
                "task bean-task", "phase-start release", "task ordered-bean-method alive=true",
                "downstream destroyed", "phase-start sidecar_release");
    }

    @Test
    void annotatedMethodWithWrongParametersFailsStartup() {
        runner.withUserConfiguration(BadTask.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("must take no argument or one TaskContext");
        });
    }

    @Test
    void lifecyclePhasesBracketTheWebServer() {
        int graceful = WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE;
        int webServerStop = graceful - 1024;
        assertThat(SidecarShutdownAutoConfiguration.GRACEFUL_SHUTDOWN_PHASE).isEqualTo(graceful);
        runner.run(context -> {
            assertThat(context.getBean(SidecarShutdownLifecycle.class).getPhase()).isGreaterThan(graceful); // before the drain
            assertThat(context.getBean(SidecarCleanupLifecycle.class).getPhase()).isLessThan(webServerStop); // after the stop
            assertThat(context.getBean(SidecarStartupLifecycle.class).getPhase()).isEqualTo(Integer.MIN_VALUE);
            assertThatThrownBy(() -> context.getBean(SidecarShutdownLifecycle.class).stop())
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> context.getBean(SidecarCleanupLifecycle.class).stop())
                    .isInstanceOf(UnsupportedOperationException.class);
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
    void pausingTheContextStartsNoShutdown() {
        // Spring Framework 7 pauses a context (e.g. a cached test context) by stopping its pauseable
        // lifecycles; ours must go on running, or a pause would start an exit that cannot be undone
        runner.run(context -> {
            ShutdownCoordinator coordinator = context.getBean(ShutdownCoordinator.class);
            List<org.springframework.context.SmartLifecycle> ours = List.of(context.getBean(SidecarShutdownLifecycle.class),
                    context.getBean(SidecarCleanupLifecycle.class), context.getBean(SidecarStartupLifecycle.class));
            assertThat(ours).allSatisfy(l -> assertThat(l.isPauseable()).isFalse());

            // when
            context.getSourceApplicationContext().pause();

            // then
            assertThat(ours).allSatisfy(l -> assertThat(l.isRunning()).as(l.getClass().getSimpleName()).isTrue());
            assertThat(coordinator.state()).isEqualTo(ShutdownCoordinator.State.NEW);
            assertThat(coordinator.readiness().state()).isNotEqualTo(io.github.sidecarshutdown.ReadinessGate.State.SHUTTING_DOWN);

            // and a restart and the final close still run the sequence once
            context.getSourceApplicationContext().restart();
            context.close();
            assertThat(coordinator.state()).isEqualTo(ShutdownCoordinator.State.TERMINATED);
        });
    }

    // ---------------------------------------------------------------------------------------------

    @Configuration(proxyBeanMethods = false)
    static class UserCoordinator {
        @Bean
        ShutdownCoordinator myCoordinator() {
            return ShutdownCoordinator.builder().sidecarMode(SidecarMode.NONE).propagationDelay(Duration.ZERO)
                    .gracePeriod(Duration.ofSeconds(12)).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizers {
        @Bean
        @Order(2)
        SidecarShutdownCustomizer second() {
            return b -> b.gracePeriod(Duration.ofSeconds(50));
        }

        @Bean
        @Order(1)
        SidecarShutdownCustomizer first() {
            return b -> b.gracePeriod(Duration.ofSeconds(40)).drainTimeout(Duration.ofSeconds(3))
                    .task("from-customizer", ctx -> { });
        }
    }

    /** Stands for an HTTP client or data source the cleanup tasks use. */
    static class Downstream implements DisposableBean {
        volatile boolean alive = true;

        @Override
        public void destroy() {
            alive = false;
            events.add("downstream destroyed");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Tasks {
        @Bean
        Downstream downstream() {
            return new Downstream();
        }

        @Bean
        @Order(5)
        ShutdownTask beanTask() {
            return ShutdownTask.builder("bean-task", ctx -> events.add("task bean-task")).needsSidecar(false).build();
        }

        @Bean
        TaskMethods tasksBean(Downstream downstream) {
            return new TaskMethods(downstream);
        }

        @Bean
        OrderedTaskMethods orderedTasksBean(Downstream downstream) {
            return new OrderedTaskMethods(downstream);
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

    static class TaskMethods {
        private final Downstream downstream;

        TaskMethods(Downstream downstream) {
            this.downstream = downstream;
        }

        @SidecarShutdownTask(name = "first-by-method-order", needsSidecar = SidecarShutdownTask.NeedsSidecar.NO)
        @Order(1)
        void first(TaskContext ctx) {
            events.add("task " + ctx.taskName() + " alive=" + downstream.alive);
        }

        @SidecarShutdownTask(needsSidecar = SidecarShutdownTask.NeedsSidecar.NO)
        void lastByDefault() {
            events.add("task lastByDefault");
        }
    }

    static class OrderedTaskMethods implements Ordered {
        private final Downstream downstream;

        OrderedTaskMethods(Downstream downstream) {
            this.downstream = downstream;
        }

        @SidecarShutdownTask(name = "ordered-bean-method", phase = ShutdownPhase.RELEASE, timeout = "${task.timeout:1500ms}",
                needsSidecar = SidecarShutdownTask.NeedsSidecar.YES, retries = 2)
        void release() {
            events.add("task ordered-bean-method alive=" + downstream.alive);
        }

        @Override
        public int getOrder() {
            return 10;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class BadTask {
        @Bean
        Object badTaskBean() {
            return new Object() {
                @SidecarShutdownTask
                void twoArgs(TaskContext a, String b) {
                }
            };
        }
    }
}
