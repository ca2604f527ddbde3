package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.Optional;

/**
 * The coordinator's configuration, validated and immutable. Only {@link ShutdownCoordinatorBuilder}
 * makes one (the constructor is not API: a new setting adds an accessor, never breaks a caller);
 * each accessor is one {@link io.github.sidecarshutdown.config.Setting}.
 */
public final class ShutdownSettings {

    private final boolean enabled;
    private final Duration gracePeriod;
    private final Duration safetyMargin;
    private final Duration propagationDelay;
    private final Duration quietPeriod;
    private final Duration drainTimeout;
    private final Optional<Duration> cleanupBudget;
    private final Duration taskTimeout;
    private final Duration minimumTaskWindow;
    private final SidecarMode sidecarMode;
    private final boolean allowNonLoopback;
    private final Duration adminTimeout;
    private final boolean releaseSidecar;
    private final Duration startupWait;
    private final StartupPolicy startupPolicy;
    private final Path annotationsFile;
    private final Workload workload;
    private final Path labelsFile;
    /** Every mesh setting's value (its default when not set): a {@link URI} or a {@link Duration}. */
    private final Map<MeshSetting, Object> mesh;
    private final Set<MeshSetting> meshSet;
    /** Presentation only, not part of equality: how to name a setting to this user. */
    private final Map<String, String> names;
    private final boolean properties;

    ShutdownSettings(boolean enabled, Duration gracePeriod, Duration safetyMargin, Duration propagationDelay,
            Duration quietPeriod, Duration drainTimeout, Optional<Duration> cleanupBudget, Duration taskTimeout,
            Duration minimumTaskWindow, SidecarMode sidecarMode,
            boolean allowNonLoopback, Duration adminTimeout, boolean releaseSidecar,
            Duration startupWait, StartupPolicy startupPolicy,
            Path annotationsFile, Workload workload, Path labelsFile, Map<MeshSetting, Object> mesh, Set<MeshSetting> meshSet) {
        this(enabled, gracePeriod, safetyMargin, propagationDelay, quietPeriod, drainTimeout, cleanupBudget, taskTimeout,
                minimumTaskWindow, sidecarMode, allowNonLoopback, adminTimeout, releaseSidecar, startupWait, startupPolicy,
                annotationsFile, workload, labelsFile, mesh, meshSet, Map.of(), false);
    }

    /**
     * @param names      how the user named each setting they set (a variable, a property or a builder method), by key
     * @param properties whether the settings came from Spring properties: then a setting the user did not set is
     *                   named as a property, else as an environment variable
     */
    ShutdownSettings(boolean enabled, Duration gracePeriod, Duration safetyMargin, Duration propagationDelay,
            Duration quietPeriod, Duration drainTimeout, Optional<Duration> cleanupBudget, Duration taskTimeout,
            Duration minimumTaskWindow, SidecarMode sidecarMode,
            boolean allowNonLoopback, Duration adminTimeout, boolean releaseSidecar,
            Duration startupWait, StartupPolicy startupPolicy,
            Path annotationsFile, Workload workload, Path labelsFile, Map<MeshSetting, Object> mesh, Set<MeshSetting> meshSet,
            Map<String, String> names, boolean properties) {
        this.names = Map.copyOf(names);
        this.properties = properties;
        this.enabled = enabled;
        this.gracePeriod = Objects.requireNonNull(gracePeriod, "gracePeriod");
        this.safetyMargin = Objects.requireNonNull(safetyMargin, "safetyMargin");
        this.propagationDelay = Objects.requireNonNull(propagationDelay, "propagationDelay");
        this.quietPeriod = Objects.requireNonNull(quietPeriod, "quietPeriod");
        this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
        this.cleanupBudget = Objects.requireNonNull(cleanupBudget, "cleanupBudget");
        this.taskTimeout = Objects.requireNonNull(taskTimeout, "taskTimeout");
        this.minimumTaskWindow = Objects.requireNonNull(minimumTaskWindow, "minimumTaskWindow");
        this.sidecarMode = Objects.requireNonNull(sidecarMode, "sidecarMode");
        this.allowNonLoopback = allowNonLoopback;
        this.adminTimeout = Objects.requireNonNull(adminTimeout, "adminTimeout");
        this.releaseSidecar = releaseSidecar;
        this.startupWait = Objects.requireNonNull(startupWait, "startupWait");
        this.startupPolicy = Objects.requireNonNull(startupPolicy, "startupPolicy");
        this.annotationsFile = Objects.requireNonNull(annotationsFile, "annotationsFile");
        this.workload = Objects.requireNonNull(workload, "workload");
        this.labelsFile = Objects.requireNonNull(labelsFile, "labelsFile");
        this.mesh = Map.copyOf(mesh);
        this.meshSet = Set.copyOf(meshSet);
    }

    /** Whether the library does anything. */
    public boolean enabled() {
        return enabled;
    }

    /** The Pod's {@code terminationGracePeriodSeconds}. */
    public Duration gracePeriod() {
        return gracePeriod;
    }

