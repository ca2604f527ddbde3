package io.github.sidecarshutdown.testkit.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Ordered, case-insensitive HTTP/1.1 header list (names keep the case they were written with). */
final class HttpHeaders {

    private final List<String[]> entries = new ArrayList<>();

    HttpHeaders add(String name, String value) {
        entries.add(new String[] {name, value});
        return this;
    }

    HttpHeaders set(String name, String value) {
        remove(name);
        return add(name, value);
    }

    void remove(String name) {
        entries.removeIf(e -> e[0].equalsIgnoreCase(name));
    }

    @Nullable String first(String name) {
        for (String[] e : entries) {
            if (e[0].equalsIgnoreCase(name)) {
                return e[1];
            }
        }
        return null;
    }

    boolean contains(String name) {
        return first(name) != null;
    }

    /** True if any header {@code name} lists {@code token} (comma separated, case-insensitive). */
    boolean hasToken(String name, String token) {
        for (String[] e : entries) {
            if (e[0].equalsIgnoreCase(name)) {
                for (String part : e[1].split(",")) {
                    if (part.trim().equalsIgnoreCase(token)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    List<String[]> entries() {
        return entries;
    }

    HttpHeaders copy() {
        HttpHeaders copy = new HttpHeaders();
        for (String[] e : entries) {
            copy.add(e[0], e[1]);
        }
        return copy;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
