package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.flush.Log4j2Flush;
import io.github.sidecarshutdown.flush.LogbackFlush;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * The flush-at-exit wiring of the starters, shared by the Spring Boot 4 and 3.5 lines
 * (docs/flush-at-exit.md). What Spring already does is kept: the OpenTelemetry SDK and Micrometer's
 * push registries are beans, closed while Spring destroys the beans, and the starter releases the
 * sidecar only after the last bean was destroyed, so their last export goes out while the sidecar
 * still forwards. What Spring does not do in time is the logging system: Spring Boot stops it in a
 * shutdown handler that runs after the starter's release. So the appenders that send over the
 * network are stopped (drained) as the last cleanup task, registered once the context is refreshed,
 * after the app's own tasks; later lines (bean destruction, the release, the report) reach the
 * console only. Only when the app's logging configuration has such an appender at that moment.
 */
public abstract class SidecarShutdownFlushConfigurationSupport {

    /** For the starters' auto-configurations. */
    protected SidecarShutdownFlushConfigurationSupport() {
    }

    /** Logback behind SLF4J (Spring Boot's default logging system). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"ch.qos.logback.classic.LoggerContext", "io.github.sidecarshutdown.flush.LogbackFlush"})
    @ConditionalOnBean(ShutdownCoordinator.class)
    static class LogbackFlushConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "sidecarLogFlushRegistrar")
        LogFlushRegistrar sidecarLogFlushRegistrar(ShutdownCoordinator coordinator, ApplicationContext context) {
            return new LogFlushRegistrar(coordinator, context, "Logback", () -> {
                if (!(LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext lc)) {
                    return Optional.empty(); // SLF4J bound elsewhere (Log4j2): the other configuration's business
                }
                List<String> names = LogbackFlush.networkAppenders(lc);
                return names.isEmpty() ? Optional.empty() : Optional.of(new Planned(LogbackFlush.task(lc), names));
            });
        }
    }

    /** log4j-core (spring-boot-starter-log4j2). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.apache.logging.log4j.core.LoggerContext", "io.github.sidecarshutdown.flush.Log4j2Flush"})
    @ConditionalOnBean(ShutdownCoordinator.class)
    static class Log4j2FlushConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "sidecarLog4j2FlushRegistrar")
        LogFlushRegistrar sidecarLog4j2FlushRegistrar(ShutdownCoordinator coordinator, ApplicationContext context) {
            return new LogFlushRegistrar(coordinator, context, "Log4j2", () -> {
                if (!(org.apache.logging.log4j.LogManager.getContext(false)
                        instanceof org.apache.logging.log4j.core.LoggerContext lc)) {
                    return Optional.empty(); // the Log4j2 API routed to SLF4J (Logback): the other configuration's business
                }
                List<String> names = Log4j2Flush.networkAppenders(lc);
                return names.isEmpty() ? Optional.empty() : Optional.of(new Planned(Log4j2Flush.task(lc), names));
            });
        }
    }

    /** The task to register and the appenders it will stop. */
    record Planned(ShutdownTask task, List<String> appenders) {
    }

    /**
     * Registers the logging flush once the context is refreshed: every singleton exists by then,
     * so the app's own tasks (beans and annotated methods) are registered and this one comes last.
     */
    static final class LogFlushRegistrar implements ApplicationListener<ContextRefreshedEvent> {

        private static final Logger logger = LoggerFactory.getLogger(LogFlushRegistrar.class);

        private final ShutdownCoordinator coordinator;
        private final ApplicationContext context;
        private final String system;
        private final Supplier<Optional<Planned>> plan;
        private final AtomicBoolean registered = new AtomicBoolean();

        LogFlushRegistrar(ShutdownCoordinator coordinator, ApplicationContext context, String system,
                Supplier<Optional<Planned>> plan) {
            this.coordinator = coordinator;
            this.context = context;
            this.system = system;
            this.plan = plan;
        }

        @Override
        public void onApplicationEvent(ContextRefreshedEvent event) {
            if (event.getApplicationContext() != context || !registered.compareAndSet(false, true)) {
                return;
            }
            Optional<Planned> planned = plan.get();
            if (planned.isEmpty()) {
                return;
            }
            Planned p = planned.get();
            try {
                coordinator.register(p.task());
                logger.info("{} appenders {} send over the network: they are drained and stopped as the last cleanup task "
                        + "'{}', before the sidecar release; later lines reach the console only", system, p.appenders(),
                        p.task().name());
            } catch (IllegalStateException e) {
                logger.warn("{} network appenders {} not flushed at exit: {}", system, p.appenders(), e.getMessage());
            }
        }
    }
}
