package io.github.sidecarshutdown.spring.autoconfigure;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownCoordinatorBuilder;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.config.Setting;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configures a {@link ShutdownCoordinator} from the {@code sidecar.shutdown.*} properties
 * and orders it into Spring's own shutdown, with no JVM hook of the library's (Spring Boot's hook
 * closes the context):
 * <ol>
 *   <li>{@link SidecarShutdownLifecycle} (stops before the web server): readiness off, propagation
 *       delay, early outbound tasks;</li>
 *   <li>Spring's graceful shutdown drains and stops the web server;</li>
 *   <li>{@link SidecarCleanupLifecycle} (stops after the web server): inbound drain, cleanup and
 *       release tasks, while every bean is alive;</li>
 *   <li>Spring destroys the beans;</li>
 *   <li>{@link SidecarReleaseHandler} (after the context closed): sidecar release, report.</li>
 * </ol>
 * Readiness is held off at startup until the sidecar is ready ({@link SidecarStartupLifecycle}).
 * Backs off when the app defines its own {@code ShutdownCoordinator}; build that one with
 * {@code awaitSignalBefore(ShutdownPhase.INBOUND_DRAIN, ShutdownPhase.SIDECAR_RELEASE)} and never
 * call its {@code install()} under Spring.
 */
@AutoConfiguration
@ConditionalOnClass(ShutdownCoordinator.class)
@EnableConfigurationProperties(SidecarShutdownProperties.class)
public class SidecarShutdownAutoConfiguration {

    /** Spring Boot's default {@code spring.lifecycle.timeout-per-shutdown-phase}. */
    static final Duration DEFAULT_TIMEOUT_PER_SHUTDOWN_PHASE = Duration.ofSeconds(30);

    @Bean
    static ReleaseOrderingPostProcessor sidecarReleaseOrderingPostProcessor() {
        return new ReleaseOrderingPostProcessor();
    }

    @Bean
    static ShutdownTaskRegistrar sidecarShutdownTaskRegistrar() {
        return new ShutdownTaskRegistrar();
    }

    /**
     * The coordinator: properties, then {@code awaitSignalBefore} for Spring's lifecycle, then the
     * customizers in order. No destroy method: {@code shutdown()} must not be inferred as one.
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    ShutdownCoordinator shutdownCoordinator(SidecarShutdownProperties properties,
            ObjectProvider<SidecarShutdownCustomizer> customizers) {
        ShutdownCoordinatorBuilder builder = ShutdownCoordinator.builder();
        applyProperties(properties, builder);
        // Spring's graceful shutdown drains the web server between the propagation delay and the
        // inbound drain; bean destruction comes between release tasks and the sidecar release.
        builder.awaitSignalBefore(ShutdownPhase.INBOUND_DRAIN, ShutdownPhase.SIDECAR_RELEASE);
        customizers.orderedStream().forEach(c -> c.customize(builder));
        return builder.build();
    }

    /**
     * Every property goes through the core's own parser under its property name, so the core's
     * checks (negative durations, loopback URLs, margin shorter than the grace period) report the
     * property as the user wrote it. Unset values keep the core's defaults.
     */
    static void applyProperties(SidecarShutdownProperties p, ShutdownCoordinatorBuilder b) {
        PropertyMapper map = PropertyMapper.get();
        map.from(p::isEnabled).to(v -> set(b, Setting.ENABLED, v));
        map.from(p::getGracePeriod).to(v -> set(b, Setting.GRACE_PERIOD, v));
        map.from(p::getSafetyMargin).to(v -> set(b, Setting.SAFETY_MARGIN, v));
        map.from(p::getPropagationDelay).to(v -> set(b, Setting.PROPAGATION_DELAY, v));
        map.from(p::getQuietPeriod).to(v -> set(b, Setting.QUIET_PERIOD, v));
        map.from(p::getDrainTimeout).to(v -> set(b, Setting.DRAIN_TIMEOUT, v));
        map.from(p::getCleanupBudget).to(v -> set(b, Setting.CLEANUP_BUDGET, v));
        map.from(p::getTaskTimeout).to(v -> set(b, Setting.TASK_TIMEOUT, v));
        map.from(p::getMinimumTaskWindow).to(v -> set(b, Setting.MINIMUM_TASK_WINDOW, v));
        map.from(p::getSidecarMode).to(v -> set(b, Setting.SIDECAR_MODE, v.name()));
        map.from(p::getAdminUrl).to(v -> set(b, Setting.ADMIN_URL, v));
        map.from(p::getAgentUrl).to(v -> set(b, Setting.AGENT_URL, v));
        map.from(p::isAllowNonLoopback).to(v -> set(b, Setting.ALLOW_NON_LOOPBACK, v));
        map.from(p::getAdminTimeout).to(v -> set(b, Setting.ADMIN_TIMEOUT, v));
        map.from(p::isReleaseSidecar).to(v -> set(b, Setting.RELEASE_SIDECAR, v));
        map.from(p::getTerminationDrainDuration).to(v -> set(b, Setting.TERMINATION_DRAIN_DURATION, v));
        map.from(p::getStartupWait).to(v -> set(b, Setting.STARTUP_WAIT, v));
        map.from(p::getStartupPolicy).to(v -> set(b, Setting.STARTUP_POLICY, v.name()));
        map.from(p::getAnnotationsFile).to(v -> set(b, Setting.ANNOTATIONS_FILE, v));
        map.from(p::getLinkerdAdminUrl).to(v -> set(b, Setting.LINKERD_ADMIN_URL, v));
        map.from(p::getDaprUrl).to(v -> set(b, Setting.DAPR_URL, v));
    }

