/**
 * An in-process (or stand-alone) emulator of an Istio sidecar: Envoy's admin API, pilot-agent's status
 * server, the {@code :15021} health listener and the outbound/inbound listeners, with the termination
 * behaviour of several Istio and Envoy versions, as istio/istio {@code pkg/envoy/agent.go},
 * {@code pilot/cmd/pilot-agent/status/server.go} and envoy {@code source/server/admin/} have it.
 *
 * <p>Entry points: {@link io.github.sidecarshutdown.testkit.emulator.SidecarEmulator#builder()},
 * {@link io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorExtension} for JUnit 5 and
 * {@link io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain} for a separate process.
 */
@NullMarked
package io.github.sidecarshutdown.testkit.emulator;

import org.jspecify.annotations.NullMarked;
