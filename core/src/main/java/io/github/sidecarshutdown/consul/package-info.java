/**
 * Consul's sidecar (consul-dataplane with Envoy): its Envoy admin and lifecycle server, seen
 * without any evidence of its own SIGTERM (docs/sidecar-states.md, "Consul").
 */
@NullMarked
package io.github.sidecarshutdown.consul;

import org.jspecify.annotations.NullMarked;
