/**
 * What else in this JVM may still send through the sidecar when the library is about to release it:
 * the JVM's other shutdown hook threads, the app's requests in flight, the sidecar's own count of
 * outbound requests (docs/whole-jvm.md). Not API.
 */
@NullMarked
package io.github.sidecarshutdown.internal.jvm;

import org.jspecify.annotations.NullMarked;
