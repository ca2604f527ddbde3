package io.github.sidecarshutdown.testkit.pod;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Immutable description of one container of the simulated Pod: the process to run and how to
 * tell that it is ready.
 *
 * <p>Readiness is a line on the process's standard output matching {@link #readyPattern()}
 * (searched with {@link java.util.regex.Matcher#find()}), printed within {@link #startTimeout()}
 * of the process start. Without a pattern the container counts as ready as soon as it started.
 *
 * <pre>{@code
 * ContainerSpec app = ContainerSpec.builder()
 *     .name("app")
 *     .command(JavaProcess.javaCommand(MyApp.class))
 *     .env("ENVOY_ADMIN_PORT", "15000")
 *     .readyPattern("^APP_READY")
 *     .startTimeout(Duration.ofSeconds(20))
 *     .build();
 * }</pre>
 */
public final class ContainerSpec {

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final @Nullable Path workingDirectory;
    private final @Nullable Pattern readyPattern;
    private final Duration startTimeout;

    ContainerSpec(String name, List<String> command, Map<String, String> environment,
            @Nullable Path workingDirectory, @Nullable Pattern readyPattern, Duration startTimeout) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory;
        this.readyPattern = readyPattern;
        this.startTimeout = startTimeout;
    }

    /**
     * Returns a new builder.
     *
     * @return a builder with the documented defaults
     */
    public static ContainerSpecBuilder builder() {
        return new ContainerSpecBuilder();
    }

    /**
     * Returns the container name, used in events, thread names, log files and messages.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns the command: the executable followed by its arguments.
     *
     * @return an immutable, non-empty list
     */
    public List<String> command() {
        return command;
    }

    /**
     * Returns the variables added to (or overriding) the environment inherited from this JVM.
     *
     * @return an immutable map
     */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * Returns the working directory of the process, if set (otherwise this JVM's).
     *
     * @return the working directory
     */
    public Optional<Path> workingDirectory() {
        return Optional.ofNullable(workingDirectory);
    }

    /**
     * Returns the pattern a standard-output line must match for the container to be ready.
     *
     * @return the pattern, or empty when the container is ready as soon as it started
     */
    public Optional<Pattern> readyPattern() {
        return Optional.ofNullable(readyPattern);
    }

    /**
     * Returns how long the simulator waits for the ready line after starting the process.
     *
     * @return the start timeout
     */
    public Duration startTimeout() {
        return startTimeout;
    }

    /**
     * Returns a builder initialized with this spec's values, to derive a variant.
     *
     * @return a new builder
     */
    public ContainerSpecBuilder toBuilder() {
        ContainerSpecBuilder builder = new ContainerSpecBuilder()
                .name(name)
                .command(command)
                .environment(environment)
                .startTimeout(startTimeout);
        if (workingDirectory != null) {
            builder.workingDirectory(workingDirectory);
        }
        if (readyPattern != null) {
            builder.readyPattern(readyPattern);
        }
        return builder;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ContainerSpec)) {
            return false;
        }
        ContainerSpec that = (ContainerSpec) o;
        return name.equals(that.name)
                && command.equals(that.command)
                && environment.equals(that.environment)
                && Objects.equals(workingDirectory, that.workingDirectory)
                && Objects.equals(patternKey(readyPattern), patternKey(that.readyPattern))
                && startTimeout.equals(that.startTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, command, environment, workingDirectory, patternKey(readyPattern),
                startTimeout);
    }

    @Override
    public String toString() {
        return "ContainerSpec{name=" + name
                + ", command=" + command
                + ", environment=" + environment.keySet()
                + ", workingDirectory=" + workingDirectory
                + ", readyPattern=" + (readyPattern == null ? null : readyPattern.pattern())
                + ", startTimeout=" + startTimeout + '}';
    }

    private static @Nullable String patternKey(@Nullable Pattern pattern) {
        return pattern == null ? null : pattern.flags() + "/" + pattern.pattern();
    }
}
