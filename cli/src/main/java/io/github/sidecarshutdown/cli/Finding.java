package io.github.sidecarshutdown.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One problem the linter found in a workload, with its one fix.
 *
 * @param rule     stable id, e.g. {@code grace-shorter-than-drain}
 * @param severity how bad
 * @param message  what is wrong, with the numbers
 * @param fix      the fix in words: its changes, then what only a person can do or decide
 * @param changes  the edits the fix makes, empty when it needs a person's judgement (a malformed
 *                 annotation, an invalid value); every finding of one container that sets the
 *                 same key sets it to the same value
 */
public record Finding(Rule rule, Severity severity, String message, String fix, List<Change> changes) {

    /** How bad a finding is; only errors fail the run. */
    public enum Severity { ERROR, WARNING, INFO }

    public Finding {
        changes = List.copyOf(changes);
    }

    /** A finding whose fix is a person's (no edit can be computed). */
    static Finding manual(Rule rule, Severity severity, String message, String fix) {
        return new Finding(rule, severity, message, fix, List.of());
    }

    /** A finding whose fix is {@code changes}, followed by {@code why} (may be empty). */
    static Finding fixedBy(Rule rule, Severity severity, String message, List<Change> changes, String why) {
        String words = changes.stream().map(Change::describe).collect(Collectors.joining("; "));
        return new Finding(rule, severity, message, why.isEmpty() ? words : words + " " + why, changes);
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", rule.id());
        m.put("severity", severity.name().toLowerCase(Locale.ROOT));
        m.put("message", message);
        m.put("fix", fix);
        m.put("changes", changes.stream().map(Change::toMap).toList());
        return m;
    }
}
