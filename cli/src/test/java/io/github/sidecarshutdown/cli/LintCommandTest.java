package io.github.sidecarshutdown.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class LintCommandTest {

    private static final Path MANIFESTS = Path.of("src/test/resources/manifests");

    /** What one run printed and returned. */
    record Run(int code, String out, String err) {
    }

    static Run lint(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Stream<Path> goodManifests() throws IOException {
        return Stream.concat(Files.list(MANIFESTS.resolve("good")), Files.list(Path.of("../examples/kubernetes")))
                .filter(p -> p.toString().endsWith(".yaml")).sorted();
    }

    @ParameterizedTest
    @MethodSource("goodManifests")
    void goodManifestsAreCleanWithoutAnyFinding(Path manifest) {
        // when
        Run run = lint("lint", "--json", manifest.toString());

        // then
        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(Main.CLEAN);
        Map<?, ?> json = (Map<?, ?>) parseJson(run.out());
        List<?> workloads = (List<?>) json.get("workloads");
        assertThat(workloads).isNotEmpty();
        for (Object w : workloads) {
            assertThat((List<?>) ((Map<?, ?>) w).get("findings")).as(run.out()).isEmpty();
        }
    }

    /** Regression: a list anywhere in proxy.istio.io/config made the linter call a valid manifest malformed. */
    @Test
    void aProxyConfigWithListsLintsCleanAndItsWindowIsRead() {
        // when
        Run run = lint("lint", "--json", MANIFESTS.resolve("good/proxy-config-with-lists.yaml").toString());

        // then
        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(Main.CLEAN);
        Map<?, ?> workload = (Map<?, ?>) ((List<?>) ((Map<?, ?>) parseJson(run.out())).get("workloads")).get(0);
        assertThat((List<?>) workload.get("findings")).as(run.out()).isEmpty();
        Map<?, ?> plan = (Map<?, ?>) workload.get("plan");
        assertThat(plan.get("sidecarMode")).isEqualTo("istio");
        assertThat(plan.get("outboundWindowMs").toString()).isEqualTo("25000");
    }

    @Test
    void aListInAFieldTheLibraryReadsIsStillMalformed() {
        // when: terminationDrainDuration: [25s]
        Run run = lint("lint", MANIFESTS.resolve("bad/malformed-annotation.yaml").toString());

        // then
        assertThat(run.code()).isEqualTo(Main.ERRORS);
        assertThat(run.out()).contains("malformed-annotation")
                .contains("terminationDrainDuration must be a duration such as 30s, not a sequence");
    }

    @Test
    void theExamplesCoverClassicNativeAndExitOnZero() {
        Run run = lint("lint", "../examples/kubernetes/plain-java.yaml", "../examples/kubernetes/batch-job-native.yaml",
                "../examples/kubernetes/statefulset-exit-on-zero.yaml");

        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("sidecar istio, outbound window 25s [manifest annotations]")
                .contains("sidecar native, no outbound window")
                .contains("(exit on zero connections)")
                .contains("3 workload container(s) checked: 0 error(s), 0 warning(s)");
    }

    @ParameterizedTest
    @CsvSource({
        "grace-shorter-than-drain.yaml, grace-shorter-than-drain, ERROR, 1, set spec.template.spec.terminationGracePeriodSeconds: 27",
        "prestop-exceeds-grace.yaml, prestop-exceeds-grace, ERROR, 1, set spec.template.spec.terminationGracePeriodSeconds: 31; set SIDECAR_SHUTDOWN_GRACE_PERIOD: \"16s\" in container app",
        "cleanup-exceeds-window.yaml, cleanup-exceeds-window, ERROR, 1, set terminationDrainDuration: \"26s\" in the Pod template",
        "plan-exceeds-grace.yaml, plan-exceeds-grace, ERROR, 1, set spec.template.spec.terminationGracePeriodSeconds: 32; set SIDECAR_SHUTDOWN_GRACE_PERIOD: \"32s\" in container app",
        "exit-on-zero-without-minimum.yaml, exit-on-zero-without-minimum, WARNING, 0, MINIMUM_DRAIN_DURATION: \"21s\"",
        "hold-off-with-startup-calls.yaml, hold-off-with-startup-calls, WARNING, 0, holdApplicationUntilProxyStarts: true",
        "job-without-sidecar-release.yaml, job-without-sidecar-release, ERROR, 1, sidecar.istio.io/nativeSidecar: \"true\"",
        "grace-period-mismatch.yaml, grace-period-mismatch, ERROR, 1, set SIDECAR_SHUTDOWN_GRACE_PERIOD: \"20s\"",
        "malformed-annotation.yaml, malformed-annotation, ERROR, 1, Write proxy.istio.io/config as a YAML map",
        "invalid-setting.yaml, invalid-setting, ERROR, 1, Fix the value of SIDECAR_SHUTDOWN_DRAIN_TIMEOUT",
        "unknown-setting.yaml, unknown-setting, WARNING, 0, remove SIDECAR_SHUTDOWN_GRACEPERIOD from container app; set SIDECAR_SHUTDOWN_GRACE_PERIOD: \"30s\" in container app",
        "annotations-not-mounted.yaml, annotations-not-mounted, WARNING, 0, fieldRef: {fieldPath: metadata.annotations}",
        "job-without-job-workload.yaml, job-without-job-workload, ERROR, 1, set SIDECAR_SHUTDOWN_WORKLOAD: \"job\" in container export",
        "ambient-sidecar-call.yaml, ambient-sidecar-call, WARNING, 0, remove the call from container app",
        "onfailure-released-sidecar.yaml, onfailure-released-sidecar, ERROR, 1, set spec.template.spec.restartPolicy: Never",
        "onfailure-quitquitquit.yaml, onfailure-released-sidecar, ERROR, 1, set spec.jobTemplate.spec.template.spec.restartPolicy: Never",
        "job-release-disabled.yaml, job-release-disabled, ERROR, 1, remove SIDECAR_SHUTDOWN_RELEASE_SIDECAR from container export; set spec.template.spec.restartPolicy: Never",
        "job-workload-in-service.yaml, job-workload-in-service, ERROR, 1, set SIDECAR_SHUTDOWN_WORKLOAD: \"service\" in container api",
        "grace-shorter-and-plan-exceeds.yaml, grace-shorter-than-drain, ERROR, 1, set spec.template.spec.terminationGracePeriodSeconds: 28;",
        "grace-shorter-and-plan-exceeds.yaml, plan-exceeds-grace, ERROR, 1, set spec.template.spec.terminationGracePeriodSeconds: 28;"
    })
    void eachBadManifestReportsItsFindingWithTheExactFix(String file, String rule, String severity, int code, String fix) {
        // when
        Run run = lint("lint", "--json", MANIFESTS.resolve("bad").resolve(file).toString());

        // then
        assertThat(run.code()).as(run.out()).isEqualTo(code);
        Map<?, ?> json = (Map<?, ?>) parseJson(run.out());
        List<?> findings = (List<?>) ((Map<?, ?>) ((List<?>) json.get("workloads")).get(0)).get("findings");
        assertThat(findings).as(run.out()).anySatisfy(f -> {
            Map<?, ?> m = (Map<?, ?>) f;
            assertThat(m.get("rule")).isEqualTo(rule);
            assertThat(m.get("severity")).isEqualTo(severity.toLowerCase(java.util.Locale.ROOT));
            assertThat((String) m.get("fix")).contains(fix.replace("\\\"", "\""));
        });
    }

    @Test
    void textOutputNamesTheWorkloadTheSeverityTheFixAndTheTimeline() {
        Run run = lint("lint", MANIFESTS.resolve("bad/grace-shorter-than-drain.yaml").toString());

        assertThat(run.code()).isEqualTo(Main.ERRORS);
        assertThat(run.out())
                .contains("Deployment/short-grace (container app)")
                .contains("ERROR grace-shorter-than-drain: terminationGracePeriodSeconds=10 is shorter than the sidecar's drain window 25s")
                .contains("fix: set spec.template.spec.terminationGracePeriodSeconds: 27")
                .contains("expected timeline (from SIGTERM):")
                .contains("sidecar_release")
                .contains("1 workload container(s) checked: 1 error(s), 0 warning(s)");
    }

    @Test
    void unreadableInputExitsWith2AndStillLintsTheRest() {
        Run run = lint("lint", MANIFESTS.resolve("bad/unreadable.yaml").toString(), "does-not-exist.yaml",
                MANIFESTS.resolve("bad/grace-shorter-than-drain.yaml").toString());

        assertThat(run.code()).isEqualTo(Main.INCOMPLETE);
        assertThat(run.err()).contains("UNREADABLE " + MANIFESTS.resolve("bad/unreadable.yaml") + ": not readable as YAML")
                .contains("does-not-exist.yaml: cannot read");
        assertThat(run.out()).contains("grace-shorter-than-drain");
    }

    @Test
    void severalWorkloadsAndKindsInOneFile() {
        Run run = lint("lint", "--json", MANIFESTS.resolve("good/mixed-kinds.yaml").toString());

        Map<?, ?> json = (Map<?, ?>) parseJson(run.out());
        assertThat((List<?>) json.get("workloads")).extracting(w -> ((Map<?, ?>) w).get("kind") + "/" + ((Map<?, ?>) w).get("name"))
                .containsExactly("StatefulSet/ledger", "CronJob/cleanup", "Pod/debug");
        Map<?, ?> ledger = (Map<?, ?>) ((List<?>) json.get("workloads")).get(0);
        Map<?, ?> plan = (Map<?, ?>) ledger.get("plan");
        assertThat(plan.get("sidecarMode")).isEqualTo("istio");
        assertThat(plan.get("outboundWindowMs").toString()).isEqualTo("25000"); // MINIMUM_DRAIN_DURATION with exit-on-zero
        assertThat(json.get("exitCode").toString()).isEqualTo("0");
    }

    @Test
    void usageErrorsExitWith2WithTheUsageOnStderr() {
        for (String[] args : List.of(new String[0], new String[] {"lint"}, new String[] {"lint", "--yaml", "x"},
                new String[] {"check", "x"}, new String[] {"--hlep"})) {
            Run run = lint(args);
            assertThat(run.code()).as(String.join(" ", args)).isEqualTo(Main.INCOMPLETE);
            assertThat(run.err()).as(String.join(" ", args)).contains("usage: sidecar-shutdown-cli lint [--json] FILE...");
            assertThat(run.out()).as(String.join(" ", args)).isEmpty();
        }
        assertThat(lint("check", "x").err()).startsWith("unknown command check");
    }

    @ParameterizedTest
    @CsvSource({"--help", "-h", "help", "lint --help", "lint -h", "lint --json x.yaml --help"})
    void helpPrintsTheUsageOnStdoutAndExits0(String args) {
        Run run = lint(args.split(" "));

        assertThat(run.code()).isEqualTo(Main.CLEAN);
        assertThat(run.out()).contains("usage: sidecar-shutdown-cli lint [--json] FILE...").contains("Exit code: 0 no error")
                .contains("docs/linter.md");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void documentsThatAreNotWorkloadsAreListedAsSkippedWithTheReason() {
        Run text = lint("lint", MANIFESTS.resolve("good/workload-beside-configmap.yaml").toString());
        Run json = lint("lint", "--json", MANIFESTS.resolve("good/workload-beside-configmap.yaml").toString());

        assertThat(text.code()).as(text.out()).isEqualTo(Main.CLEAN);
        assertThat(text.out()).contains("ConfigMap/web-settings skipped: not a workload")
                .contains("1 workload container(s) checked: 0 error(s), 0 warning(s), 1 document(s) skipped");
        Map<?, ?> root = (Map<?, ?>) parseJson(json.out());
        assertThat((List<?>) root.get("skipped")).singleElement().satisfies(s -> {
            Map<?, ?> m = (Map<?, ?>) s;
            assertThat(m.get("kind")).isEqualTo("ConfigMap");
            assertThat(m.get("name")).isEqualTo("web-settings");
            assertThat(m.get("document").toString()).isEqualTo("1");
            assertThat((String) m.get("reason")).startsWith("not a workload");
        });
        assertThat(root.get("checked").toString()).isEqualTo("1");
    }

    @Test
    void inputWithoutAnyWorkloadSaysNothingWasCheckedAndExits2() {
        Path file = MANIFESTS.resolve("skipped/not-workloads.yaml");
        Run text = lint("lint", file.toString());
        Run json = lint("lint", "--json", file.toString());

        assertThat(text.code()).as(text.out()).isEqualTo(Main.INCOMPLETE);
        assertThat(text.out())
                .contains(file + ": ConfigMap/settings skipped: not a workload")
                .contains(file + ": Service/api skipped: not a workload")
                .contains(file + ": Pod/patch skipped: no containers at spec.containers (a fragment?)")
                .contains(file + ": document 4 skipped: no kind: not a Kubernetes object")
                .contains(file + ": Rollout/canary skipped: not a workload: the linter reads the Pod template of Deployment")
                .contains(file + ": Pod/only-proxy skipped: only sidecar containers")
                .contains("nothing was checked: no input document is a workload, 6 document(s) skipped")
                .doesNotContain("workload container(s) checked");
        assertThat(text.err()).contains("nothing was checked: no input document is a workload (6 skipped)");
        Map<?, ?> root = (Map<?, ?>) parseJson(json.out());
        assertThat(json.code()).isEqualTo(Main.INCOMPLETE);
        assertThat(root.get("exitCode").toString()).isEqualTo("2");
        assertThat(root.get("checked").toString()).isEqualTo("0");
        assertThat((List<?>) root.get("workloads")).isEmpty();
        assertThat((List<?>) root.get("skipped")).hasSize(6);
    }

    @Test
    void anEmptyFileIsNothingChecked() throws IOException {
        Path empty = Files.createTempFile("empty", ".yaml");
        try {
            Run run = lint("lint", empty.toString());

            assertThat(run.code()).isEqualTo(Main.INCOMPLETE);
            assertThat(run.err()).contains("nothing was checked: no input document is a workload (the input holds no document)");
        } finally {
            Files.delete(empty);
        }
    }

    @Test
    void aWorkloadInOneFileIsEnoughForTheOthersToBeOnlySkipped() {
        Run run = lint("lint", MANIFESTS.resolve("skipped/not-workloads.yaml").toString(),
                MANIFESTS.resolve("bad/grace-shorter-than-drain.yaml").toString());

        assertThat(run.code()).isEqualTo(Main.ERRORS);
        assertThat(run.out()).contains("1 workload container(s) checked: 1 error(s), 0 warning(s), 6 document(s) skipped");
    }

    /** JSON is YAML: the linter's output read back with the YAML parser it ships with. */
    private static Object parseJson(String json) {
        return new org.yaml.snakeyaml.Yaml().load(json);
    }
}
