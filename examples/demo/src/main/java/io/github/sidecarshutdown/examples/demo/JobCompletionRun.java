package io.github.sidecarshutdown.examples.demo;

import io.github.sidecarshutdown.testkit.pod.ContainerSpec;
import io.github.sidecarshutdown.testkit.pod.ContainerSpecBuilder;
import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import io.github.sidecarshutdown.testkit.pod.JobRun;
import io.github.sidecarshutdown.testkit.pod.OutputLine;
import io.github.sidecarshutdown.testkit.pod.PodSimulator;
import io.github.sidecarshutdown.testkit.pod.RestartPolicy;
import io.github.sidecarshutdown.testkit.pod.SidecarKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One Job Pod run to completion: the batch job {@link JobApp} beside the sidecar emulator, as two
 * real processes, with a downstream service that counts the job's cleanup calls (and its work's
 * calls). {@code restartPolicy: Never} unless the spec's {@link Life} says otherwise. Shared by the
 * scenario matrix, the Pod-life scenarios and the benchmarks' {@code job-completion} cell.
 */
public final class JobCompletionRun {

    private static final List<String> SMALL_JVM = List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** How the job gets its sidecar to exit. */
    public enum Release {
        /** The library ({@code SIDECAR_SHUTDOWN_WORKLOAD}) runs the cleanup at JVM exit and releases the sidecar. */
        LIBRARY,
        /** Nothing: the job just ends. */
        NONE,
        /** The shell trap {@code curl -XPOST :15020/quitquitquit} on exit, no library. */
        SHELL_TRAP
    }

    /**
     * What to run.
     *
     * @param mode             the emulator's {@code EmulatorMode} name ({@code ISTIO_1_26}, {@code NATIVE}, ...)
     * @param release          how the sidecar is released
     * @param workload         {@code SIDECAR_SHUTDOWN_WORKLOAD} ({@code job}, {@code auto}, ...); with the library only
     * @param labels           the Pod's labels as the downward API writes them ({@code key="value"} lines) for
     *                         {@code SIDECAR_SHUTDOWN_LABELS_FILE}, or empty for none
     * @param work             how long the job works before it ends
     * @param exitCode         the job's exit code
     * @param cleanupCalls     calls its cleanup makes
     * @param observationBound how long the simulator waits for the Pod to complete
     */
    public record Spec(String mode, Release release, String workload, String labels, Duration work, int exitCode,
            int cleanupCalls, Duration observationBound, Life life) {

        public Spec {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(release, "release");
            Objects.requireNonNull(workload, "workload");
            Objects.requireNonNull(labels, "labels");
            Objects.requireNonNull(life, "life");
        }

        /** One run of the job, {@code restartPolicy: Never}, Envoy live at once ({@link Life#ONE_RUN}). */
        public Spec(String mode, Release release, String workload, String labels, Duration work, int exitCode,
                int cleanupCalls, Duration observationBound) {
            this(mode, release, workload, labels, work, exitCode, cleanupCalls, observationBound, Life.ONE_RUN);
        }

        /** This spec with another {@link Life}. */
        public Spec with(Life other) {
            return new Spec(mode, release, workload, labels, work, exitCode, cleanupCalls, observationBound, other);
        }

        boolean isNative() {
            return mode.equals("NATIVE");
        }
    }

    /**
     * The Pod's life around the job: how its sidecar starts, how the kubelet restarts the job, what the
     * job's work needs from the sidecar.
     *
     * @param envoyLiveAfter the sidecar's Envoy stays {@code INITIALIZING} this long after its start
     *                       (the emulator's {@code --time-to-live}; 0: live at once)
     * @param startupWait    the library's {@code SIDECAR_SHUTDOWN_STARTUP_WAIT}; 0: the library's default
     * @param restartPolicy  the Pod's {@code restartPolicy}
     * @param backoffLimit   the Job's {@code backoffLimit}: restarts in place at most
     * @param failOnlyOnce   the job fails ({@code exitCode}) only in its first run in the Pod; a restart
     *                       does not fail by itself ({@code JOB_FAIL_ONCE_MARKER})
     * @param workCalls      calls the job's work makes through the sidecar ({@code JOB_WORK_CALLS}); one
     *                       failing fails the job
     */
    public record Life(Duration envoyLiveAfter, Duration startupWait, RestartPolicy restartPolicy, int backoffLimit,
            boolean failOnlyOnce, int workCalls) {

        /** One run, {@code restartPolicy: Never}, Envoy live at once, the library's startup wait. */
        public static final Life ONE_RUN = new Life(Duration.ZERO, Duration.ZERO, RestartPolicy.NEVER, 6, false, 0);

        public Life {
            Objects.requireNonNull(envoyLiveAfter, "envoyLiveAfter");
            Objects.requireNonNull(startupWait, "startupWait");
            Objects.requireNonNull(restartPolicy, "restartPolicy");
        }
    }

    /**
     * What happened.
     *
     * @param spec             what ran
     * @param run              the Job Pod's record: phase, app exit code, completion, gap
     * @param cleanupDelivered cleanup calls the downstream received
     * @param adminQuits       {@code /quitquitquit} requests the sidecar's admin API (15000) received
     * @param agentQuits       {@code /quitquitquit} requests pilot-agent (15020) received
     * @param workDelivered    calls of the job's work the downstream received, over every run
     */
    public record Result(Spec spec, JobRun run, int cleanupDelivered, int adminQuits, int agentQuits,
            int workDelivered) {

        /** Pod completion after the app's exit in ms, or -1 if it never completed. */
        public long gapMs() {
            return run.completionGap().map(Duration::toMillis).orElse(-1L);
        }
    }

