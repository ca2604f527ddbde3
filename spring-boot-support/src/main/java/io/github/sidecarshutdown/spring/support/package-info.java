/**
 * The Spring integration both starters share, written against API that Spring Boot 3.5 and 4
 * both have: the {@code sidecar.shutdown.*} properties, the coordinator's ordering into Spring's
 * shutdown (lifecycles around the web server's graceful shutdown, sidecar release after the
 * context closed), tasks from beans, readiness at startup, request counting, the read-only
 * endpoint and startup failure analysis. The starters add what differs between the two lines
 * (the web server's lifecycle phase constant, the health API) and the auto-configuration files.
 */
@NullMarked
package io.github.sidecarshutdown.spring.support;

import org.jspecify.annotations.NullMarked;
