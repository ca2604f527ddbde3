/**
 * Spring Boot 3.5 actuator integration of the sidecar-shutdown starter: the {@code envoy} health
 * indicator. Used only when actuator is on the classpath.
 */
@NullMarked
package io.github.sidecarshutdown.spring.boot3.actuate;

import org.jspecify.annotations.NullMarked;
