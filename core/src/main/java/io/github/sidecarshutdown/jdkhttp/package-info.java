/**
 * Wiring for the JDK's built-in {@code com.sun.net.httpserver.HttpServer}: in-flight tracking,
 * a readiness endpoint and a graceful stop task.
 */
@NullMarked
package io.github.sidecarshutdown.jdkhttp;

import org.jspecify.annotations.NullMarked;
