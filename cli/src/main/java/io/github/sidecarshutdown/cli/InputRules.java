package io.github.sidecarshutdown.cli;

import io.github.sidecarshutdown.cli.Finding.Severity;
import io.github.sidecarshutdown.internal.UnknownVariables;
import java.util.List;
import java.util.Set;

/**
 * What the library could not read at all: a malformed annotation, an invalid setting (their fixes are
 * a person's); and a variable it would ignore, which names no setting (renamed to the one it most
 * likely meant).
 */
final class InputRules {

    private InputRules() {
    }

    static void check(ContainerModel m, List<Finding> findings) {
        if (m.podError != null) {
            findings.add(Finding.manual(Rule.MALFORMED_ANNOTATION, Severity.ERROR, m.podError.getMessage(),
                    "Write proxy.istio.io/config as a YAML map, or as JSON such as '{\"terminationDrainDuration\": \"25s\"}', "
                            + "with plain values in the fields the library reads (terminationDrainDuration, "
                            + "holdApplicationUntilProxyStarts, proxyMetadata.EXIT_ON_ZERO_ACTIVE_CONNECTIONS and "
                            + "proxyMetadata.MINIMUM_DRAIN_DURATION); lists and block scalars elsewhere are fine"));
        }
        if (m.settingError != null) {
            findings.add(Finding.manual(Rule.INVALID_SETTING, Severity.ERROR, m.settingError.getMessage(),
                    "Fix the value of " + m.settingError.source() + " in container " + m.name + "; the app would fail at startup"));
        }
        Set<String> known = UnknownVariables.libraryVariables();
        for (String name : UnknownVariables.in(m.env.keySet(), known)) {
            String message = "container " + m.name + ": " + UnknownVariables.describe(name, known);
            String meant = UnknownVariables.closest(name, known);
            if (meant == null) {
                findings.add(Finding.manual(Rule.UNKNOWN_SETTING, Severity.WARNING, message,
                        "Rename " + name + " in container " + m.name + " to the setting you meant, or remove it"));
            } else if (m.env.containsKey(meant)) {
                // The setting is there too: the misspelt copy only misleads whoever reads the manifest.
                findings.add(Finding.fixedBy(Rule.UNKNOWN_SETTING, Severity.WARNING, message,
                        List.of(Change.env(m.name, name, null)), "(" + meant + " is set)"));
            } else {
                findings.add(Finding.fixedBy(Rule.UNKNOWN_SETTING, Severity.WARNING, message,
                        List.of(Change.env(m.name, name, null), Change.env(m.name, meant, m.env.get(name))), ""));
            }
        }
    }
}