    private JobCompletionRun() {
    }

    /** Runs one Job Pod to completion (or to the observation bound). */
    public static Result run(Spec s) throws Exception {
        Path dir = Files.createTempDirectory("sidecar-job-run");
        Path preStop = dir.resolve("prestop");
        Path labels = dir.resolve("labels");
        Path annotations = dir.resolve("annotations");
        Path failedOnce = dir.resolve("failed-once");
        try (DownstreamRecorder downstream = new DownstreamRecorder();
                DownstreamRecorder input = DownstreamRecorder.at("/input");
                PodSimulator pod = pod(s, preStop, labels, annotations, downstream, input, failedOnce)) {
            if (!s.labels().isEmpty()) {
                Files.writeString(labels, s.labels());
            }
            // What Istio's injector writes: the library tells native from classic by it.
            Files.writeString(annotations, "sidecar.istio.io/status=\"{\\\"initContainers\\\":[\\\"istio-init\\\""
                    + (s.isNative() ? ",\\\"istio-proxy\\\"],\\\"containers\\\":null" : "],\\\"containers\\\":[\\\"istio-proxy\\\"]")
                    + "}\"\n");
            pod.start();
            JobRun run = pod.awaitJobCompletion(s.observationBound());
            int delivered = (int) downstream.calls().stream().filter(i -> !i.isBefore(run.observedAt())).count();
            List<String> sidecarLines = run.sidecar().map(c -> c.lines().stream().map(OutputLine::text).toList())
                    .orElse(List.of());
            int adminQuits = (int) sidecarLines.stream().filter(l -> l.contains("ENVOY_EXITED admin /quitquitquit")).count();
            int agentQuits = (int) sidecarLines.stream().filter(l -> l.contains("AGENT_QUIT_REQUESTED")).count();
            return new Result(s, run, delivered, adminQuits, agentQuits, input.calls().size());
        } finally {
            for (Path p : List.of(preStop, labels, annotations, failedOnce, dir)) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static PodSimulator pod(Spec s, Path preStop, Path labels, Path annotations, DownstreamRecorder downstream,
            DownstreamRecorder input, Path failedOnce) {
        List<String> emulatorArgs = new ArrayList<>(List.of("--mode", s.mode(), "--termination-drain-duration", "2s"));
        if (s.isNative()) {
            emulatorArgs.addAll(List.of("--native-prestop-file", preStop.toString()));
        }
        Life life = s.life();
        if (!life.envoyLiveAfter().isZero()) {
            emulatorArgs.addAll(List.of("--time-to-live", life.envoyLiveAfter().toMillis() + "ms"));
        }
        boolean library = s.release() == Release.LIBRARY;
        return PodSimulator.builder()
                .restartPolicy(life.restartPolicy())
                .backoffLimit(life.backoffLimit())
                .sidecarKind(s.isNative() ? SidecarKind.NATIVE : SidecarKind.CLASSIC)
                .nativePreStopFile(preStop)
                .terminationGracePeriod(Duration.ofSeconds(10))
                .sidecar(ContainerSpec.builder().name("istio-proxy")
                        .command(JavaProcess.javaCommand(SMALL_JVM,
                                "io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain", emulatorArgs))
                        .readyPattern("^SIDECAR_EMULATOR_READY ").build())
                .app(ready -> {
                    ContainerSpecBuilder app = ContainerSpec.builder().name("app")
                            .command(JavaProcess.javaCommand(SMALL_JVM, JobApp.class))
                            .env("USE_LIBRARY", String.valueOf(library))
                            .env("SIDECAR_SHUTDOWN_ENABLED", String.valueOf(library))
                            .env("JOB_WORK_MS", String.valueOf(s.work().toMillis()))
                            .env("JOB_EXIT_CODE", String.valueOf(s.exitCode()))
                            .env("CLEANUP_CALLS", String.valueOf(s.cleanupCalls()))
                            .env("DOWNSTREAM_URL", downstream.url())
                            .env("OUTBOUND_PROXY", "127.0.0.1:" + ready.port("outbound"))
                            .env("SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:" + ready.port("admin"))
                            .env("SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:" + ready.port("agent"))
                            .env("SIDECAR_SHUTDOWN_ANNOTATIONS_FILE", annotations.toString())
                            .env("SIDECAR_SHUTDOWN_LABELS_FILE", labels.toString())
                            .env("SIDECAR_SHUTDOWN_GRACE_PERIOD", "10s")
                            .readyPattern("^APP_READY ");
                    if (library) {
                        app.env("SIDECAR_SHUTDOWN_WORKLOAD", s.workload());
                    }
                    if (!life.startupWait().isZero()) {
                        app.env("SIDECAR_SHUTDOWN_STARTUP_WAIT", life.startupWait().toMillis() + "ms");
                    }
                    if (life.failOnlyOnce()) {
                        app.env("JOB_FAIL_ONCE_MARKER", failedOnce.toString());
                    }
                    if (life.workCalls() > 0) {
                        app.env("JOB_WORK_CALLS", String.valueOf(life.workCalls()))
                                .env("JOB_INPUT_URL", input.url() + "/input");
                    }
                    if (s.release() == Release.SHELL_TRAP) {
                        app.env("TRAP_QUIT_URL", "http://127.0.0.1:" + ready.port("agent") + "/quitquitquit");
                    }
                    return app.build();
                })
                .build();
    }
}
