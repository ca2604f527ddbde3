package io.github.sidecarshutdown.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RollingPodTest {

    /** The shell in front of the app holds SIGTERM back for the preStop sleep, then passes it on and exits as the app does. */
    @Test
    void thePreStopSleepDelaysTheAppsSigtermAndKeepsItsExitCode() throws Exception {
        List<String> app = List.of("sh", "-c", "trap 'echo term; exit 7' TERM; echo ready; while true; do sleep 0.02; done");
        Process p = new ProcessBuilder(RollingPod.preStopSleep(Duration.ofMillis(600), app)).redirectErrorStream(true).start();
        BlockingQueue<String> lines = lines(p);
        try {
            assertThat(lines.poll(10, TimeUnit.SECONDS)).isEqualTo("ready");
            long signalled = System.nanoTime();
            // SIGTERM at once, as the Pod simulator sends it (Process.destroy() would close the output): the
            // wrapper's trap is set before the app starts, so it cannot land in between.
            p.toHandle().destroy();
            assertThat(lines.poll(10, TimeUnit.SECONDS)).as("the app's trap ran").isEqualTo("term");
            long held = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            assertThat(held).isGreaterThanOrEqualTo(600);
            assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(7);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void withoutPreStopTheCommandIsUnchanged() {
        assertThat(RollingPod.preStopSleep(Duration.ZERO, List.of("java", "App"))).containsExactly("java", "App");
    }

    /** The process's output lines, read on a daemon thread, so that a test waits for each one with a bound. */
    private static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "rolling-pod-test-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }
}
