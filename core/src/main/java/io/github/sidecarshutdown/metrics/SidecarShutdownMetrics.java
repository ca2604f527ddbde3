package io.github.sidecarshutdown.metrics;

import static io.github.sidecarshutdown.metrics.SidecarMetricNames.*;

import io.github.sidecarshutdown.PhaseResult;
import io.github.sidecarshutdown.ShutdownListener;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.TaskResult;
import io.github.sidecarshutdown.envoy.AdminCallListener;
import io.github.sidecarshutdown.envoy.AdminEndpoint;
import io.github.sidecarshutdown.sidecar.SidecarState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Records shutdowns, phases, tasks and admin calls as Micrometer timers, and the sidecar's state as
 * a gauge per state. Register it with the coordinator as a listener and admin-call listener, and
 * bind it to a registry:
 *
 * <pre>{@code
 * SidecarShutdownMetrics metrics = new SidecarShutdownMetrics();
 * ShutdownCoordinator.builder().listener(metrics).adminCallListener(metrics)...;
 * metrics.bindTo(registry);
 * }</pre>
 *
 * Events before {@link #bindTo(MeterRegistry)} are not recorded. Tag values are bounded: phases,
 * outcomes and endpoints are fixed sets, task names are the app's own.
 */
public final class SidecarShutdownMetrics implements MeterBinder, ShutdownListener, AdminCallListener {

    private final Tags tags;
    private final AtomicReference<@Nullable MeterRegistry> registry = new AtomicReference<>();
    private final AtomicReference<SidecarState> state = new AtomicReference<>(SidecarState.UNKNOWN);

    /** Meters without extra tags. */
    public SidecarShutdownMetrics() {
        this(Tags.empty());
    }

    /** Meters with these extra tags. */
    public SidecarShutdownMetrics(Iterable<io.micrometer.core.instrument.Tag> tags) {
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        this.registry.set(registry);
        for (SidecarState s : SidecarState.values()) {
            Gauge.builder(SIDECAR_STATE, state, st -> st.get() == s ? 1 : 0)
                    .tags(tags).tag(TAG_STATE, s.name().toLowerCase(Locale.ROOT))
                    .description("1 for the sidecar's last seen state, 0 for the others")
                    .register(registry);
        }
    }

    private void time(String name, String description, Duration elapsed, String... kv) {
        MeterRegistry r = registry.get();
        if (r == null) {
            return;
        }
        Timer.builder(name).tags(tags).tags(kv).description(description).register(r).record(elapsed);
    }

    @Override
    public void onPhaseCompleted(PhaseResult result) {
        time(PHASE, "Time spent in each shutdown phase", result.elapsed(),
                TAG_PHASE, result.phase().tagValue(), TAG_OUTCOME, result.outcome().tagValue());
    }

    @Override
    public void onTaskCompleted(TaskResult result) {
        time(TASK, "Time spent in each shutdown task", result.elapsed(),
                TAG_PHASE, result.phase().tagValue(), TAG_TASK, result.name(), TAG_OUTCOME, result.outcome().tagValue());
    }

    @Override
    public void onShutdownCompleted(ShutdownReport report) {
        time(SHUTDOWN, "Time from the start of shutdown to the report", report.elapsed(),
                TAG_OUTCOME, report.outcome().tagValue(), TAG_TRIGGER, report.trigger().tagValue());
    }

    @Override
    public void onSidecarState(SidecarState s) {
        state.set(s);
    }

    @Override
    public void onAdminCall(AdminEndpoint endpoint, String outcome, int statusCode, Duration elapsed) {
        time(ADMIN_REQUESTS, "Calls to the Envoy admin API and pilot-agent", elapsed,
                TAG_ENDPOINT, endpoint.tagValue(), TAG_OUTCOME, outcome);
    }
}
