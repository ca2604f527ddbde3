package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownCoordinatorBuilder;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.config.SettingKey;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.Meshes;
import io.github.sidecarshutdown.spring.SidecarShutdownCustomizer;
import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The beans of the starters' main auto-configuration, shared by the Spring Boot 4 and 3.5 lines;
 * each starter's {@code SidecarShutdownAutoConfiguration} extends this and passes its Boot line's
 * graceful web server shutdown phase (a constant that moved between the two lines). Spring reads
 * {@code @Bean} methods and nested configurations of superclasses too.
 *
 * <p>The order of the app's exit, with no JVM hook of the library's (Spring Boot's hook closes the
 * context):
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
 * Backs off when the app defines its own {@code ShutdownCoordinator} (the same lifecycles drive
 * it, slice by slice); never call its {@code install()} under Spring.
 */
public abstract class SidecarShutdownConfigurationSupport {

    /** Spring Boot's default {@code spring.lifecycle.timeout-per-shutdown-phase}. */
    static final Duration DEFAULT_TIMEOUT_PER_SHUTDOWN_PHASE = Duration.ofSeconds(30);

    private final int gracefulShutdownPhase;

    /**
     * @param gracefulShutdownPhase the phase of Spring Boot's graceful web server shutdown lifecycle
     *     on the starter's Boot line; the library's two lifecycles are placed around it
     */
    protected SidecarShutdownConfigurationSupport(int gracefulShutdownPhase) {
        this.gracefulShutdownPhase = gracefulShutdownPhase;
    }

    @Bean
    static ReleaseOrderingPostProcessor sidecarReleaseOrderingPostProcessor() {
        return new ReleaseOrderingPostProcessor();
    }

    @Bean
    static ShutdownTaskRegistrar sidecarShutdownTaskRegistrar() {
        return new ShutdownTaskRegistrar();
    }

    /**
     * The core's duration parser for the {@code sidecar.shutdown.*} durations
     * ({@link DurationSettingBindHandler}); it leaves every other property to Spring.
     *
     * @return the advisor that adds the handler to Spring Boot's binding of configuration properties
     */
    @Bean
    static ConfigurationPropertiesBindHandlerAdvisor sidecarShutdownDurationBindHandlerAdvisor() {
        return DurationSettingBindHandler::new;
    }

    /**
     * The coordinator: properties, then the customizers in order. Spring's lifecycle runs its
     * sequence slice by slice ({@code runThrough}): the web server drains between the propagation
     * delay and the inbound drain, beans are destroyed between the release tasks and the sidecar release. No destroy method: {@code shutdown()} must not be inferred as one.
     *
     * @param properties  the bound {@code sidecar.shutdown.*} properties
     * @param environment where the meshes' own properties are read
     * @param customizers the app's customizers
     * @return the coordinator, not installed (Spring's own hook closes the context)
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    public ShutdownCoordinator shutdownCoordinator(SidecarShutdownProperties properties, Environment environment,
            ObjectProvider<SidecarShutdownCustomizer> customizers) {
        ShutdownCoordinatorBuilder builder = ShutdownCoordinator.builder();
        applyProperties(properties, builder);
        applyMeshProperties(environment, builder);
        customizers.orderedStream().forEach(c -> c.customize(builder));
        return builder.build();
    }

    /**
     * Every property goes through the core's own parser under its property name, so the core's
     * checks (negative durations, loopback URLs, margin shorter than the grace period) report the
     * property as the user wrote it. Unset values keep the core's defaults. Plain null checks, not
     * Boot's {@code PropertyMapper}: Boot 3.5's mapper passes unset values on, Boot 4's does not.
     *
     * @param p the bound properties
     * @param b the builder to apply them to
     */
    public static void applyProperties(SidecarShutdownProperties p, ShutdownCoordinatorBuilder b) {
        set(b, Setting.ENABLED, p::isEnabled);
        set(b, Setting.GRACE_PERIOD, p::getGracePeriod);
        set(b, Setting.SAFETY_MARGIN, p::getSafetyMargin);
        set(b, Setting.PROPAGATION_DELAY, p::getPropagationDelay);
        set(b, Setting.QUIET_PERIOD, p::getQuietPeriod);
        set(b, Setting.DRAIN_TIMEOUT, p::getDrainTimeout);
        set(b, Setting.CLEANUP_BUDGET, p::getCleanupBudget);
        set(b, Setting.TASK_TIMEOUT, p::getTaskTimeout);
        set(b, Setting.MINIMUM_TASK_WINDOW, p::getMinimumTaskWindow);
        set(b, Setting.SIDECAR_MODE, () -> p.getSidecarMode() == null ? null : p.getSidecarMode().name());
        set(b, Setting.ALLOW_NON_LOOPBACK, p::isAllowNonLoopback);
        set(b, Setting.ADMIN_TIMEOUT, p::getAdminTimeout);
        set(b, Setting.RELEASE_SIDECAR, p::isReleaseSidecar);
        set(b, Setting.STARTUP_WAIT, p::getStartupWait);
        set(b, Setting.STARTUP_POLICY, () -> p.getStartupPolicy() == null ? null : p.getStartupPolicy().name());
        set(b, Setting.ANNOTATIONS_FILE, p::getAnnotationsFile);
        set(b, Setting.WORKLOAD, () -> p.getWorkload() == null ? null : p.getWorkload().name());
        set(b, Setting.LABELS_FILE, p::getLabelsFile);
    }

