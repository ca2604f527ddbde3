/**
 * Ready-made cleanup tasks for the clients that send at exit: {@link OpenTelemetryFlush the
 * OpenTelemetry SDK}, {@link MicrometerFlush Micrometer push registries}, {@link LogbackFlush Logback}
 * and {@link Log4j2Flush Log4j2} appenders that send over the network. Each is a
 * {@code CLEANUP} task guarded by the sidecar check, so the last export goes out while the sidecar
 * still forwards, under the task's timeout, with its outcome in the report. Every client library is
 * an optional dependency: use the classes of the clients the app has. See
 * {@code docs/flush-at-exit.md}.
 */
@NullMarked
package io.github.sidecarshutdown.flush;

import org.jspecify.annotations.NullMarked;
