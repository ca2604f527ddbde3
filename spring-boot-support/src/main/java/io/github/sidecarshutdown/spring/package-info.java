/**
 * What a Spring Boot app of the sidecar-shutdown library writes against, the same with the
 * Spring Boot 4 starter ({@code sidecar-shutdown-spring-boot-starter}) and the Spring Boot 3.5
 * starter ({@code sidecar-shutdown-spring-boot3-starter}): {@link SidecarShutdownTask} on bean
 * methods and {@link SidecarShutdownCustomizer} beans.
 */
@NullMarked
package io.github.sidecarshutdown.spring;

import org.jspecify.annotations.NullMarked;
