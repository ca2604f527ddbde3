/**
 * Spring Boot 3.5 auto-configuration of the sidecar-shutdown library: the coordinator bean and its
 * ordering into Spring's own shutdown (shared with the Boot 4 starter through
 * {@code io.github.sidecarshutdown.spring.support}), health on Boot 3.5's actuator health API, the
 * actuator endpoint and metrics. Apps write against {@code io.github.sidecarshutdown.spring}, the
 * same as with the Boot 4 starter.
 */
@NullMarked
package io.github.sidecarshutdown.spring.boot3.autoconfigure;

import org.jspecify.annotations.NullMarked;
