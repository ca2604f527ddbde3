/**
 * The Envoy admin API (port 15000) and the pilot-agent status server (port 15020), as
 * docs/sidecar-protocol.md (§3, §4) describes them, and the {@link io.github.sidecarshutdown.sidecar.Sidecar}
 * built on them.
 */
@NullMarked
package io.github.sidecarshutdown.envoy;

import org.jspecify.annotations.NullMarked;
