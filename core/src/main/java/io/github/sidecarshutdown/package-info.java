/**
 * The app's own shutdown as ordered phases under one deadline, aware of the Envoy sidecar.
 */
@NullMarked
package io.github.sidecarshutdown;

import org.jspecify.annotations.NullMarked;
