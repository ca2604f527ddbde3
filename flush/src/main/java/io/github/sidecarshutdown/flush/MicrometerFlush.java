package io.github.sidecarshutdown.flush;

import static java.util.Objects.requireNonNull;

import io.github.sidecarshutdown.ShutdownTask;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.push.PushMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Closes Micrometer push registries as cleanup tasks: {@link PushMeterRegistry#close()} stops the
 * registry's schedule and publishes one last time (or waits for the publish in progress), so the
 * last step's values leave while the sidecar still forwards.
 *
 * <pre>{@code
 * MicrometerFlush.tasks(List.of(influxRegistry, otlpRegistry)).forEach(builder::task);   // one task each, in order
 * }</pre>
 *
 * <p>One task per registry, so a registry whose backend hangs is cut at its own timeout and the
 * next one still gets its turn, and each has its own outcome. Register them after the app's own
 * cleanup tasks: what is recorded after a registry closed is not published.
 *
 * <p><b>Outcome.</b> {@code succeeded} when {@code close()} returned, {@code timed_out} when it had
 * not returned at the task's timeout. A push registry logs a publish that failed and returns
 * normally: the registry's log, not this outcome, says whether the backend accepted it.
 */
public final class MicrometerFlush {

    /** Prefix of the tasks' names: {@code micrometer-influx} for an {@code InfluxMeterRegistry}. */
    public static final String TASK_NAME_PREFIX = "micrometer-";

    private MicrometerFlush() {
    }

    /**
     * A cleanup task that closes {@code registry}, with the coordinator's {@code task-timeout}.
     *
     * @param registry a push registry
     * @return the task, named after the registry's class ({@code micrometer-influx})
     */
    public static ShutdownTask task(PushMeterRegistry registry) {
        return build(requireNonNull(registry, "registry"), nameOf(registry), null);
    }

    /**
     * As {@link #task(PushMeterRegistry)}, with the task's own timeout.
     *
     * @param registry a push registry
     * @param timeout  the task's timeout; whole milliseconds, at least 1 ms
     * @return the task, named after the registry's class
     */
    public static ShutdownTask task(PushMeterRegistry registry, Duration timeout) {
        return build(requireNonNull(registry, "registry"), nameOf(registry), FlushTasks.timeout(timeout));
    }

    /**
     * One cleanup task per push registry among {@code registries}, in their order, looking inside
     * composite registries (such as {@code Metrics.globalRegistry}); registries that do not push
     * (Prometheus, simple) are left alone, and a registry reached twice is closed once. Names are
     * made unique with a suffix ({@code micrometer-influx-2}).
     *
     * @param registries the app's registries
     * @return the tasks, possibly none
     */
    public static List<ShutdownTask> tasks(Iterable<? extends MeterRegistry> registries) {
        requireNonNull(registries, "registries");
        List<PushMeterRegistry> found = new ArrayList<>();
        Set<MeterRegistry> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (MeterRegistry r : registries) {
            collect(requireNonNull(r, "registry"), found, seen);
        }
        List<ShutdownTask> tasks = new ArrayList<>(found.size());
        Set<String> names = new HashSet<>();
        for (PushMeterRegistry r : found) {
            String base = nameOf(r);
            String name = base;
            for (int i = 2; !names.add(name); i++) {
                name = base + "-" + i;
            }
            tasks.add(build(r, name, null));
        }
        return List.copyOf(tasks);
    }

    private static void collect(MeterRegistry registry, List<PushMeterRegistry> found, Set<MeterRegistry> seen) {
        if (!seen.add(registry)) {
            return;
        }
        if (registry instanceof PushMeterRegistry push) {
            found.add(push);
        } else if (registry instanceof CompositeMeterRegistry composite) {
            for (MeterRegistry child : composite.getRegistries()) {
                collect(child, found, seen);
            }
        }
    }

    private static ShutdownTask build(PushMeterRegistry registry, String name, @Nullable Duration timeout) {
        return FlushTasks.cleanup(name, timeout, ctx -> {
            if (!registry.isClosed()) {
                registry.close();
            }
        });
    }

    /** {@code InfluxMeterRegistry} gives {@code micrometer-influx}; an anonymous class {@code micrometer-push}. */
    static String nameOf(PushMeterRegistry registry) {
        String simple = registry.getClass().getSimpleName().replace("MeterRegistry", "").replace("Registry", "");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < simple.length(); i++) {
            char c = simple.charAt(i);
            if (Character.isUpperCase(c) && sb.length() > 0 && !Character.isUpperCase(simple.charAt(i - 1))) {
                sb.append('-');
            }
            if (Character.isLetterOrDigit(c) && c < 128) {
                sb.append(Character.toLowerCase(c));
            }
        }
        String kebab = sb.length() == 0 ? "push" : sb.toString().toLowerCase(Locale.ROOT);
        String name = TASK_NAME_PREFIX + kebab;
        return name.length() <= 60 ? name : name.substring(0, 60);
    }
}
