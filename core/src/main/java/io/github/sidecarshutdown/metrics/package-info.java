/**
 * Micrometer meters for shutdowns, phases, tasks, admin calls and the sidecar's state. The only
 * package that imports Micrometer, which is an optional dependency.
 */
@NullMarked
package io.github.sidecarshutdown.metrics;

import org.jspecify.annotations.NullMarked;
