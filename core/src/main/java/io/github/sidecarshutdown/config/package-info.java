/**
 * The one list of settings ({@link io.github.sidecarshutdown.config.Setting}) shared by every front
 * end (builder, environment variables, Spring properties), and the parsers for their values.
 */
@NullMarked
package io.github.sidecarshutdown.config;

import org.jspecify.annotations.NullMarked;
