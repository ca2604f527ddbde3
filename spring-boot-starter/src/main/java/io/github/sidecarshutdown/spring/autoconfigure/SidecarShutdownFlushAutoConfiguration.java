package io.github.sidecarshutdown.spring.autoconfigure;

import io.github.sidecarshutdown.spring.support.SidecarShutdownFlushConfigurationSupport;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;

/**
 * Flush at exit (docs/flush-at-exit.md): the logging system's appenders that send over the network
 * are drained and stopped as the last cleanup task, before the sidecar release (Spring Boot stops
 * logging only after it). The OpenTelemetry SDK and Micrometer's push registries need nothing:
 * Spring closes them while destroying the beans, before the release. Exclude this class
 * ({@code spring.autoconfigure.exclude}) to leave the logging system to Spring alone.
 */
@AutoConfiguration(after = SidecarShutdownAutoConfiguration.class)
@ConditionalOnClass(name = "io.github.sidecarshutdown.flush.LogbackFlush")
public class SidecarShutdownFlushAutoConfiguration extends SidecarShutdownFlushConfigurationSupport {
}
