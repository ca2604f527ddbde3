package io.github.sidecarshutdown.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.flush.HttpLineAppender;
import io.github.sidecarshutdown.flush.LogbackFlush;
import java.net.InetSocketAddress;
import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** When the starter registers the logging flush, and where among the app's tasks. */
class SidecarShutdownFlushAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SidecarShutdownAutoConfiguration.class,
                    SidecarShutdownFlushAutoConfiguration.class))
            .withPropertyValues("sidecar.shutdown.sidecar-mode=none", "sidecar.shutdown.propagation-delay=0s");

    private final Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
    private final HttpLineAppender network = new HttpLineAppender(URI.create("http://127.0.0.1:9/logs"),
            new InetSocketAddress("127.0.0.1", 9));

    @AfterEach
    void detach() {
        root.detachAppender(network);
    }

    @Test
    void consoleOnlyLoggingGetsNoTask() {
        runner.withUserConfiguration(AppTask.class).run(context -> {
            assertThat(context).hasBean("sidecarLogFlushRegistrar");
            assertThat(context.getBean(ShutdownCoordinator.class).tasks()).extracting(ShutdownTask::name)
                    .containsExactly("app-task");
        });
    }

    @Test
    void aNetworkAppenderGetsTheFlushAsTheLastCleanupTask() {
        root.addAppender(network);
        runner.withUserConfiguration(AppTask.class).run(context -> {
            ShutdownTask last = context.getBean(ShutdownCoordinator.class).tasks().get(1);
            assertThat(context.getBean(ShutdownCoordinator.class).tasks()).extracting(ShutdownTask::name)
                    .containsExactly("app-task", LogbackFlush.TASK_NAME);
            assertThat(last.needsSidecar()).isTrue();
        });
    }

    @Test
    void backsOffWithoutTheFlushModule() {
        root.addAppender(network);
        runner.withClassLoader(new FilteredClassLoader("io.github.sidecarshutdown.flush.")).run(context -> {
            assertThat(context).doesNotHaveBean("sidecarLogFlushRegistrar");
            assertThat(context.getBean(ShutdownCoordinator.class).tasks()).isEmpty();
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class AppTask {
        @Bean
        ShutdownTask appTask() {
            return ShutdownTask.of("app-task", ctx -> { });
        }
    }
}
