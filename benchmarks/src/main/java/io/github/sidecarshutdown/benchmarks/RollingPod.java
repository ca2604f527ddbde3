package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.examples.demo.TerminationRun.App;
import io.github.sidecarshutdown.examples.plain.PlainJavaApp;
import io.github.sidecarshutdown.testkit.pod.ContainerSpec;
import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import io.github.sidecarshutdown.testkit.pod.LoopbackPorts;
import io.github.sidecarshutdown.testkit.pod.PodSimulator;
import io.github.sidecarshutdown.testkit.pod.SidecarKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One Pod of the rolled Deployment as two real processes, the example app beside the sidecar emulator,
 * run by the {@link PodSimulator} (the kubelet): a classic sidecar, both signalled at deletion. The app's
 * cleanup calls go through the sidecar's outbound proxy to the {@link CleanupRecorder}.
 */
final class RollingPod implements RollingRestart.Replica {

    /** Small JVMs with C1 only: a rollout of 10 runs up to ~25 Pods at once on 2 cores. */
    private static final List<String> SMALL_JVM = List.of("-Xmx64m", "-Xss512k", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final String name;
    private final PodSimulator pod;
    private final CleanupRecorder recorder;

    private RollingPod(String name, PodSimulator pod, CleanupRecorder recorder) {
        this.name = name;
        this.pod = pod;
        this.recorder = recorder;
    }

    /** Starts Pods of the variant whose cleanup calls go to the recorder. */
    static RollingRestart.ReplicaFactory factory(RollingVariant v, CleanupRecorder recorder) {
        return name -> {
            for (int attempt = 1; ; attempt++) {
                PodSimulator pod = build(v, LoopbackPorts.freePort(), recorder.baseUrl(name));
                try {
                    pod.start();
                    return new RollingPod(name, pod, recorder);
                } catch (RuntimeException e) {
                    pod.close();
                    // A free port can be taken by another process of this shared machine before the app binds it:
                    // the app then exits at once. Another port, at most twice more; anything else fails the run.
                    String m = String.valueOf(e.getMessage());
                    if (attempt >= 3 || !(m.contains("BindException") || m.contains("Net.bind") || m.contains("ServerImpl.<init>"))) {
                        throw e;
                    }
                } catch (InterruptedException e) {
                    pod.close();
                    throw e;
                }
            }
        };
    }

    @Override
    public int port() {
        return pod.sidecarReady().port("inbound");
    }

    @Override
    public RollingRestart.Ended delete() throws Exception {
        pod.deletePod();
        return new RollingRestart.Ended(RollingVariant.CLEANUP_CALLS, recorder.calls(name));
    }

    @Override
    public void close() {
        pod.close();
    }

    private static PodSimulator build(RollingVariant v, int appPort, String downstream) {
        List<String> emulator = List.of("--mode", "ISTIO_1_5", "--termination-drain-duration", v.window.toMillis() + "ms",
                "--app-port", String.valueOf(appPort));
        return PodSimulator.builder()
                .sidecarKind(SidecarKind.CLASSIC)
                .terminationGracePeriod(RollingVariant.GRACE_PERIOD)
                .sidecar(ContainerSpec.builder().name("istio-proxy")
                        .command(JavaProcess.javaCommand(SMALL_JVM, "io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain",
                                emulator))
                        .startTimeout(START_TIMEOUT)
                        .readyPattern("^SIDECAR_EMULATOR_READY ").build())
                .app(ready -> ContainerSpec.builder().name("app")
                        .command(preStopSleep(v.preStopSleep, appCommand(v.app)))
                        .startTimeout(START_TIMEOUT)
                        .env("APP_PORT", String.valueOf(appPort))
                        .env("USE_LIBRARY", String.valueOf(v.library))
                        .env("SIDECAR_SHUTDOWN_ENABLED", String.valueOf(v.app == App.PLAIN_JAVA || v.library))
                        .env("CLEANUP_TIMEOUT", RollingVariant.CLEANUP_WORK.plusSeconds(5).toMillis() + "ms")
                        .env("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE", "20000ms")
                        .env("DOWNSTREAM_URL", downstream)
                        .env("CLEANUP_WORK", RollingVariant.CLEANUP_WORK.toMillis() + "ms")
                        .env("CLEANUP_CALLS", String.valueOf(RollingVariant.CLEANUP_CALLS))
                        .env("SIDECAR_SHUTDOWN_GRACE_PERIOD", RollingVariant.GRACE_PERIOD.toMillis() + "ms")
                        .env("SIDECAR_SHUTDOWN_PROPAGATION_DELAY", RollingVariant.PROPAGATION_DELAY.toMillis() + "ms")
                        .env("SIDECAR_SHUTDOWN_DRAIN_TIMEOUT", "2000ms")
                        .env("OUTBOUND_PROXY", "127.0.0.1:" + ready.port("outbound"))
                        .env("SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:" + ready.port("admin"))
                        .env("SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:" + ready.port("agent"))
                        .readyPattern("^APP_READY ").build())
                .build();
    }

    private static List<String> appCommand(App app) {
        if (app == App.PLAIN_JAVA) {
            return JavaProcess.javaCommand(SMALL_JVM, PlainJavaApp.class);
        }
        String cp = System.getProperty(App.SPRING_BOOT_CLASSPATH_PROPERTY, "");
        if (cp.isBlank()) {
            throw new IllegalStateException("the Spring Boot example's class path is not set (system property "
                    + App.SPRING_BOOT_CLASSPATH_PROPERTY + "; run through benchmarks/run, which sets it)");
        }
        List<String> command = new ArrayList<>();
        command.add(JavaProcess.javaExecutable().toString());
        command.addAll(List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp,
                "io.github.sidecarshutdown.examples.spring.SpringBootExampleApp"));
        return command;
    }

    /**
     * The kubelet runs a container's {@code preStop: exec: sleep S} and sends SIGTERM only after it returns.
     * The Pod simulator signals at deletion, so a shell in front of the app plays that part: it holds the
     * SIGTERM back for S while the app keeps serving, then passes it on and waits for the app's exit.
     */
    static List<String> preStopSleep(Duration sleep, List<String> command) {
        if (sleep.isZero()) {
            return command;
        }
        String seconds = String.format(Locale.ROOT, "%.3f", sleep.toMillis() / 1000.0);
        // The trap is set before the app starts: a SIGTERM that came between the two killed the shell
        // and left the app running without one (a SIGTERM before $pid is known is passed on once it is).
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c",
                "pid=; term=; trap 'sleep " + seconds + "; if [ -n \"$pid\" ]; then kill -TERM $pid; else term=1; fi' TERM; "
                        + "\"$@\" & pid=$!; if [ -n \"$term\" ]; then kill -TERM $pid; fi; wait $pid; status=$?; "
                        + "if kill -0 $pid 2>/dev/null; then wait $pid; status=$?; fi; exit $status", "prestop-sleep"));
        wrapped.addAll(command);
        return wrapped;
    }
}
