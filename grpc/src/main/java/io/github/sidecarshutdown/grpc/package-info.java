/**
 * grpc-java servers in the coordinator's exit: {@link io.github.sidecarshutdown.grpc.GrpcServerSupport}
 * (an interceptor that tracks every call in flight, and the inbound-drain task that stops the server)
 * and {@link io.github.sidecarshutdown.grpc.GrpcHealthSupport} (the gRPC health service bound to the
 * app's readiness). grpc-java itself is the app's: {@code grpc-api} for the first, also
 * {@code grpc-services} for the second.
 */
@NullMarked
package io.github.sidecarshutdown.grpc;

import org.jspecify.annotations.NullMarked;
