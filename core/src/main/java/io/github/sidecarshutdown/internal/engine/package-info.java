/**
 * The engine behind {@link io.github.sidecarshutdown.ShutdownCoordinator}: the sequence of phases
 * under one deadline, the sidecar guard and release rule, the startup wait, the plan computed from
 * the same phase objects the run uses. Not API: it may change in any release.
 */
@NullMarked
package io.github.sidecarshutdown.internal.engine;

import org.jspecify.annotations.NullMarked;
