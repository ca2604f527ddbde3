package io.github.sidecarshutdown.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shaded jar runs on its own: {@code java -jar cli/target/sidecar-shutdown-cli.jar lint FILE}. */
class ExecutableJarIT {

    private static final Path JAR = Path.of("target/sidecar-shutdown-cli.jar");

    private static int run(Path out, String... files) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(), "lint"));
        cmd.addAll(List.of(files));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void theJarIsSelfContainedAndReturnsTheDocumentedExitCodes() throws Exception {
        assertThat(JAR).exists();
        Path out = Files.createTempFile("lint", ".txt");
        try {
            assertThat(run(out, "../examples/kubernetes/plain-java.yaml")).isEqualTo(0);
            assertThat(Files.readString(out, StandardCharsets.UTF_8)).contains("ok: no finding").doesNotContain("SLF4J");
            assertThat(run(out, "src/test/resources/manifests/bad/job-without-sidecar-release.yaml")).isEqualTo(1);
            assertThat(run(out, "src/test/resources/manifests/bad/unreadable.yaml")).isEqualTo(2);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
