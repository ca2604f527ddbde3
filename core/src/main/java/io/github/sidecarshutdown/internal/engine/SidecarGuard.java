package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.TaskOutcome;
import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Decides, before each network task, whether the sidecar can still carry it and for how long: fails
 * fast when Envoy is gone, caps the task's timeout at what is left of the outbound window, and skips
 * it when less than the minimum is left. The window is {@code terminationDrainDuration} from the
 * moment pilot-agent got SIGTERM; when termination is first seen at shutdown start that moment is
 * the shutdown's start (the kubelet signals both containers at once), otherwise it is taken,
 * conservatively, as the last time the agent was seen ready. A sidecar whose termination cannot be
 * seen ({@link SidecarFacts#terminationVisible()} false: Consul) is taken to have got its SIGTERM
 * with the app, so its window runs from the shutdown's start whatever the probes say; that only
 * ever shortens tasks, never drains or releases anything.
 */
final class SidecarGuard {

    /** The guard's verdict for one attempt. */
    static final class Decision {
        final TaskOutcome refusal; // SUCCEEDED means "go"
        final Duration timeout;
        final @Nullable String reason;

        private Decision(TaskOutcome refusal, Duration timeout, @Nullable String reason) {
            this.refusal = refusal;
            this.timeout = timeout;
            this.reason = reason;
        }

        boolean proceeds() {
            return refusal == TaskOutcome.SUCCEEDED;
        }
    }

    private final Sidecar sidecar;
    private final SidecarFacts facts;
    private final TimeSource time;
    private final Duration probeTimeout;
    private final Duration minimumTaskWindow;
    private final long shutdownStart;
    private final Deadline budget;
    private final Listeners onState;

    private long lastLive;
    private long terminationStart = Long.MIN_VALUE;
    private boolean probed;
    private long lastObservedAt;
    private SidecarState last = SidecarState.UNKNOWN;

    SidecarGuard(Sidecar sidecar, SidecarFacts facts, TimeSource time, Duration probeTimeout, Duration minimumTaskWindow,
            long shutdownStart, Deadline budget, Listeners onState) {
        this.sidecar = sidecar;
        this.facts = facts;
        this.time = time;
        this.probeTimeout = probeTimeout;
        this.minimumTaskWindow = minimumTaskWindow;
        this.shutdownStart = shutdownStart;
        this.lastLive = shutdownStart;
        this.budget = budget;
        this.onState = onState;
        if (!facts.terminationVisible()) {
            terminationStart = shutdownStart;
        }
    }

    /** Probes the sidecar and remembers what it saw. */
    SidecarState observe() {
        return observe(probeTimeout);
    }

    /**
     * Probes with at most {@code limit}, and never past the shutdown's deadline: a slow or hanging
     * admin port must not push the sequence past it (one probe may make two calls).
     */
    synchronized SidecarState observe(Duration limit) {
        if (facts.mode().equals(SidecarMode.NONE)) {
            if (last != SidecarState.ABSENT) {
                onState.sidecarState(SidecarState.ABSENT);
            }
            probed = true;
            last = SidecarState.ABSENT;
            return last;
        }
        Duration t = budget.cap(Durations.min(probeTimeout, limit));
        // No probe can be made in under 1 ms (the HTTP client counts whole milliseconds): what
        // cannot be asked is unknown, and unknown never drains or releases.
        SidecarState s = t.compareTo(Duration.ofMillis(1)) < 0 ? SidecarState.UNKNOWN : sidecar.probe(t);
        long now = time.nanoTime();
        lastObservedAt = now;
        if (s == SidecarState.LIVE) {
            lastLive = now;
        } else if (s == SidecarState.TERMINATING && terminationStart == Long.MIN_VALUE) {
            terminationStart = probed ? lastLive : shutdownStart;
        }
        probed = true;
        if (s != last) {
            onState.sidecarState(s);
        }
        last = s;
        return s;
    }

    /** What the sidecar said about itself when the shutdown began. */
    SidecarFacts facts() {
        return facts;
    }

    synchronized SidecarState last() {
        return last;
    }

    /**
     * Whether this guard's last probe, at most {@code maxAge} ago, saw the sidecar TERMINATING: evidence
     * that may stand for a new probe (docs/sidecar-states.md, "Evidence gathered during cleanup").
     * UNKNOWN, GONE, LIVE, or no probe yet, or an older one: false, and the caller probes.
     */
    synchronized boolean sawTerminatingWithin(Duration maxAge) {
        return probed && last == SidecarState.TERMINATING && time.nanoTime() - lastObservedAt <= maxAge.toNanos();
    }

    /** Time left in the outbound window, if one is running and bounded. */
    synchronized Optional<Duration> windowLeft() {
        if (terminationStart == Long.MIN_VALUE || facts.exitOnZeroActiveConnections()) {
            return Optional.empty();
        }
        Optional<Duration> window = facts.guaranteedWindow();
        return window.isEmpty() ? window : Optional.of(Duration.ofNanos(terminationStart - time.nanoTime()).plus(window.get()));
    }

    /** The verdict for a network task that wants {@code wanted}. */
    Decision check(String task, Duration wanted) {
        SidecarState s = observe(wanted);
        if (facts.mode().equals(SidecarMode.NONE) || s == SidecarState.ABSENT) {
            return new Decision(TaskOutcome.SUCCEEDED, wanted, null);
        }
        if (s == SidecarState.GONE) {
            return new Decision(TaskOutcome.FAILED, wanted, "sidecar gone: " + sidecar.describe()
                    + " refuses connections, so outbound calls through it fail now");
        }
        Optional<Duration> left = windowLeft();
        boolean windowRunning = s == SidecarState.TERMINATING || (!facts.terminationVisible() && s.canForward());
        if (windowRunning && left.isPresent()) {
            Duration l = Durations.nonNegative(left.get());
            if (l.compareTo(minimumTaskWindow) < 0) {
                Duration window = facts.guaranteedWindow().orElseThrow();
                // What the window would need for this task: what of it has passed, plus the task.
                long seconds = Planner.ceilSeconds(window.minus(l).plus(wanted)) + 1;
                String fix = facts.knob().map(k -> "annotate the Pod with " + k.describe(seconds))
                        .orElse("give the sidecar a longer window");
                return new Decision(TaskOutcome.SKIPPED, wanted, "the sidecar's outbound window (" + facts.windowName() + "="
                        + Durations.format(window) + ") ends in " + Durations.format(l) + ", less than minimum-task-window="
                        + Durations.format(minimumTaskWindow) + "; so that cleanup fits, " + fix);
            }
            if (l.compareTo(wanted) < 0) {
                return new Decision(TaskOutcome.SUCCEEDED, l, "timeout capped to " + Durations.format(l)
                        + " by the sidecar's outbound window");
            }
        }
        return new Decision(TaskOutcome.SUCCEEDED, wanted, null);
    }
}
