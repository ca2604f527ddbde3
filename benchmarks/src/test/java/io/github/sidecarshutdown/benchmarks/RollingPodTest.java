package io.github.sidecarshutdown.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RollingPodTest {

    /** The shell in front of the app holds SIGTERM back for the preStop sleep, then passes it on and exits as the app does. */
    @Test
    void thePreStopSleepDelaysTheAppsSigtermAndKeepsItsExitCode() throws Exception {
        List<String> app = List.of("sh", "-c", "trap 'echo term; exit 7' TERM; echo ready; while true; do sleep 0.02; done");
        Process p = new ProcessBuilder(RollingPod.preStopSleep(Duration.ofMillis(600), app)).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("ready");
            long signalled = System.nanoTime();
            p.toHandle().destroy(); // SIGTERM, as the Pod simulator sends it (Process.destroy() would close the output)
            assertThat(out.readLine()).isEqualTo("term");
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
}
