package io.github.sidecarshutdown.envoy;

import java.util.OptionalLong;

/**
 * One line of {@code GET /stats}: a name and its value as Envoy printed it (counters and gauges are
 * integers; text readouts and histograms are kept as text).
 *
 * @param name  e.g. {@code server.state}
 * @param value e.g. {@code 0}
 */
public record EnvoyStat(String name, String value) {

    /** The value as a number, when it is one. */
    public OptionalLong longValue() {
        try {
            return OptionalLong.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
