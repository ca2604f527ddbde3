package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The standard-output line that made a container ready, with the groups captured by its ready
 * pattern.
 *
 * <p>The sidecar emulator prints
 * {@code SIDECAR_EMULATOR_READY {"admin":P,"agent":P,"health":P,"outbound":P,"inbound":P}};
 * {@link #port(String)} reads one port of that JSON object, e.g. {@code ready.port("inbound")}.
 *
 * @param container the container name
 * @param line the whole line
 * @param groups the pattern's capturing groups, index 0 is the whole match; an unmatched
 *     optional group is the empty string
 * @param time when the line was read
 */
public record ReadyLine(String container, String line, List<String> groups, Instant time) {

    private static final Pattern JSON_ENTRY =
            Pattern.compile("\"([^\"\\\\]+)\"\\s*:\\s*(-?\\d+)\\s*(,|$)");

    /**
     * Validates and copies the components.
     */
    public ReadyLine {
        requireNonNull(container, "container");
        requireNonNull(line, "line");
        groups = List.copyOf(requireNonNull(groups, "groups"));
        requireNonNull(time, "time");
    }

    static ReadyLine of(String container, String line, @Nullable Matcher matcher, Instant time) {
        if (matcher == null) {
            return new ReadyLine(container, line, List.of(line), time);
        }
        String[] groups = new String[matcher.groupCount() + 1];
        for (int i = 0; i < groups.length; i++) {
            String group = matcher.group(i);
            groups[i] = group == null ? "" : group;
        }
        return new ReadyLine(container, line, List.of(groups), time);
    }

    /**
     * Returns one captured group of the ready pattern.
     *
     * @param index the group index, 0 for the whole match
     * @return the group's text, empty if the group did not participate in the match
     * @throws IndexOutOfBoundsException if the pattern has no such group
     */
    public String group(int index) {
        return groups.get(index);
    }

    /**
     * Parses the flat JSON object of integers in this line (between the first <code>{</code> and
     * the last <code>}</code>), such as the sidecar emulator's port map.
     *
     * @return the entries in line order, e.g. {@code {admin=15000, inbound=15006}}
     * @throws IllegalArgumentException if the line carries no such object
     */
    public Map<String, Integer> jsonPorts() {
        int open = line.indexOf('{');
        int close = line.lastIndexOf('}');
        if (open < 0 || close < open) {
            throw new IllegalArgumentException(
                    "ready line of '" + container + "' has no JSON object: " + line);
        }
        String body = line.substring(open + 1, close).trim();
        Map<String, Integer> ports = new LinkedHashMap<>();
        Matcher matcher = JSON_ENTRY.matcher(body);
        int position = 0;
        while (position < body.length()) {
            if (!matcher.find(position) || matcher.start() != position) {
                throw new IllegalArgumentException("ready line of '" + container
                        + "' has no flat JSON object of integers at offset " + position + ": " + line);
            }
            try {
                ports.put(matcher.group(1), Integer.valueOf(matcher.group(2)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("ready line of '" + container
                        + "': value of \"" + matcher.group(1) + "\" is not an int: " + line, e);
            }
            position = matcher.end();
            while (position < body.length() && Character.isWhitespace(body.charAt(position))) {
                position++;
            }
        }
        return Collections.unmodifiableMap(ports);
    }

    /**
     * Returns one entry of {@link #jsonPorts()}.
     *
     * @param name the key, e.g. {@code "inbound"}
     * @return the port
     * @throws IllegalArgumentException if the line carries no such key
     */
    public int port(String name) {
        requireNonNull(name, "name");
        Integer port = jsonPorts().get(name);
        if (port == null) {
            throw new IllegalArgumentException("ready line of '" + container + "' has no port \""
                    + name + "\": " + line);
        }
        return port;
    }
}
