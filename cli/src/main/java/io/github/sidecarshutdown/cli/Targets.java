package io.github.sidecarshutdown.cli;

import io.github.sidecarshutdown.config.Setting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The values a workload's fixes suggest, each computed once from every rule that constrains it, so
 * that all findings of one Pod that suggest a value suggest the same one, and applying all of them
 * leaves no error:
 *
 * <ul>
 *   <li>the sidecar's window {@code W}: covers the preStop sleep plus the app's last outbound call
 *       (and, for Consul and Kuma with the library, its inbound drain), whichever rule asks;</li>
 *   <li>{@code terminationGracePeriodSeconds} {@code G}: at least the window plus the safety margin
 *       when the window does not fit, and the preStop sleep plus the library's whole plan plus the
 *       safety margin;</li>
 *   <li>each library container's {@code SIDECAR_SHUTDOWN_GRACE_PERIOD}: {@code G} minus its preStop
 *       sleep, set whenever {@code G} changes.</li>
 * </ul>
 *
 * Each is computed from the manifest as written and from the manifest with the fixes' variables
 * applied (job mode on or off changes the plan), and is the larger of the two, so a value holds
 * whichever of the other fixes the user applies first.
 */
final class Targets {

    private final Workload w;
    private final List<ContainerModel> containers;
    private final long grace;
    private final boolean graceChanges;
    private final Optional<Window> window;

    /** The window to set, and the edits that set it. */
    record Window(long seconds, List<Change> changes) {
    }

    private Targets(Workload w, List<ContainerModel> containers, long grace, boolean graceChanges, Optional<Window> window) {
        this.w = w;
        this.containers = containers;
        this.grace = grace;
        this.graceChanges = graceChanges;
        this.window = window;
    }

    /**
     * @param now   the Pod's app containers as written
     * @param fixed the same containers with the variables of the fixes found so far applied
     */
    static Targets of(List<ContainerModel> now, List<ContainerModel> fixed) {
        Workload w = now.get(0).w;
        List<ContainerModel> both = new ArrayList<>(now);
        both.addAll(fixed);
        Optional<Window> window = Optional.empty();
        for (int i = 0; i < now.size(); i++) {
            Optional<Window> wi = windowFor(now.get(i), fixed.get(i));
            if (wi.isPresent() && (window.isEmpty() || wi.get().seconds() > window.get().seconds())) {
                window = wi;
            }
        }
        ContainerModel first = now.get(0);
        long current = ceil(first.grace);
        long g = current;
        Optional<Duration> w0 = first.facts.guaranteedWindow();
        Optional<Long> targetWindow = window.map(Window::seconds).or(() -> w0.map(Targets::ceil));
        if (targetWindow.isPresent() && w0.isPresent()) {
            long m = ceil(first.settings.safetyMargin());
            if (first.classicIstio() && current < targetWindow.get()) {
                g = Math.max(g, targetWindow.get() + m); // grace-shorter-than-drain
            } else if (first.mesh.isPresent() && current <= targetWindow.get()) {
                g = Math.max(g, targetWindow.get() + Math.max(1, m)); // mesh-window-exceeds-grace: strictly shorter
            }
        }
        for (ContainerModel c : both) {
            if (c.usesLibrary) { // prestop-exceeds-grace, plan-exceeds-grace
                g = Math.max(g, ceil(c.preStop.plus(c.planEnd()).plus(c.settings.safetyMargin())));
            }
        }
        return new Targets(w, List.copyOf(now), g, g != current, window);
    }

    /** The window this container needs, when a rule asks to change it; empty when it stays. */
    private static Optional<Window> windowFor(ContainerModel now, ContainerModel fixed) {
        if (now.mesh.isPresent()) {
            return now.mesh.get().targetWindow(now, fixed);
        }
        Optional<Duration> w = now.facts.guaranteedWindow();
        if (!now.classicIstio() || w.isEmpty()) {
            return Optional.empty();
        }
        Duration need = max(now.neededAfterDeletion(false), fixed.neededAfterDeletion(false));
        if (now.facts.exitOnZeroActiveConnections()) {
            if (now.facts.minimumDrainDuration().isPresent()) {
                return Optional.empty();
            }
            // exit-on-zero-without-minimum: Envoy may exit once idle after 5 s
            long s = Math.max(5, ceil(need) + 1);
            return Optional.of(new Window(s, List.of(Change.proxyConfig("proxyMetadata.MINIMUM_DRAIN_DURATION", s + "s"))));
        }
        if (now.usesLibrary && need.compareTo(w.get()) > 0) { // cleanup-exceeds-window, prestop-eats-window
            long s = ceil(need) + 1;
            return Optional.of(new Window(s, List.of(Change.proxyConfig("terminationDrainDuration", s + "s"))));
        }
        return Optional.empty();
    }

