package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.StartupPolicy;
import io.github.sidecarshutdown.Workload;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The library's settings as Spring properties under {@code sidecar.shutdown}: one property per
 * core {@link io.github.sidecarshutdown.config.Setting}, with the same kebab-case key. The settings a
 * mesh adds (its sidecar's URLs, {@link io.github.sidecarshutdown.sidecar.Meshes#settings()}) are
 * read under their own keys by {@link SidecarShutdownConfigurationSupport#applyMeshProperties}, so a
 * new mesh needs no field here. Spring's
 * relaxed binding also reads the {@code SIDECAR_SHUTDOWN_*} environment variables the plain-Java
 * front end uses, so a Pod manifest works with either. Durations are parsed by the core's parser
 * (so {@code 1m30s} works and a bare number is refused, as in the environment variables); every
 * value is checked by the core when the coordinator is built; a bad one fails startup with a
 * message naming the property as written, where it came from, and the accepted forms.
 */
@ConfigurationProperties("sidecar.shutdown")
public class SidecarShutdownProperties {

    /**
     * Whether the library does anything. When false, shutdown adds no delay and makes no sidecar
     * calls, and readiness is not held back at startup.
     */
    private boolean enabled = true;

    /**
     * Grace period of the Pod (terminationGracePeriodSeconds), which no container can see. The whole
     * sequence runs under grace-period minus safety-margin.
     */
    @DurationSetting(Setting.GRACE_PERIOD)
    private Duration gracePeriod = Duration.ofSeconds(30);

    /** Time kept free at the end of the grace period for the JVM to exit before the kubelet's SIGKILL. */
    @DurationSetting(Setting.SAFETY_MARGIN)
    private Duration safetyMargin = Duration.ofSeconds(2);

    /**
     * Time to keep serving after readiness went off, while endpoints and Envoy clusters forget the
     * Pod. Unset: 5s inside Kubernetes (KUBERNETES_SERVICE_HOST set), 0 elsewhere.
     */
    @DurationSetting(Setting.PROPAGATION_DELAY)
    private @Nullable Duration propagationDelay;

    /** Ends the propagation delay early once no inbound request arrived for this long; 0 turns it off. */
    @DurationSetting(Setting.QUIET_PERIOD)
    private Duration quietPeriod = Duration.ZERO;

    /** Longest wait for in-flight inbound requests once the sidecar drains inbound. */
    @DurationSetting(Setting.DRAIN_TIMEOUT)
    private Duration drainTimeout = Duration.ofSeconds(10);

    /** Cap on the whole cleanup phase. Unset: whatever is left of the deadline. */
    @DurationSetting(Setting.CLEANUP_BUDGET)
    private @Nullable Duration cleanupBudget;

    /** Timeout of a shutdown task that sets none. */
    @DurationSetting(Setting.TASK_TIMEOUT)
    private Duration taskTimeout = Duration.ofSeconds(5);

    /** Shortest outbound window a network task needs: with less left before the sidecar stops forwarding, it is skipped. */
    @DurationSetting(Setting.MINIMUM_TASK_WINDOW)
    private Duration minimumTaskWindow = Duration.ofMillis(250);

    /** Which sidecar runs beside the app; auto finds out from the Envoy admin port. */
    private SidecarMode sidecarMode = SidecarMode.AUTO;

    /** Whether admin-url and agent-url may name a host other than loopback. */
    private boolean allowNonLoopback = false;

    /** Timeout of one Envoy admin or pilot-agent call. */
    @DurationSetting(Setting.ADMIN_TIMEOUT)
    private Duration adminTimeout = Duration.ofSeconds(1);

    /**
     * Whether to tell a classic Istio sidecar to exit (POST /quitquitquit) once the app is done, so
     * the Pod ends with the app instead of at terminationDrainDuration. Never sent in native mode.
     */
    private boolean releaseSidecar = true;

    /** Longest wait for the sidecar at startup; readiness stays off meanwhile. */
    @DurationSetting(Setting.STARTUP_WAIT)
    private Duration startupWait = Duration.ofSeconds(60);

    /**
     * What happens when no sidecar answers at startup: optional goes on (without a sidecar, or after
     * startup-wait), required fails startup once startup-wait ran out.
     */
    private StartupPolicy startupPolicy = StartupPolicy.OPTIONAL;

    /**
     * Downward-API file with the Pod's annotations (proxy.istio.io/config,
     * sidecar.istio.io/status): the sidecar's window before Envoy answers, and native mode. A
     * missing or malformed file logs one line and leaves the defaults.
     */
    private String annotationsFile = "/etc/podinfo/annotations";

    /**
     * What the Pod is: service, or job (a Job's or CronJob's Pod: the app's exit is the Pod's end,
     * so a classic sidecar is released when the app is done, even though it is not terminating).
     * auto reads the Pod's labels (labels-file): a job-name or batch.kubernetes.io/job-name label
     * makes it a job.
     */
    private Workload workload = Workload.AUTO;

    /** Downward-API file with the Pod's labels, read when workload is auto. */
    private String labelsFile = "/etc/podinfo/labels";

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getGracePeriod() {
        return gracePeriod;
    }

    public void setGracePeriod(Duration gracePeriod) {
        this.gracePeriod = gracePeriod;
    }

    public Duration getSafetyMargin() {
        return safetyMargin;
    }

    public void setSafetyMargin(Duration safetyMargin) {
        this.safetyMargin = safetyMargin;
    }

    public @Nullable Duration getPropagationDelay() {
        return propagationDelay;
    }

    public void setPropagationDelay(@Nullable Duration propagationDelay) {
        this.propagationDelay = propagationDelay;
    }

    public Duration getQuietPeriod() {
        return quietPeriod;
    }

    public void setQuietPeriod(Duration quietPeriod) {
        this.quietPeriod = quietPeriod;
    }

    public Duration getDrainTimeout() {
        return drainTimeout;
    }

    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    public @Nullable Duration getCleanupBudget() {
        return cleanupBudget;
    }

    public void setCleanupBudget(@Nullable Duration cleanupBudget) {
        this.cleanupBudget = cleanupBudget;
    }

    public Duration getTaskTimeout() {
        return taskTimeout;
    }

    public void setTaskTimeout(Duration taskTimeout) {
        this.taskTimeout = taskTimeout;
    }

    public Duration getMinimumTaskWindow() {
        return minimumTaskWindow;
    }

    public void setMinimumTaskWindow(Duration minimumTaskWindow) {
        this.minimumTaskWindow = minimumTaskWindow;
    }

    public SidecarMode getSidecarMode() {
        return sidecarMode;
    }

    public void setSidecarMode(SidecarMode sidecarMode) {
        this.sidecarMode = sidecarMode;
    }

    public boolean isAllowNonLoopback() {
        return allowNonLoopback;
    }

    public void setAllowNonLoopback(boolean allowNonLoopback) {
        this.allowNonLoopback = allowNonLoopback;
    }

    public Duration getAdminTimeout() {
        return adminTimeout;
    }

    public void setAdminTimeout(Duration adminTimeout) {
        this.adminTimeout = adminTimeout;
    }

    public boolean isReleaseSidecar() {
        return releaseSidecar;
    }

    public void setReleaseSidecar(boolean releaseSidecar) {
        this.releaseSidecar = releaseSidecar;
    }

    public Duration getStartupWait() {
        return startupWait;
    }

    public void setStartupWait(Duration startupWait) {
        this.startupWait = startupWait;
    }

    public StartupPolicy getStartupPolicy() {
        return startupPolicy;
    }

    public void setStartupPolicy(StartupPolicy startupPolicy) {
        this.startupPolicy = startupPolicy;
    }

    public String getAnnotationsFile() {
        return annotationsFile;
    }

    public void setAnnotationsFile(String annotationsFile) {
        this.annotationsFile = annotationsFile;
    }

    public Workload getWorkload() {
        return workload;
    }

    public void setWorkload(Workload workload) {
        this.workload = workload;
    }

    public String getLabelsFile() {
        return labelsFile;
    }

    public void setLabelsFile(String labelsFile) {
        this.labelsFile = labelsFile;
    }
}
