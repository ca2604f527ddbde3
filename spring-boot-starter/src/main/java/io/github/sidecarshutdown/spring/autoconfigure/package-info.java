/**
 * Spring Boot 4 auto-configuration of the sidecar-shutdown library: properties
 * ({@code sidecar.shutdown.*}), the coordinator bean, its ordering into Spring's own shutdown
 * (lifecycle phases around the web server's graceful shutdown, sidecar release after the context
 * closed), tasks from beans, readiness, and startup failure analysis.
 */
@NullMarked
package io.github.sidecarshutdown.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
