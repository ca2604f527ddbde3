/**
 * A faithful Istio sidecar emulator and a Pod simulator for termination tests.
 */
@NullMarked
package io.github.sidecarshutdown.testkit;

import org.jspecify.annotations.NullMarked;
