package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.fixtures.SlowStartingSlf4jProvider;
import io.github.sidecarshutdown.fixtures.Slf4jStartFixtureApp;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The library's lines are not lost when SLF4J starts on another thread at the same moment (the app's
 * first log line, at SIGTERM): a child JVM whose logging backend takes a while to start
 * ({@link SlowStartingSlf4jProvider}); without {@code internal/Loggers.java} SLF4J hands the library a
 * substitute logger whose lines wait for the start's end, which a JVM that exits at once never sees.
 */
@Timeout(60)
class LoggingDuringSlf4jStartIT {

    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process process;

    @AfterEach
    void stop() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private void start(String mode) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dslf4j.provider=" + SlowStartingSlf4jProvider.class.getName(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-cp", System.getProperty("java.class.path"), Slf4jStartFixtureApp.class.getName(), mode)
                .redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("SIDECAR_SHUTDOWN_") || k.equals("KUBERNETES_SERVICE_HOST"));
        pb.environment().put("SIDECAR_SHUTDOWN_SIDECAR_MODE", "none");
        pb.environment().put("SIDECAR_SHUTDOWN_GRACE_PERIOD", "5s");
        process = pb.start();
        ChildOutput.capture(process, output, "fixture-output");
    }

    private String awaitExit() throws Exception {
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited: %s", output).isTrue();
        // the pipe's last lines may still be on their way to the reader
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!String.join("\n", output).contains("SLF4J_STARTED") && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        return String.join("\n", output);
    }

    @Test
    void aLineTheLibraryLogsWhileAnotherThreadStartsSlf4jIsPrinted() throws Exception {
        start("lookup");

        String all = awaitExit();

        assertThat(all).as("SLF4J started on the app's thread, and the lookup waited for it")
                .contains("SLF4J_STARTING on app-first-log", "SLF4J_STARTED");
        assertThat(all).contains("INFO library - LIBRARY_LINE");
    }

    @Test
    void theSequencesLinesAtSigtermWhileTheAppsFirstLineStartsSlf4jArePrinted() throws Exception {
        start("sigterm");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!output.contains("FIXTURE_READY") && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(output).as("ready").contains("FIXTURE_READY");
        assertThat(String.join("\n", output)).as("SLF4J is still starting").doesNotContain("SLF4J_STARTED");

        process.toHandle().destroy();
        String all = awaitExit();

        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(all).contains("SLF4J_STARTING on app-first-log");
        assertThat(all).contains("sidecar-shutdown started (jvm_hook)", "sidecar-shutdown clean in");
    }
}