    /**
     * The settings each mesh adds ({@link Meshes#settings()}: its sidecar's URLs), read under their own
     * keys ({@code sidecar.shutdown.kuma-admin-url}, or {@code SIDECAR_SHUTDOWN_KUMA_ADMIN_URL} by
     * relaxed binding) and checked by the core's parser like every other property. Unset values keep
     * the mesh's defaults.
     *
     * @param environment where the properties are read
     * @param b           the builder to apply them to
     */
    public static void applyMeshProperties(Environment environment, ShutdownCoordinatorBuilder b) {
        Binder binder = Binder.get(environment);
        for (MeshSetting s : Meshes.settings()) {
            binder.bind(s.propertyName(), String.class).ifBound(v -> b.setting(s, s.propertyName(), v));
        }
    }

    private static void set(ShutdownCoordinatorBuilder b, SettingKey setting, Supplier<? extends @Nullable Object> property) {
        Object value = property.get();
        if (value != null) {
            // Duration.toString() is ISO-8601 (PT5S), which the core's parser accepts.
            b.setting(setting, setting.propertyName(), value.toString());
        }
    }

    /**
     * @param coordinator the app's coordinator
     * @param context     where readiness changes are published
     * @return the lifecycle that starts the sequence before the web server drains
     */
    @Bean
    @ConditionalOnMissingBean
    public SidecarShutdownLifecycle sidecarShutdownLifecycle(ShutdownCoordinator coordinator, ApplicationContext context) {
        return new SidecarShutdownLifecycle(coordinator, context, gracefulShutdownPhase);
    }

    /**
     * @param coordinator the app's coordinator
     * @return the lifecycle that runs the inbound drain, cleanup and release after the web server stopped
     */
    @Bean
    @ConditionalOnMissingBean
    public SidecarCleanupLifecycle sidecarCleanupLifecycle(ShutdownCoordinator coordinator) {
        return new SidecarCleanupLifecycle(coordinator, gracefulShutdownPhase);
    }

    /**
     * @param coordinator the app's coordinator
     * @param environment where {@code spring.lifecycle.timeout-per-shutdown-phase} is read
     * @return the lifecycle that holds readiness until the sidecar is ready
     */
    @Bean
    @ConditionalOnMissingBean
    public SidecarStartupLifecycle sidecarStartupLifecycle(ShutdownCoordinator coordinator, Environment environment) {
        Duration timeout = Binder.get(environment).bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                .orElse(DEFAULT_TIMEOUT_PER_SHUTDOWN_PHASE);
        return new SidecarStartupLifecycle(coordinator, timeout);
    }

    /**
     * Binds the release handler (registered by the post-processor) once the coordinator exists.
     *
     * @param handler     the release handler
     * @param coordinator the app's coordinator
     * @return the binding step
     */
    @Bean
    public SmartInitializingSingleton sidecarReleaseHandlerAttacher(ObjectProvider<SidecarReleaseHandler> handler,
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