    /** The grace period every fix that sets it suggests, in seconds. */
    long grace() {
        return grace;
    }

    /** What {@code container} should have in {@code SIDECAR_SHUTDOWN_GRACE_PERIOD}: the grace period minus its preStop sleep. */
    Duration libraryGrace(ContainerModel container) {
        return Duration.ofSeconds(grace).minus(container.preStop);
    }

    /** The grace period and, for each container using the library, its grace-period setting to match. */
    List<Change> graceChanges() {
        List<Change> out = new ArrayList<>();
        out.add(Change.podSpec(w, "terminationGracePeriodSeconds", Long.toString(grace)));
        for (ContainerModel c : containers) {
            if (c.usesLibrary && !libraryGrace(c).equals(c.settings.gracePeriod())) {
                out.add(Change.env(c.name, Setting.GRACE_PERIOD.envName(), Linter.fmt(libraryGrace(c))));
            }
        }
        return out;
    }

    /** The library's grace period for {@code container}: alone when the Pod's stays, else with it. */
    List<Change> libraryGraceChanges(ContainerModel container) {
        if (graceChanges) {
            return graceChanges();
        }
        return List.of(Change.env(container.name, Setting.GRACE_PERIOD.envName(), Linter.fmt(libraryGrace(container))));
    }

    /**
     * The window, and the grace period too when the Pod's would not hold the new window (classic
     * Istio: not shorter than it; Consul and Kuma: longer than it).
     *
     * @throws IllegalStateException when no rule asks for a new window (a caller's bug)
     */
    List<Change> windowChanges() {
        Window target = window.orElseThrow(() -> new IllegalStateException("no window to suggest for " + w.title()));
        List<Change> out = new ArrayList<>(target.changes());
        ContainerModel first = containers.get(0);
        long g = ceil(first.grace);
        boolean fits = first.mesh.isPresent() ? target.seconds() < g : target.seconds() <= g;
        if (!fits) {
            out.addAll(graceChanges());
        }
        return out;
    }

    /**
     * The window and grace-period changes that {@code changed} (a container with a fix's variables
     * applied) needs where the container as written did not: a fix that turns job mode off adds the
     * propagation delay back to the plan, and must then say what else it takes. What the container
     * as written needs already has its own finding.
     */
    List<Change> changesNeededBy(ContainerModel changed) {
        ContainerModel now = containers.stream().filter(c -> c.name.equals(changed.name)).findFirst().orElse(changed);
        List<Change> out = new ArrayList<>();
        if (window.isPresent() && windowTooShort(changed) && !windowTooShort(now)) {
            out.addAll(windowChanges());
        }
        if (graceChanges && graceTooShort(changed) && !graceTooShort(now)) {
            for (Change c : graceChanges()) {
                if (!out.contains(c)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    private static boolean windowTooShort(ContainerModel m) {
        Optional<Duration> w = m.facts.guaranteedWindow();
        return m.usesLibrary && m.facts.hasOutboundWindow() && w.isPresent() && !m.facts.exitOnZeroActiveConnections()
                && m.neededAfterDeletion(false).compareTo(w.get()) > 0;
    }

    private static boolean graceTooShort(ContainerModel m) {
        return m.usesLibrary && m.preStop.plus(m.planEnd()).plus(m.settings.safetyMargin()).compareTo(m.grace) > 0;
    }

    /** The window every fix that sets it suggests, when one does. */
    Optional<Long> window() {
        return window.map(Window::seconds);
    }

    static long ceil(Duration d) {
        return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
