package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds commands that run a main class in a child JVM with this JVM's Java installation
 * ({@code java.home}) and class path ({@code java.class.path}).
 *
 * <pre>{@code
 * ContainerSpec.builder()
 *     .name("app")
 *     .command(JavaProcess.javaCommand(List.of("-Xmx64m"), MyApp.class, "--port", "0"))
 * }</pre>
 */
public final class JavaProcess {

    private JavaProcess() {
    }

    /**
     * Returns the command running {@code mainClass} with {@code args}, no extra JVM options.
     *
     * @param mainClass the class with the {@code main} method, on this JVM's class path
     * @param args program arguments
     * @return an immutable command list
     */
    public static List<String> javaCommand(Class<?> mainClass, String... args) {
        return javaCommand(List.of(), mainClass, args);
    }

    /**
     * Returns the command running {@code mainClass} with JVM options and program arguments.
     *
     * @param jvmOptions options placed before {@code -cp}, e.g. {@code -Xmx64m},
     *     {@code -Dkey=value}
     * @param mainClass the class with the {@code main} method, on this JVM's class path
     * @param args program arguments
     * @return an immutable command list
     */
    public static List<String> javaCommand(List<String> jvmOptions, Class<?> mainClass,
            String... args) {
        requireNonNull(mainClass, "mainClass");
        return javaCommand(jvmOptions, mainClass.getName(), List.of(args));
    }

    /**
     * Returns the command running the main class named {@code mainClassName}; use it when the
     * class is not visible at compile time.
     *
     * @param jvmOptions options placed before {@code -cp}
     * @param mainClassName the fully qualified main class name
     * @param args program arguments
     * @return an immutable command list
     */
    public static List<String> javaCommand(List<String> jvmOptions, String mainClassName,
            List<String> args) {
        requireNonNull(jvmOptions, "jvmOptions");
        requireNonNull(mainClassName, "mainClassName");
        requireNonNull(args, "args");
        if (mainClassName.isBlank()) {
            throw new IllegalArgumentException("mainClassName: '' (expected: a class name)");
        }
        List<String> command = new ArrayList<>();
        command.add(javaExecutable().toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath());
        command.add(mainClassName);
        command.addAll(args);
        return List.copyOf(command);
    }

    /**
     * Returns the {@code java} launcher of this JVM's installation.
     *
     * @return {@code ${java.home}/bin/java} (or {@code java.exe} on Windows)
     */
    public static Path javaExecutable() {
        Path bin = Path.of(System.getProperty("java.home"), "bin");
        Path exe = bin.resolve("java.exe");
        return Files.isRegularFile(exe) ? exe : bin.resolve("java");
    }

    /**
     * Returns this JVM's class path.
     *
     * @return the value of {@code java.class.path}
     */
    public static String classPath() {
        return System.getProperty("java.class.path", "");
    }
}
