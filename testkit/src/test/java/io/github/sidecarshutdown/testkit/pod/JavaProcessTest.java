package io.github.sidecarshutdown.testkit.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class JavaProcessTest {

    @Test
    void commandUsesThisJvmsJavaAndClassPath() {
        // when
        List<String> command = JavaProcess.javaCommand(List.of("-Xmx64m", "-Dx=y"),
                JavaProcessTest.class, "--a", "1");

        // then
        assertThat(command).containsExactly(JavaProcess.javaExecutable().toString(), "-Xmx64m",
                "-Dx=y", "-cp", System.getProperty("java.class.path"),
                JavaProcessTest.class.getName(), "--a", "1");
        assertThat(Path.of(command.get(0))).startsWith(Path.of(System.getProperty("java.home")));
        assertThat(Files.isExecutable(JavaProcess.javaExecutable())).isTrue();
    }

    @Test
    void commandByClassNameNeedsNoClassAtCompileTime() {
        assertThat(JavaProcess.javaCommand(List.of(), "com.example.Main", List.of("x")))
                .endsWith("com.example.Main", "x");
        assertThat(JavaProcess.javaCommand(JavaProcessTest.class)).hasSize(4);
        assertThatThrownBy(() -> JavaProcess.javaCommand(List.of(), " ", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mainClassName: '' (expected: a class name)");
    }
}
