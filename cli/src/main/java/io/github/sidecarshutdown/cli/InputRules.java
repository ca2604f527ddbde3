package io.github.sidecarshutdown.cli;

import io.github.sidecarshutdown.cli.Finding.Severity;
import java.util.List;

/** What the library could not read at all: a malformed annotation, an invalid setting. Their fixes are a person's. */
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
    }
}
