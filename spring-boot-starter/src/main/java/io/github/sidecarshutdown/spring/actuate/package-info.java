/**
 * Spring Boot 4 actuator integration of the sidecar-shutdown starter: the {@code envoy} health
 * indicator. Used only when {@code spring-boot-health} is on the classpath.
 */
@NullMarked
package io.github.sidecarshutdown.spring.actuate;

import org.jspecify.annotations.NullMarked;