    /** Left free before the kubelet's SIGKILL. */
    public Duration safetyMargin() {
        return safetyMargin;
    }

    /** Time to keep serving after readiness went off. */
    public Duration propagationDelay() {
        return propagationDelay;
    }

    /** Ends the delay after this long without a request; zero = off. */
    public Duration quietPeriod() {
        return quietPeriod;
    }

    /** Longest wait for in-flight requests. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /** Cap on the cleanup phase; empty = what is left. */
    public Optional<Duration> cleanupBudget() {
        return cleanupBudget;
    }

    /** Timeout of a task that sets none. */
    public Duration taskTimeout() {
        return taskTimeout;
    }

    /** A network task with less window left is skipped. */
    public Duration minimumTaskWindow() {
        return minimumTaskWindow;
    }

    /** Which sidecar. */
    public SidecarMode sidecarMode() {
        return sidecarMode;
    }

    /** Whether admin and agent may be off loopback. */
    public boolean allowNonLoopback() {
        return allowNonLoopback;
    }

    /** Timeout of one admin or agent call. */
    public Duration adminTimeout() {
        return adminTimeout;
    }

    /** Whether to release the sidecar when done. */
    public boolean releaseSidecar() {
        return releaseSidecar;
    }

    /** Longest wait for the sidecar at startup. */
    public Duration startupWait() {
        return startupWait;
    }

    /** What happens when no sidecar answers at startup. */
    public StartupPolicy startupPolicy() {
        return startupPolicy;
    }

    /** The downward-API annotations file. */
    public Path annotationsFile() {
        return annotationsFile;
    }

    /**
     * The workload: as configured in {@link ShutdownCoordinatorBuilder#settings()}; in a built
     * coordinator's settings, resolved from the Pod's labels, so never {@link Workload#AUTO}.
     */
    public Workload workload() {
        return workload;
    }

    /** The downward-API labels file. */
    public Path labelsFile() {
        return labelsFile;
    }

    /**
     * The value of a mesh's URL setting (its default when not set).
     *
     * @throws IllegalArgumentException for a setting that is not a URL or that no registered mesh declares
     */
    public URI url(MeshSetting setting) {
        Object v = mesh.get(setting);
        if (!(v instanceof URI)) {
            throw new IllegalArgumentException("setting: " + setting.key() + " (expected: a URL setting of a registered mesh)");
        }
        return (URI) v;
    }

    /**
     * The value of a mesh's duration setting (its default when not set).
     *
     * @throws IllegalArgumentException for a setting that is not a duration or that no registered mesh declares
     */
    public Duration duration(MeshSetting setting) {
        Object v = mesh.get(setting);
        if (!(v instanceof Duration)) {
            throw new IllegalArgumentException("setting: " + setting.key() + " (expected: a duration setting of a registered mesh)");
        }
        return (Duration) v;
    }

    /** Whether the user set this mesh setting (then, for instance, a port in the Pod's annotations does not replace it). */
    public boolean isSet(MeshSetting setting) {
        return meshSet.contains(setting);
    }

    /**
     * The setting as this user would write it, for messages and logs: the variable, property or
     * builder method they set it with; a setting they did not set is named as a Spring property when
     * the settings came from Spring, else as its environment variable.
     */
    public String nameOf(io.github.sidecarshutdown.config.SettingKey setting) {
        String n = names.get(setting.key());
        return n != null ? n : properties ? setting.propertyName() : setting.envName();
    }

    /** The whole shutdown's budget: grace period minus safety margin. */
    public Duration budget() {
        return Durations.nonNegative(gracePeriod.minus(safetyMargin));
    }

    private List<Object> values() {
        return List.of(enabled, gracePeriod, safetyMargin, propagationDelay, quietPeriod, drainTimeout, cleanupBudget, taskTimeout,
                minimumTaskWindow, sidecarMode, allowNonLoopback, adminTimeout, releaseSidecar, startupWait, startupPolicy,
                annotationsFile, workload, labelsFile, mesh, meshSet);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShutdownSettings other && values().equals(other.values());
    }

    @Override
    public int hashCode() {
        return values().hashCode();
    }

    @Override
    public String toString() {
        return "ShutdownSettings{"
                + "enabled=" + enabled
                + ", gracePeriod=" + gracePeriod
                + ", safetyMargin=" + safetyMargin
                + ", propagationDelay=" + propagationDelay
                + ", quietPeriod=" + quietPeriod
                + ", drainTimeout=" + drainTimeout
                + ", cleanupBudget=" + cleanupBudget
                + ", taskTimeout=" + taskTimeout
                + ", minimumTaskWindow=" + minimumTaskWindow
                + ", sidecarMode=" + sidecarMode
                + ", allowNonLoopback=" + allowNonLoopback
                + ", adminTimeout=" + adminTimeout
                + ", releaseSidecar=" + releaseSidecar
                + ", startupWait=" + startupWait
                + ", startupPolicy=" + startupPolicy
                + ", annotationsFile=" + annotationsFile
                + ", workload=" + workload
                + ", labelsFile=" + labelsFile
                + ", mesh=" + mesh
                + "}";
    }
}
