/**
 * A Pod simulator for termination tests: it plays the kubelet for one Pod with an application
 * container and an optional sidecar container, both run as real OS processes.
 *
 * <p>Entry point: {@link io.github.sidecarshutdown.testkit.pod.PodSimulator#builder()}. The
 * simulator starts the sidecar first, waits for its ready line, starts the application (whose
 * spec may be built from the sidecar's ready line), optionally runs inbound load, and on
 * {@link io.github.sidecarshutdown.testkit.pod.PodSimulator#deletePod()} sends the signals the
 * kubelet sends (classic or native sidecar ordering), kills what is left at the grace period and
 * returns a {@link io.github.sidecarshutdown.testkit.pod.PodTermination} with a merged timeline.
 * For Job Pods,
 * {@link io.github.sidecarshutdown.testkit.pod.PodSimulator#awaitJobCompletion(java.time.Duration)}
 * lets the application end by itself and returns a
 * {@link io.github.sidecarshutdown.testkit.pod.JobRun}: the Pod's
 * {@link io.github.sidecarshutdown.testkit.pod.PodPhase}, the application's exit code (of each run,
 * with a {@link io.github.sidecarshutdown.testkit.pod.RestartPolicy} that restarts it in place), the
 * completion time and the gap after the application's exit. A sidecar may also start after the
 * application, and the Pod's annotations and labels can be mounted as the downward API does.
 */
@NullMarked
package io.github.sidecarshutdown.testkit.pod;

import org.jspecify.annotations.NullMarked;
