package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How one container of the Pod ended.
 *
 * @param name the container name
 * @param role application or sidecar
 * @param exitCode the process's exit code: 143 after SIGTERM ended a JVM, 137 after SIGKILL
 * @param sigtermAt when SIGTERM was sent, relative to the deletion; {@code null} if it never
 *     was (a native sidecar killed at the grace period, or a process that had already exited)
 * @param exitedAt when the process exited, relative to the deletion
 * @param killedAtGrace whether the simulator sent SIGKILL because the grace period ran out
 * @param lines everything the container wrote to standard output and standard error
 */
public record ContainerTermination(String name, ContainerRole role, int exitCode,
        @Nullable Duration sigtermAt, Duration exitedAt, boolean killedAtGrace,
        List<OutputLine> lines) {

    /**
     * Validates and copies the components.
     */
    public ContainerTermination {
        requireNonNull(name, "name");
        requireNonNull(role, "role");
        requireNonNull(exitedAt, "exitedAt");
        lines = List.copyOf(requireNonNull(lines, "lines"));
    }

    /**
     * Returns {@link #exitedAt()} in whole milliseconds.
     *
     * @return milliseconds from the deletion to the exit
     */
    public long exitedAtMs() {
        return exitedAt.toMillis();
    }

    /**
     * Returns the first line (standard output or error) containing {@code text}.
     *
     * @param text the text to look for
     * @return the line, if any
     */
    public Optional<OutputLine> firstLineContaining(String text) {
        requireNonNull(text, "text");
        return lines.stream().filter(l -> l.text().contains(text)).findFirst();
    }
}
