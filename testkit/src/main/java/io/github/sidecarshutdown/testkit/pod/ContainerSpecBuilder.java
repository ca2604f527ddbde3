package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link ContainerSpec}. Obtained from {@link ContainerSpec#builder()}.
 *
 * <p>Mutable and not thread-safe; {@link #build()} copies everything, so a builder can be reused.
 */
public final class ContainerSpecBuilder {

    /** Default {@link #startTimeout(Duration)}: 30 seconds. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);

    private @Nullable String name;
    private List<String> command = List.of();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private @Nullable Path workingDirectory;
    private @Nullable Pattern readyPattern;
    private Duration startTimeout = DEFAULT_START_TIMEOUT;

    ContainerSpecBuilder() {
    }

    /**
     * Sets the container name. Required; letters, digits, {@code .}, {@code _} and {@code -}
     * only (it is used in thread and file names).
     *
     * @param name the name, e.g. {@code "istio-proxy"} or {@code "app"}
     * @return this builder
     */
    public ContainerSpecBuilder name(String name) {
        requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException(
                    "name: '" + name + "' (expected: non-empty, letters, digits, '.', '_', '-')");
        }
        this.name = name;
        return this;
    }

    /**
     * Sets the command: executable first, then its arguments. Required, no default.
     *
     * @param command the command; see {@link JavaProcess#javaCommand(Class, String...)} for a
     *     child JVM
     * @return this builder
     */
    public ContainerSpecBuilder command(List<String> command) {
        requireNonNull(command, "command");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command: [] (expected: at least the executable)");
        }
        for (String part : command) {
            requireNonNull(part, "command element");
        }
        this.command = new ArrayList<>(command);
        return this;
    }

    /**
     * Sets the command: executable first, then its arguments.
     *
     * @param command the command
     * @return this builder
     */
    public ContainerSpecBuilder command(String... command) {
        return command(List.of(command));
    }

    /**
     * Adds an environment variable (on top of the environment inherited from this JVM). Default:
     * none added.
     *
     * @param key the variable name
     * @param value its value
     * @return this builder
     */
    public ContainerSpecBuilder env(String key, String value) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        if (key.isEmpty() || key.indexOf('=') >= 0) {
            throw new IllegalArgumentException("key: '" + key + "' (expected: non-empty, no '=')");
        }
        environment.put(key, value);
        return this;
    }

    /**
     * Adds environment variables (on top of the environment inherited from this JVM).
     *
     * @param variables the variables to add
     * @return this builder
     */
    public ContainerSpecBuilder environment(Map<String, String> variables) {
        requireNonNull(variables, "variables");
        variables.forEach(this::env);
        return this;
    }

    /**
     * Sets the working directory of the process. Default: this JVM's working directory.
     *
     * @param workingDirectory the directory
     * @return this builder
     */
    public ContainerSpecBuilder workingDirectory(Path workingDirectory) {
        this.workingDirectory = requireNonNull(workingDirectory, "workingDirectory");
        return this;
    }

    /**
     * Sets the regular expression a standard-output line must contain (found anywhere in the
     * line, use {@code ^} to anchor) for the container to be ready. Default: none, the container
     * is ready as soon as the process started.
     *
     * @param regex the regular expression; groups are available in {@link ReadyLine#groups()}
     * @return this builder
     */
    public ContainerSpecBuilder readyPattern(String regex) {
        requireNonNull(regex, "readyPattern");
        return readyPattern(Pattern.compile(regex));
    }

    /**
     * Sets the pattern a standard-output line must contain for the container to be ready.
     *
     * @param pattern the pattern
     * @return this builder
     */
    public ContainerSpecBuilder readyPattern(Pattern pattern) {
        this.readyPattern = requireNonNull(pattern, "readyPattern");
        return this;
    }

    /**
     * Sets how long to wait for the ready line after the process started. Default: 30 seconds.
     *
     * @param startTimeout the timeout, &gt; 0
     * @return this builder
     */
    public ContainerSpecBuilder startTimeout(Duration startTimeout) {
        requireNonNull(startTimeout, "startTimeout");
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout: " + startTimeout + " (expected: > 0)");
        }
        this.startTimeout = startTimeout;
        return this;
    }

    /**
     * Builds the immutable spec.
     *
     * @return the spec
     * @throws IllegalStateException if the name or the command is missing
     */
    public ContainerSpec build() {
        if (name == null) {
            throw new IllegalStateException("name: not set (expected: a container name)");
        }
        if (command.isEmpty()) {
            throw new IllegalStateException("command: not set (expected: at least the executable)");
        }
        return new ContainerSpec(name, command, environment, workingDirectory, readyPattern,
                startTimeout);
    }
}
