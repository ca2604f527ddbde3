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
 * The install-time rehearsal logs nothing, at any level (docs/guarantees.md §14): a child JVM at
 * TRACE installs a coordinator, which rehearses the sequence, and exits (its real shutdown runs from
 * the hook and logs as usual); no line of its output names the rehearsal.
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
        assertThat(all.lines().filter(l -> l.toLowerCase(Locale.ROOT).contains("rehearsal")))
                .as(all).isEmpty();
    }
}
