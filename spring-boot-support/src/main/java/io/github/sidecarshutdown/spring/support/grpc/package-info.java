/**
 * The gRPC wiring both starters share, whichever gRPC server starter the app uses (Spring gRPC on
 * Spring Boot 4, {@code net.devh} on Spring Boot 3.5): the interceptor and the drain task of the
 * {@code sidecar-shutdown-grpc} module, health bound to readiness once a server started, and the
 * framework's server lifecycle moved after the library's inbound drain. The starters add the
 * framework's own types (its lifecycle class, its interceptor annotation, its started event).
 */
@NullMarked
package io.github.sidecarshutdown.spring.support.grpc;

import org.jspecify.annotations.NullMarked;
