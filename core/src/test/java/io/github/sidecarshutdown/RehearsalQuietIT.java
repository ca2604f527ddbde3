package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.fixtures.RehearsalQuietFixtureApp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The rehearsal logs nothing, at any level (docs/guarantees.md §14): a child JVM at TRACE shuts a
 * coordinator down, which rehearses the sequence beside its real one (that one logs as usual), waits
 * for the rehearsal and exits; no line of its output names the rehearsal.
 */
class RehearsalQuietIT {

    @Test
    void theRehearsalWritesNoLineEvenAtTrace() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
                "-cp", System.getProperty("java.class.path"), RehearsalQuietFixtureApp.class.getName())
                .redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("SIDECAR_SHUTDOWN_") || k.equals("KUBERNETES_SERVICE_HOST"));
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try {
                p.getInputStream().transferTo(out);
            } catch (IOException e) {
                // the child is gone
            }
        }, "rehearsal-fixture-output");
        reader.setDaemon(true);
        reader.start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the fixture exits").isTrue();
            reader.join(5_000);
        } finally {
            p.destroyForcibly();
        }
        String all;
        synchronized (out) {
            all = out.toString(StandardCharsets.UTF_8);
        }
        // the app's own sequence ran and logged at TRACE: the check below is not vacuous
        assertThat(all).contains("FIXTURE_INSTALLED").contains("app-cleanup");
        // and the rehearsal did run beside it (on the release watch's thread, at the shutdown's start)
        assertThat(all).as(all).contains("FIXTURE_REHEARSED true");
        assertThat(all.lines().filter(l -> l.toLowerCase(Locale.ROOT).contains("rehearsal")))
                .as(all).isEmpty();
    }
}
