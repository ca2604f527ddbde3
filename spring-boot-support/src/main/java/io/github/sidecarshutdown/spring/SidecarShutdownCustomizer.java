package io.github.sidecarshutdown.spring;

import io.github.sidecarshutdown.ShutdownCoordinatorBuilder;

/**
 * Changes the auto-configured coordinator's builder after the {@code sidecar.shutdown.*}
 * properties were applied and before it is built: add tasks, listeners, a sidecar of your own.
 * Customizer beans run in {@link org.springframework.core.annotation.Order @Order} /
 * {@link org.springframework.core.Ordered} order. Not applied when the app defines its own
 * {@link io.github.sidecarshutdown.ShutdownCoordinator} bean.
 */
@FunctionalInterface
public interface SidecarShutdownCustomizer {

    /**
     * Customizes the builder.
     *
     * @param builder the builder, with the properties applied
     */
    void customize(ShutdownCoordinatorBuilder builder);
}
