package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What happened when the simulated Pod was deleted: per container exit code and times, whether
 * the kubelet had to kill, the inbound load's outcomes, all captured output and a merged
 * timeline with times relative to the deletion.
 *
 * <p>{@link #toTimelineText()} renders the timeline for test logs and reports.
 */
public final class PodTermination {

    private final Instant deletedAt;
    private final SidecarKind sidecarKind;
    private final Duration terminationGracePeriod;
    private final List<ContainerTermination> appRuns;
    private final ContainerTermination app;
    private final List<ContainerTermination> sidecarRuns;
    private final @Nullable ContainerTermination sidecar;
    private final InboundLoadResult inbound;
    private final List<TimelineEvent> timeline;

    PodTermination(Instant deletedAt, SidecarKind sidecarKind, Duration terminationGracePeriod,
            ContainerTermination app, @Nullable ContainerTermination sidecar,
            InboundLoadResult inbound, List<TimelineEvent> timeline) {
        this(deletedAt, sidecarKind, terminationGracePeriod, List.of(requireNonNull(app, "app")),
                sidecar == null ? List.of() : List.of(sidecar), inbound, timeline);
    }

    PodTermination(Instant deletedAt, SidecarKind sidecarKind, Duration terminationGracePeriod,
            List<ContainerTermination> appRuns, List<ContainerTermination> sidecarRuns,
            InboundLoadResult inbound, List<TimelineEvent> timeline) {
        this.deletedAt = requireNonNull(deletedAt, "deletedAt");
        this.sidecarKind = requireNonNull(sidecarKind, "sidecarKind");
        this.terminationGracePeriod = requireNonNull(terminationGracePeriod, "terminationGracePeriod");
        this.appRuns = List.copyOf(appRuns);
        if (this.appRuns.isEmpty()) {
            throw new IllegalArgumentException("appRuns: [] (expected: at least the app's first run)");
        }
        this.app = this.appRuns.get(this.appRuns.size() - 1);
        this.sidecarRuns = List.copyOf(sidecarRuns);
        this.sidecar = this.sidecarRuns.isEmpty() ? null : this.sidecarRuns.get(this.sidecarRuns.size() - 1);
        this.inbound = requireNonNull(inbound, "inbound");
        List<TimelineEvent> sorted = new ArrayList<>(timeline);
        sorted.sort(Comparator.comparing(TimelineEvent::sinceDeletion));
        this.timeline = List.copyOf(sorted);
    }

    /**
     * Returns when the Pod was deleted: time zero of every relative time in this result.
     *
     * @return the deletion instant
     */
    public Instant deletedAt() {
        return deletedAt;
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
     * Returns the grace period after which the simulator killed what was left.
     *
     * @return the grace period
     */
    public Duration terminationGracePeriod() {
        return terminationGracePeriod;
    }

    /**
     * Returns how the application container ended (its last run, after restarts in place).
     *
     * @return the application's termination
     */
    public ContainerTermination app() {
        return app;
    }

    /**
     * Returns every run of the application container before and at the deletion, first first:
     * more than one only with a {@link PodSimulatorBuilder#restartPolicy(RestartPolicy)} that restarted
     * it while the Pod ran.
     *
     * @return the runs; the last is {@link #app()}
     */
    public List<ContainerTermination> appRuns() {
        return appRuns;
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
     * Returns how the sidecar container ended.
     *
     * @return the sidecar's termination, empty for {@link SidecarKind#NONE}
     */
    public Optional<ContainerTermination> sidecar() {
        return Optional.ofNullable(sidecar);
    }

    /**
     * Returns both containers, sidecar first.
     *
     * @return one or two terminations
     */
    public List<ContainerTermination> containers() {
        return sidecar == null ? List.of(app) : List.of(sidecar, app);
    }

    /**
     * Returns the inbound load's outcomes.
     *
     * @return the result, empty when the Pod ran without load
     */
    public InboundLoadResult inbound() {
        return inbound;
    }

    /**
     * Returns every event, ordered by time: containers started and ready, load started, Pod
     * deleted, preStop, SIGTERM, marker output lines, SIGKILL, exits, load stopped.
     *
     * @return the merged timeline
     */
    public List<TimelineEvent> timeline() {
        return timeline;
    }

    /**
     * Returns every captured line of both containers (every run), ordered by time.
     *
     * @return the lines
     */
    public List<OutputLine> lines() {
        List<OutputLine> all = new ArrayList<>();
        appRuns.forEach(c -> all.addAll(c.lines()));
        sidecarRuns.forEach(c -> all.addAll(c.lines()));
        all.sort(Comparator.comparing(OutputLine::time));
        return List.copyOf(all);
    }

    /**
     * Returns when the Pod ended: the later exit of the two containers (the application's exit
     * for {@link SidecarKind#AMBIENT}, whose stand-in is no container).
     *
     * @return the end, relative to the deletion
     */
    public Duration podEnd() {
        // The ambient stand-in is ztunnel, not a container of the Pod: the Pod ends with its app.
        return sidecar == null || sidecarKind == SidecarKind.AMBIENT || app.exitedAt().compareTo(sidecar.exitedAt()) >= 0
                ? app.exitedAt() : sidecar.exitedAt();
    }

    /**
     * Returns {@link #podEnd()} in whole milliseconds.
     *
     * @return milliseconds from the deletion until both containers had exited
     */
    public long podEndMs() {
        return podEnd().toMillis();
    }

    /**
     * Returns the time of an instant relative to the deletion.
     *
     * @param instant e.g. {@link OutputLine#time()}
     * @return the duration since the deletion, negative before it
     */
    public Duration sinceDeletion(Instant instant) {
        return Duration.between(deletedAt, requireNonNull(instant, "instant"));
    }

    /**
     * Returns the first event of a kind from a source.
     *
     * @param source a container name, {@link TimelineEvent#POD} or {@link TimelineEvent#LOAD}
     * @param kind the kind
     * @return the event, if any
     */
    public Optional<TimelineEvent> firstEvent(String source, TimelineEvent.Kind kind) {
        requireNonNull(source, "source");
        requireNonNull(kind, "kind");
        return timeline.stream()
                .filter(e -> e.source().equals(source) && e.kind() == kind)
                .findFirst();
    }

    /**
     * Returns the first marker output line of a container containing {@code text}.
     *
     * @param container the container name
     * @param text the text to look for, e.g. {@code "SIDECAR_EMULATOR_EVENT sigterm"}
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
     * Renders the timeline and a summary as text, one event a line, e.g.
     * <pre>
     * Pod termination: sidecar CLASSIC, grace period 30000 ms, deleted at 2026-01-01T10:00:00Z
     *      -812 ms  istio-proxy  STARTED       pid 4242
     *         0 ms  pod          DELETED       CLASSIC
     *         0 ms  app          SIGTERM       pid 4250
     *      1043 ms  app          EXITED        exit code 143
     * istio-proxy: exit code 143 at 5012 ms
     * app: exit code 143 at 1043 ms
     * Pod ended at 5012 ms
     * </pre>
     *
     * @return the multi-line text
     */
    public String toTimelineText() {
        int width = Math.max(TimelineEvent.LOAD.length(), containers().stream()
                .mapToInt(c -> c.name().length()).max().orElse(3));
        StringBuilder text = new StringBuilder();
        text.append("Pod termination: sidecar ").append(sidecarKind)
                .append(", grace period ").append(terminationGracePeriod.toMillis()).append(" ms")
                .append(", deleted at ").append(deletedAt).append('\n');
        for (TimelineEvent event : timeline) {
            text.append(String.format(Locale.ROOT, "%9d ms  %-" + width + "s  %-12s  %s\n",
                    event.ms(), event.source(), event.kind(), event.detail()));
        }
        for (ContainerTermination container : containers()) {
            text.append(container.name()).append(": exit code ").append(container.exitCode())
                    .append(" at ").append(container.exitedAtMs()).append(" ms");
            if (container.killedAtGrace()) {
                text.append(" (killed at the grace period)");
            }
            text.append('\n');
        }
        if (inbound.total() > 0) {
            text.append("Inbound: ").append(inbound.summary()).append('\n');
        }
        text.append("Pod ended at ").append(podEndMs()).append(" ms\n");
        return text.toString();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("PodTermination{sidecarKind=").append(sidecarKind);
        for (ContainerTermination container : containers()) {
            text.append(", ").append(container.name()).append("=exit ").append(container.exitCode())
                    .append(" at ").append(container.exitedAtMs()).append(" ms")
                    .append(container.killedAtGrace() ? " (killed)" : "");
        }
        if (inbound.total() > 0) {
            text.append(", inbound=").append(inbound.summary());
        }
        return text.append(", podEnd=").append(podEndMs()).append(" ms}").toString();
    }
}
