/** Dapr's daprd as a {@link io.github.sidecarshutdown.sidecar.Sidecar}. */
@NullMarked
package io.github.sidecarshutdown.dapr;

import org.jspecify.annotations.NullMarked;
