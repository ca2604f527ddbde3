/**
 * What the coordinator needs of a sidecar, whatever it is: its state, its outbound window, inbound
 * drain and release.
 */
@NullMarked
package io.github.sidecarshutdown.sidecar;

import org.jspecify.annotations.NullMarked;
