package io.github.sidecarshutdown.internal;

import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.Meshes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Environment variables that carry the library's prefix but name no setting: a misspelled
 * {@code SIDECAR_SHUTDOWN_GRACEPERIOD} would otherwise leave the default in force without a word.
 * Each is reported with the setting it most likely meant. Warned about, not refused: a variable the
 * library does not know may belong to a newer version of it, or to a tool beside it. Not API.
 */
public final class UnknownVariables {

    /** The prefix of every variable the library reads. */
    public static final String PREFIX = "SIDECAR_SHUTDOWN_";

    private UnknownVariables() {
    }

    /**
     * Every variable the library reads: its own settings' and each mesh's. {@code fromEnvironment}
     * gathers the same names in the loop that reads them, so that a build loads no class for this.
     */
    public static Set<String> libraryVariables() {
        Set<String> names = new HashSet<>();
        for (Setting s : Setting.values()) {
            names.add(s.envName());
        }
        for (MeshSetting s : Meshes.settings()) {
            names.add(s.envName());
        }
        return Set.copyOf(names);
    }

    /** The variables in {@code names} that have the prefix and are not in {@code known}, sorted. */
    public static List<String> in(Collection<String> names, Set<String> known) {
        Set<String> unknown = new TreeSet<>();
        for (String n : names) {
            if (n.startsWith(PREFIX) && !known.contains(n)) {
                unknown.add(n);
            }
        }
        return List.copyOf(unknown);
    }

    /** One line about {@code name}: that it is ignored, and the known variable it is closest to, if one is close. */
    public static String describe(String name, Collection<String> known) {
        String closest = closest(name, known);
        return name + " names no sidecar-shutdown setting and is ignored"
                + (closest == null ? "." : "; did you mean " + closest + "?")
                + " Every setting: docs/configuration.md";
    }

    /**
     * The known name that differs from {@code name} only in underscores and case, or else by at most
     * a quarter of its letters (two at least); null when none is that close.
     */
    public static @Nullable String closest(String name, Collection<String> known) {
        String bare = bare(name);
        List<String> sorted = new ArrayList<>(known);
        sorted.sort(null);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : sorted) {
            if (bare(k).equals(bare)) {
                return k;
            }
            int d = distance(name.toUpperCase(Locale.ROOT), k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        int allowed = Math.max(2, (name.length() - PREFIX.length()) / 4);
        return bestDistance <= allowed ? best : null;
    }

    private static String bare(String name) {
        return name.replace("_", "").toUpperCase(Locale.ROOT);
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
