package io.github.sidecarshutdown.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.cli.Finding.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One fix per problem, and the fixes agree: for every broken manifest of the table, every finding
 * that sets a value sets the same one, and applying every suggested fix (errors' and warnings')
 * to the manifest leaves no error when it is linted again.
 */
class FixAgreementTest {

    private static final Path MANIFESTS = Path.of("src/test/resources/manifests");
    /** Errors no edit can fix without a person: what the malformed text or invalid value should have said. */
    private static final Set<Rule> NEEDS_A_PERSON = EnumSet.of(Rule.MALFORMED_ANNOTATION, Rule.INVALID_SETTING);

    /** The table: every manifest of bad/ whose errors all have an edit, and fixable/ (combinations of constraints). */
    static Stream<Path> table() throws IOException {
        List<Path> rows = new ArrayList<>();
        for (String dir : List.of("bad", "fixable")) {
            try (Stream<Path> files = Files.list(MANIFESTS.resolve(dir))) {
                files.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(rows::add);
            }
        }
        rows.removeIf(p -> List.of("malformed-annotation.yaml", "invalid-setting.yaml", "unreadable.yaml")
                .contains(p.getFileName().toString()));
        return rows.stream();
    }

    private static List<Linter.Result> lint(String file, String text) throws Exception {
        List<Linter.Result> out = new ArrayList<>();
        for (Workload w : ManifestReader.read(file, text)) {
            out.addAll(Linter.lint(w));
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("table")
    void everySuggestedValueAgreesAndApplyingEveryFixLeavesNoError(Path manifest) throws Exception {
        String text = Files.readString(manifest, StandardCharsets.UTF_8);
        List<Linter.Result> before = lint(manifest.toString(), text);
        List<Finding> findings = before.stream().flatMap(r -> r.findings().stream()).toList();
        assertThat(findings).as("a row of the table must have something to fix").isNotEmpty();

        // every finding that suggests a value for a key suggests the same one
        Map<Workload, List<Change>> changes = new LinkedHashMap<>();
        Map<String, String> suggested = new LinkedHashMap<>();
        for (Linter.Result r : before) {
            for (Finding f : r.findings()) {
                if (f.severity() == Severity.ERROR) {
                    assertThat(f.changes()).as(f.rule().id() + " is an error whose fix edits nothing: " + f.fix()).isNotEmpty();
                }
                for (Change c : f.changes()) {
                    String key = r.workload().title() + " " + c.target() + " " + c.path() + " " + c.key();
                    String earlier = suggested.putIfAbsent(key, String.valueOf(c.value()));
                    assertThat(String.valueOf(c.value())).as("%s: %s suggests %s, an earlier finding %s", manifest, f.rule().id(),
                            c.value(), earlier).isEqualTo(earlier == null ? String.valueOf(c.value()) : earlier);
                    changes.computeIfAbsent(r.workload(), k -> new ArrayList<>()).add(c);
                }
            }
        }

        // apply them all, the way the fix texts say, and lint again
        String fixed = text;
        for (Map.Entry<Workload, List<Change>> e : changes.entrySet()) {
            fixed = FixApplier.apply(fixed, e.getKey(), e.getValue());
        }
        List<Finding> after = lint(manifest.toString(), fixed).stream().flatMap(r -> r.findings().stream()).toList();
        assertThat(after).as("%s after every fix:%n%s%nfindings before: %s", manifest, fixed, findings)
                .noneMatch(f -> f.severity() == Severity.ERROR);
    }

    @Test
    void theTableHoldsEveryBadManifestWhoseErrorsAnEditCanFix() throws Exception {
        List<Path> table = table().toList();
        try (Stream<Path> files = Files.list(MANIFESTS.resolve("bad"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                if (table.contains(p)) {
                    continue;
                }
                List<Finding> findings;
                try {
                    findings = lint(p.toString(), Files.readString(p, StandardCharsets.UTF_8)).stream()
                            .flatMap(r -> r.findings().stream()).toList();
                } catch (ManifestReader.UnreadableException e) {
                    continue; // nothing to fix: the file is not YAML
                }
                assertThat(findings).as(p.toString()).anyMatch(f -> NEEDS_A_PERSON.contains(f.rule()));
            }
        }
        assertThat(table).hasSizeGreaterThanOrEqualTo(25);
    }
}
