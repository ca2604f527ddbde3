/** Kuma / Kong Mesh's sidecar (kuma-dp with Envoy), through Envoy's admin API (docs/sidecar-states.md, "Kuma"). */
@NullMarked
package io.github.sidecarshutdown.kuma;

import org.jspecify.annotations.NullMarked;
