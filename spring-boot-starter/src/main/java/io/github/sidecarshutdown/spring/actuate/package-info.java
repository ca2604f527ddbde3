/**
 * Actuator integration of the sidecar-shutdown starter: the {@code envoy} health indicator and
 * the read-only {@code sidecarshutdown} endpoint. Used only when actuator is on the classpath.
 */
@NullMarked
package io.github.sidecarshutdown.spring.actuate;

import org.jspecify.annotations.NullMarked;