    private static void set(ShutdownCoordinatorBuilder b, Setting setting, Object value) {
        // Duration.toString() is ISO-8601 (PT5S), which the core's parser accepts.
        b.setting(setting, setting.propertyName(), value.toString());
    }

    @Bean
    @ConditionalOnMissingBean
    SidecarShutdownLifecycle sidecarShutdownLifecycle(ShutdownCoordinator coordinator, ApplicationContext context) {
        return new SidecarShutdownLifecycle(coordinator, context);
    }

    @Bean
    @ConditionalOnMissingBean
    SidecarCleanupLifecycle sidecarCleanupLifecycle(ShutdownCoordinator coordinator) {
        return new SidecarCleanupLifecycle(coordinator);
    }

    @Bean
    @ConditionalOnMissingBean
    SidecarStartupLifecycle sidecarStartupLifecycle(ShutdownCoordinator coordinator, Environment environment) {
        Duration timeout = Binder.get(environment).bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                .orElse(DEFAULT_TIMEOUT_PER_SHUTDOWN_PHASE);
        return new SidecarStartupLifecycle(coordinator, timeout);
    }

    /** Binds the release handler (registered by the post-processor) once the coordinator exists. */
    @Bean
    SmartInitializingSingleton sidecarReleaseHandlerAttacher(ObjectProvider<SidecarReleaseHandler> handler,
            ShutdownCoordinator coordinator) {
        return () -> handler.ifAvailable(h -> h.attach(coordinator));
    }

    static String managementBasePath(Environment environment) {
        return environment.getProperty("management.endpoints.web.base-path", "/actuator");
    }

    /** Counts servlet requests for the quiet period. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = "jakarta.servlet.Filter")
    static class ServletInFlightConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "sidecarInFlightFilter")
        InFlightServletFilter sidecarInFlightFilter(ShutdownCoordinator coordinator, Environment environment) {
            return new InFlightServletFilter(coordinator.inFlight(), managementBasePath(environment));
        }
    }

    /** Counts WebFlux requests for the quiet period. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnClass(name = "org.springframework.web.server.WebFilter")
    static class ReactiveInFlightConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "sidecarInFlightWebFilter")
        InFlightWebFilter sidecarInFlightWebFilter(ShutdownCoordinator coordinator, Environment environment) {
            return new InFlightWebFilter(coordinator.inFlight(), managementBasePath(environment));
        }
    }
}
