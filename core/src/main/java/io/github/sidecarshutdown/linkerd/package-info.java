/** Linkerd's proxy as a {@link io.github.sidecarshutdown.sidecar.Sidecar}. */
@NullMarked
package io.github.sidecarshutdown.linkerd;

import org.jspecify.annotations.NullMarked;
