package io.github.sidecarshutdown.sidecar;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What is known about a sidecar's termination, as its {@link Sidecar} reports it: which kind it is,
 * how long it keeps forwarding outbound traffic after the Pod's SIGTERM, whether that SIGTERM can be
 * seen from the app, and what sets the window. The plan and the run read the same facts.
 *
 * @param mode                        the resolved mode (never {@link SidecarMode#AUTO})
 * @param version                     e.g. {@code istio 1.26.2}, or empty
 * @param terminationDrainDuration    the outbound window after the sidecar's SIGTERM; empty when
 *                                    there is none (native, Linkerd, Dapr, none) or it is unknown (plain Envoy)
 * @param exitOnZeroActiveConnections whether the sidecar waits for connections to close instead
 * @param minimumDrainDuration        with exit-on-zero, the guaranteed part of the window
 * @param source                      where the facts came from, for the plan log (e.g. {@code /server_info})
 * @param terminationVisible          whether the app can see the sidecar get its SIGTERM (a probe
 *                                    then says {@link SidecarState#TERMINATING}); false for Consul,
 *                                    whose window is then taken to run from the app's own SIGTERM
 * @param knob                        what sets the window, as the plan's fixes name it; empty when
 *                                    there is no window to set
 * @param meshEndsJobSidecar          whether the mesh itself stops this sidecar once a Job's app
 *                                    container has ended (Kuma's control plane does), so a Job whose
 *                                    library does not release the sidecar still completes
 */
public record SidecarFacts(
        SidecarMode mode,
        Optional<String> version,
        Optional<Duration> terminationDrainDuration,
        boolean exitOnZeroActiveConnections,
        Optional<Duration> minimumDrainDuration,
        String source,
        boolean terminationVisible,
        Optional<WindowKnob> knob,
        boolean meshEndsJobSidecar) {

    /** Istio's default {@code MINIMUM_DRAIN_DURATION}: the window guaranteed with exit-on-zero. */
    static final Duration DEFAULT_MINIMUM_DRAIN = Duration.ofSeconds(5);

    public SidecarFacts {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(terminationDrainDuration, "terminationDrainDuration");
        Objects.requireNonNull(minimumDrainDuration, "minimumDrainDuration");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(knob, "knob");
    }

    /** Facts of a sidecar that nothing but the library ends after a Job's app. */
    public SidecarFacts(SidecarMode mode, Optional<String> version, Optional<Duration> terminationDrainDuration,
            boolean exitOnZeroActiveConnections, Optional<Duration> minimumDrainDuration, String source,
            boolean terminationVisible, Optional<WindowKnob> knob) {
        this(mode, version, terminationDrainDuration, exitOnZeroActiveConnections, minimumDrainDuration, source,
                terminationVisible, knob, false);
    }

    /** Facts of a sidecar whose SIGTERM can be seen and whose window, if any, has no knob to name. */
    public SidecarFacts(SidecarMode mode, Optional<String> version, Optional<Duration> terminationDrainDuration,
            boolean exitOnZeroActiveConnections, Optional<Duration> minimumDrainDuration, String source) {
        this(mode, version, terminationDrainDuration, exitOnZeroActiveConnections, minimumDrainDuration, source, true,
                Optional.empty());
    }

    /** Facts for a Pod without sidecar. */
    public static SidecarFacts none(String source) {
        return new SidecarFacts(SidecarMode.NONE, Optional.empty(), Optional.empty(), false, Optional.empty(), source);
    }

    /** The same facts with the knob that sets the window. */
    public SidecarFacts withKnob(WindowKnob knob) {
        return new SidecarFacts(mode, version, terminationDrainDuration, exitOnZeroActiveConnections, minimumDrainDuration,
                source, terminationVisible, Optional.of(knob), meshEndsJobSidecar);
    }

    /** The same facts, for a sidecar whose SIGTERM the app cannot see. */
    public SidecarFacts withTerminationUnseen() {
        return new SidecarFacts(mode, version, terminationDrainDuration, exitOnZeroActiveConnections, minimumDrainDuration,
                source, false, knob, meshEndsJobSidecar);
    }

    /** The same facts, for a sidecar the mesh stops itself once a Job's app container has ended. */
    public SidecarFacts withMeshEndingJobSidecar() {
        return new SidecarFacts(mode, version, terminationDrainDuration, exitOnZeroActiveConnections, minimumDrainDuration,
                source, terminationVisible, knob, true);
    }

    /** Whether the sidecar stops forwarding on its own some time after the Pod's SIGTERM. */
    public boolean hasOutboundWindow() {
        return terminationDrainDuration.isPresent();
    }

    /** The window that is guaranteed after termination began, if there is one. */
    public Optional<Duration> guaranteedWindow() {
        if (terminationDrainDuration.isEmpty()) {
            return Optional.empty();
        }
        if (exitOnZeroActiveConnections) {
            return Optional.of(minimumDrainDuration.orElse(DEFAULT_MINIMUM_DRAIN));
        }
        return terminationDrainDuration;
    }

    /**
     * The sidecar as the plan, the start line, the report and the endpoint name it: the mode, and the
     * version when it adds something, e.g. {@code istio 1.26.2}, {@code kuma (kuma-dp 2.12.1 (envoy 1.34.2))},
     * {@code none}.
     */
    public String label() {
        String m = mode.name();
        if (version.isEmpty()) {
            return m;
        }
        String v = version.get();
        return v.startsWith(m) ? v : m + " (" + v + ")";
    }

    /** What sets the window, as the plan names it: the knob's name, or {@code the sidecar's window}. */
    public String windowName() {
        return knob.isPresent() ? knob.get().name() : "the sidecar's window";
    }
}
