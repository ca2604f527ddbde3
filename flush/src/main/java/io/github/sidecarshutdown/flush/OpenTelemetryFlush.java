package io.github.sidecarshutdown.flush;

import static java.util.Objects.requireNonNull;

import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.TaskContext;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Shuts the OpenTelemetry SDK down as a cleanup task: every batch processor exports what it holds
 * (spans, metrics, log records) while the sidecar still forwards, then the exporters close.
 *
 * <pre>{@code
 * OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
 *     .disableShutdownHook()                    // the library shuts it down, before the sidecar goes
 *     .build().getOpenTelemetrySdk();
 * builder.task(OpenTelemetryFlush.task(sdk));   // after the app's own cleanup tasks
 * }</pre>
 *
 * <p><b>The SDK's own hook.</b> {@code AutoConfiguredOpenTelemetrySdk} registers a JVM shutdown hook
 * that closes the SDK; hooks run all at once, so that one races the sidecar release. Build it with
 * {@code disableShutdownHook()} when this task is used. An SDK built with
 * {@code OpenTelemetrySdk.builder()} has no hook. The OpenTelemetry Java agent's SDK registers its
 * hook and is out of the app's reach: see {@code docs/flush-at-exit.md}.
 *
 * <p><b>Outcome.</b> {@code succeeded} when the SDK's shutdown result completed successfully,
 * {@code failed} ({@link FlushException}) when it completed with a failure, {@code timed_out} when
 * it had not completed at the task's timeout (the SDK goes on in the background; exporter threads
 * are daemons and end with the JVM). The SDK's batch processors log an export that failed but may
 * still complete the shutdown successfully: the SDK's log, not this outcome, says whether every
 * batch was accepted.
 */
public final class OpenTelemetryFlush {

    /** The task's name in the report and metrics. */
    public static final String TASK_NAME = "opentelemetry-sdk";

    private OpenTelemetryFlush() {
    }

    /**
     * A cleanup task that calls {@link OpenTelemetrySdk#shutdown()} and waits for its result, with
     * the coordinator's {@code task-timeout}.
     *
     * @param sdk the app's SDK
     * @return the task, named {@value #TASK_NAME}
     */
    public static ShutdownTask task(OpenTelemetrySdk sdk) {
        return build(sdk, null);
    }

    /**
     * As {@link #task(OpenTelemetrySdk)}, with the task's own timeout (what is left of the cleanup
     * phase and the sidecar's window still caps it).
     *
     * @param sdk     the app's SDK
     * @param timeout the task's timeout; whole milliseconds, at least 1 ms
     * @return the task, named {@value #TASK_NAME}
     */
    public static ShutdownTask task(OpenTelemetrySdk sdk, Duration timeout) {
        return build(sdk, FlushTasks.timeout(timeout));
    }

    private static ShutdownTask build(OpenTelemetrySdk sdk, @Nullable Duration timeout) {
        requireNonNull(sdk, "sdk");
        return FlushTasks.cleanup(TASK_NAME, timeout, ctx -> await(sdk.shutdown(), ctx, "OpenTelemetry SDK shutdown"));
    }

    /**
     * Waits for {@code result} a little past the task's own budget, so the coordinator's timeout
     * decides a late result ({@code timed_out}); its interrupt ends the wait.
     */
    static void await(CompletableResultCode result, TaskContext ctx, String what) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        result.whenComplete(done::countDown);
        long waitNanos = ctx.remaining().plus(FlushTasks.PAST_THE_DEADLINE).toNanos();
        if (!done.await(waitNanos, TimeUnit.NANOSECONDS)) {
            throw new FlushException(what + " had not completed at the task's timeout", null);
        }
        if (!result.isSuccess()) {
            throw new FlushException(what + " completed with a failure (an exporter or processor failed; the SDK logged why)",
                    null);
        }
    }
}
