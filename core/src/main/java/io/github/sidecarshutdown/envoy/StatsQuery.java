package io.github.sidecarshutdown.envoy;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The query of {@code GET /stats}: an RE2 {@code filter} (partial match; anchor with {@code ^...$})
 * and {@code usedonly}.
 *
 * @param filter   regular expression, or null for every stat
 * @param usedOnly whether to return only stats that were ever written
 */
public record StatsQuery(@Nullable String filter, boolean usedOnly) {

    /** Every stat. */
    public static StatsQuery all() {
        return new StatsQuery(null, false);
    }

    /** Stats whose name matches {@code regex}. */
    public static StatsQuery filter(String regex) {
        return new StatsQuery(Objects.requireNonNull(regex, "regex"), false);
    }

    /** The same query with {@code usedonly}. */
    public StatsQuery withUsedOnly() {
        return new StatsQuery(filter, true);
    }
}
