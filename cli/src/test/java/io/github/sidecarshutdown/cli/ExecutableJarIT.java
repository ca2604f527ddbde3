package io.github.sidecarshutdown.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The jar the build attaches with the classifier {@code all} runs on its own, in a child JVM, as a
 * user runs it: {@code java -jar sidecar-shutdown-cli-<version>-all.jar lint FILE} (in the build
 * tree: {@code cli/target/sidecar-shutdown-cli.jar}).
 */
class ExecutableJarIT {

    private static final Path JAR = Path.of(System.getProperty("cli.jar", "target/sidecar-shutdown-cli.jar"));

    /** What one run of the jar printed (stdout and stderr apart) and returned. */
    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("cli-out", ".txt");
        Path err = Files.createTempFile("cli-err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the jar answered within 60 s: " + cmd).isTrue();
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void theManifestNamesTheMainClassAndTheVersion() throws IOException {
        assertThat(JAR).exists();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo(Main.class.getName());
            assertThat(jar.getManifest().getMainAttributes().getValue("Implementation-Version"))
                    .isEqualTo(System.getProperty("cli.version"));
        }
    }

    @Test
    void helpAndVersionExit0() throws Exception {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"-h"}, new String[] {"help"}, new String[] {"lint", "--help"})) {
            Run r = run(args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
            assertThat(r.out()).contains("usage: sidecar-shutdown-cli lint [--json] FILE...");
        }
        Run version = run("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out().strip()).isEqualTo("sidecar-shutdown-cli " + System.getProperty("cli.version"));
        Run unknown = run("check", "x.yaml");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown command check").contains("usage:");
    }

    @Test
    void theJarIsSelfContainedAndReturnsTheDocumentedExitCodes() throws Exception {
        Run clean = run("lint", "../examples/kubernetes/plain-java.yaml");
        assertThat(clean.code()).as(clean.out() + clean.err()).isZero();
        assertThat(clean.out()).contains("ok: no finding");
        assertThat(clean.err()).doesNotContain("SLF4J");

        Run errors = run("lint", "--json", "src/test/resources/manifests/bad/onfailure-released-sidecar.yaml");
        assertThat(errors.code()).isEqualTo(1);
        assertThat(errors.out()).contains("\"rule\":\"onfailure-released-sidecar\"").contains("\"exitCode\":1");

        assertThat(run("lint", "src/test/resources/manifests/bad/unreadable.yaml").code()).isEqualTo(2);
        Run nothing = run("lint", "src/test/resources/manifests/skipped/not-workloads.yaml");
        assertThat(nothing.code()).isEqualTo(2);
        assertThat(nothing.err()).contains("nothing was checked");
    }
}
