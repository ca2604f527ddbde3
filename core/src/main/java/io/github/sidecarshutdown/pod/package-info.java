/**
 * What the Pod says about itself through the downward API: the annotations file with
 * {@code proxy.istio.io/config}, {@code sidecar.istio.io/status} and
 * {@code sidecar.istio.io/nativeSidecar}, read without a YAML library.
 */
@NullMarked
package io.github.sidecarshutdown.pod;

import org.jspecify.annotations.NullMarked;
