package io.github.sidecarshutdown.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One problem the linter found in a workload.
 *
 * @param rule     stable id, e.g. {@code grace-shorter-than-drain}
 * @param severity how bad
 * @param message  what is wrong, with the numbers
 * @param fix      the exact change that fixes it
 */
public record Finding(Rule rule, Severity severity, String message, String fix) {

    /** How bad a finding is; only errors fail the run. */
    public enum Severity { ERROR, WARNING, INFO }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", rule.id());
        m.put("severity", severity.name().toLowerCase(Locale.ROOT));
        m.put("message", message);
        m.put("fix", fix);
        return m;
    }
}
