/**
 * Spring Boot 4 auto-configuration of the sidecar-shutdown library: the coordinator bean and its
 * ordering into Spring's own shutdown (shared with the Boot 3.5 starter through
 * {@code io.github.sidecarshutdown.spring.support}), health, the actuator endpoint and metrics.
 * Apps write against {@code io.github.sidecarshutdown.spring}.
 */
@NullMarked
package io.github.sidecarshutdown.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
