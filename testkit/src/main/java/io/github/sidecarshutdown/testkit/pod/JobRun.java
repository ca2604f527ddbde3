package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * What happened to a Job Pod whose application container ran to completion by itself: returned by
 * {@link PodSimulator#awaitJobCompletion(Duration)}.
 *
 * <p>With {@code restartPolicy: OnFailure} ({@link PodSimulatorBuilder#restartPolicy(RestartPolicy)})
 * a container may have run several times in the Pod: {@link #appRuns()} and {@link #sidecarRuns()}
 * list every run with its exit code, {@link #app()} and {@link #sidecar()} are the last runs.
 *
 * <p>Times are relative to the start of the observation ({@link #observedAt()}, the call of
 * {@code awaitJobCompletion}). The Pod completes when every container has exited: the application
 * and the sidecar (a native sidecar is stopped by the kubelet after the application exited; its
 * exit code does not count towards the phase); the ambient ztunnel stand-in is no container and
 * counts for neither.
 * If the Pod has not completed when the observation bound runs out, its phase is
 * {@link PodPhase#RUNNING} and the simulator then kills what is left (those containers show
 * {@link ContainerTermination#killedAtGrace()} and exit code 137), so nothing leaks.
 */
public final class JobRun {

    private final Instant observedAt;
    private final SidecarKind sidecarKind;
    private final Duration observationBound;
    private final PodPhase phase;
    private final List<ContainerTermination> appRuns;
    private final ContainerTermination app;
    private final boolean appExitedByItself;
    private final List<ContainerTermination> sidecarRuns;
    private final @Nullable ContainerTermination sidecar;
    private final boolean backoffLimitReached;
    private final @Nullable Duration completedAt;
    private final InboundLoadResult inbound;
    private final List<TimelineEvent> timeline;

    JobRun(Instant observedAt, SidecarKind sidecarKind, Duration observationBound, PodPhase phase,
            List<ContainerTermination> appRuns, boolean appExitedByItself, List<ContainerTermination> sidecarRuns,
            boolean backoffLimitReached, @Nullable Duration completedAt, InboundLoadResult inbound,
            List<TimelineEvent> timeline) {
        this.observedAt = requireNonNull(observedAt, "observedAt");
        this.sidecarKind = requireNonNull(sidecarKind, "sidecarKind");
        this.observationBound = requireNonNull(observationBound, "observationBound");
        this.phase = requireNonNull(phase, "phase");
        this.appRuns = List.copyOf(appRuns);
        if (this.appRuns.isEmpty()) {
            throw new IllegalArgumentException("appRuns: [] (expected: at least the app's first run)");
        }
        this.app = this.appRuns.get(this.appRuns.size() - 1);
        this.appExitedByItself = appExitedByItself;
        this.sidecarRuns = List.copyOf(sidecarRuns);
        this.sidecar = this.sidecarRuns.isEmpty() ? null : this.sidecarRuns.get(this.sidecarRuns.size() - 1);
        this.backoffLimitReached = backoffLimitReached;
        this.completedAt = completedAt;
        this.inbound = requireNonNull(inbound, "inbound");
        List<TimelineEvent> sorted = new ArrayList<>(timeline);
        sorted.sort(Comparator.comparing(TimelineEvent::sinceDeletion));
        this.timeline = List.copyOf(sorted);
    }

    /**
     * Returns when the observation started: time zero of every relative time in this result.
     *
     * @return the instant {@code awaitJobCompletion} was called
     */
    public Instant observedAt() {
        return observedAt;
    }

    /**
     * Returns how the kubelet treated the sidecar.
     *
     * @return the sidecar kind
     */
    public SidecarKind sidecarKind() {
        return sidecarKind;
    }

    /**
     * Returns how long the simulator waited for the Pod to complete.
     *
     * @return the observation bound
     */
    public Duration observationBound() {
        return observationBound;
    }

    /**
     * Returns the Pod's phase: {@link PodPhase#RUNNING} if it did not complete within the bound.
     *
     * @return the phase
     */
    public PodPhase phase() {
        return phase;
    }

    /**
     * Returns whether the Pod completed (every container that counts exited) within the bound.
     *
     * @return {@code phase() != RUNNING}
     */
    public boolean completed() {
        return phase != PodPhase.RUNNING;
    }

    /**
     * Returns how the application container's last run ended. If it did not exit by itself within
     * the bound, this is its end by the simulator's SIGKILL (see {@link #appExitCode()}).
     *
     * @return the application's termination
     */
    public ContainerTermination app() {
        return app;
    }

    /**
     * Returns every run of the application container in this Pod, first first: one without a
     * restart in place, one more per restart.
     *
     * @return the runs; the last is {@link #app()}
     */
    public List<ContainerTermination> appRuns() {
        return appRuns;
    }

    /**
     * Returns the exit code of each run of the application container, first first.
     *
     * @return e.g. {@code [1, 0]} for a Job that failed once and succeeded when restarted
     */
    public List<Integer> appExitCodes() {
        return appRuns.stream().map(ContainerTermination::exitCode).toList();
    }

    /**
     * Returns how many times the application container was restarted in place.
     *
     * @return {@code appRuns().size() - 1}
     */
    public int appRestarts() {
        return appRuns.size() - 1;
    }

    /**
     * Returns every run of the sidecar container, first first.
     *
     * @return the runs, empty for {@link SidecarKind#NONE}; the last is {@link #sidecar()}
     */
    public List<ContainerTermination> sidecarRuns() {
        return sidecarRuns;
    }

    /**
     * Returns whether the application failed once more after its last allowed restart (the Job's
     * {@code backoffLimit}): the Job has failed, and the simulator deleted the Pod as the Job
     * controller does.
     *
     * @return whether the back-off limit was reached
     */
    public boolean backoffLimitReached() {
        return backoffLimitReached;
    }

    /**
     * Returns the application's own exit code, when it exited by itself within the bound.
     *
     * @return the exit code, empty if the simulator had to kill it
     */
    public OptionalInt appExitCode() {
        return appExitedByItself ? OptionalInt.of(app.exitCode()) : OptionalInt.empty();
    }

    /**
     * Returns when the application exited by itself, relative to {@link #observedAt()}.
     *
     * @return the exit time, empty if the simulator had to kill it
     */
    public Optional<Duration> appExitedAt() {
        return appExitedByItself ? Optional.of(app.exitedAt()) : Optional.empty();
    }

    /**
     * Returns how the sidecar process ended (by itself, by the kubelet's SIGTERM for a native
     * sidecar, or by the simulator's SIGKILL at the bound).
     *
     * @return the sidecar's termination, empty for {@link SidecarKind#NONE}
     */
    public Optional<ContainerTermination> sidecar() {
        return Optional.ofNullable(sidecar);
    }

    /**
     * Returns when the Pod completed, relative to {@link #observedAt()}.
     *
     * @return the completion time, empty when the phase is {@link PodPhase#RUNNING}
     */
    public Optional<Duration> completedAt() {
        return Optional.ofNullable(completedAt);
    }

    /**
     * Returns the wall-clock time the Pod completed.
     *
     * @return the instant, empty when the phase is {@link PodPhase#RUNNING}
     */
    public Optional<Instant> completionTime() {
        return completedAt().map(observedAt::plus);
    }

    /**
     * Returns how long the Pod lived on after the application exited: the cost of the sidecar's
     * release (or of the kubelet stopping a native sidecar).
     *
     * @return the gap, empty when the Pod did not complete
     */
    public Optional<Duration> completionGap() {
        return completedAt == null ? Optional.empty() : Optional.of(completedAt.minus(app.exitedAt()));
    }

    /**
     * Returns the inbound load's outcomes, if a load ran.
     *
     * @return the result, empty without load
     */
    public InboundLoadResult inbound() {
        return inbound;
    }

    /**
     * Returns every event, ordered by time relative to {@link #observedAt()}.
     *
     * @return the merged timeline
     */
    public List<TimelineEvent> timeline() {
        return timeline;
    }

    /**
     * Returns every captured line of the containers (every run), ordered by time.
     *
     * @return the lines
     */
    public List<OutputLine> lines() {
        List<OutputLine> all = new ArrayList<>();
        appRuns.forEach(run -> all.addAll(run.lines()));
        sidecarRuns.forEach(run -> all.addAll(run.lines()));
        all.sort(Comparator.comparing(OutputLine::time));
        return List.copyOf(all);
    }

    /**
     * Returns the first marker output line of a container containing {@code text}.
     *
     * @param container the container name
     * @param text the text to look for
     * @return the event, if any
     */
    public Optional<TimelineEvent> firstOutput(String container, String text) {
        requireNonNull(container, "container");
        requireNonNull(text, "text");
        return timeline.stream()
                .filter(e -> e.source().equals(container) && e.kind() == TimelineEvent.Kind.OUTPUT
                        && e.detail().contains(text))
                .findFirst();
    }

    /**
     * Renders the timeline and a summary (phase, app exit code, completion, gap) as text.
     *
     * @return the multi-line text
     */
    public String toTimelineText() {
        int width = Math.max(TimelineEvent.LOAD.length(), Math.max(app.name().length(),
                sidecar == null ? 0 : sidecar.name().length()));
        StringBuilder text = new StringBuilder();
        text.append("Job Pod: sidecar ").append(sidecarKind).append(", observed for ")
                .append(observationBound.toMillis()).append(" ms from ").append(observedAt).append('\n');
        for (TimelineEvent event : timeline) {
            text.append(String.format(Locale.ROOT, "%9d ms  %-" + width + "s  %-13s  %s\n",
                    event.ms(), event.source(), event.kind(), event.detail()));
        }
        return text.append(this).append('\n').toString();
    }

    /** One line: phase, app exit code, completion and gap. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("JobRun{phase=").append(phase).append(", app=");
        if (appExitedByItself) {
            text.append("exit ").append(app.exitCode()).append(" at ").append(app.exitedAtMs()).append(" ms");
        } else {
            text.append("still running, killed");
        }
        if (appRuns.size() > 1) {
            text.append(", ").append(appRuns.size() - 1).append(" restart(s), exit codes ").append(appExitCodes());
        }
        if (backoffLimitReached) {
            text.append(", backoffLimit reached");
        }
        if (completedAt != null) {
            text.append(", completed at ").append(completedAt.toMillis()).append(" ms, gap ")
                    .append(completedAt.minus(app.exitedAt()).toMillis()).append(" ms");
        } else {
            text.append(", not completed within ").append(observationBound.toMillis()).append(" ms");
        }
        return text.append('}').toString();
    }
}
