package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One line a container wrote to its standard output or standard error, with the time it was
 * read.
 *
 * @param container the container name
 * @param channel standard output or standard error
 * @param time when the simulator read the line
 * @param text the line, without the line terminator
 */
public record OutputLine(String container, Channel channel, Instant time, String text) {

    /**
     * Validates the components.
     */
    public OutputLine {
        requireNonNull(container, "container");
        requireNonNull(channel, "channel");
        requireNonNull(time, "time");
        requireNonNull(text, "text");
    }

    /**
     * The stream a line came from.
     */
    public enum Channel {
        /** Standard output. */
        STDOUT,
        /** Standard error. */
        STDERR
    }
}
