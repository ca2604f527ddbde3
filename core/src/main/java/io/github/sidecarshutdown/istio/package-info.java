/**
 * Istio: the classic and native sidecars (pilot-agent and Envoy), a plain Envoy, and ambient mode,
 * as {@link io.github.sidecarshutdown.istio.IstioMesh} describes them; the Pod annotations Istio's
 * injector and istio-cni write ({@link io.github.sidecarshutdown.istio.PodFacts}).
 */
@NullMarked
package io.github.sidecarshutdown.istio;

import org.jspecify.annotations.NullMarked;
