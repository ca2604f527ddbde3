package io.github.sidecarshutdown.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinterTest {

    @Test
    void preStopSleepIsReadFromExecAndFromTheSleepAction() {
        assertThat(ContainerModel.preStopSleep(Map.of("lifecycle", Map.of("preStop", Map.of("exec",
                Map.of("command", List.of("/bin/sh", "-c", "sleep 5 && echo done"))))))).isEqualTo(Duration.ofSeconds(5));
        assertThat(ContainerModel.preStopSleep(Map.of("lifecycle", Map.of("preStop", Map.of("sleep", Map.of("seconds", 7))))))
                .isEqualTo(Duration.ofSeconds(7));
        assertThat(ContainerModel.preStopSleep(Map.of("lifecycle", Map.of("preStop", Map.of("exec",
                Map.of("command", List.of("sleep", "1.5"))))))).isEqualTo(Duration.ofMillis(1500));
        assertThat(ContainerModel.preStopSleep(Map.of("lifecycle", Map.of("preStop", Map.of("exec",
                Map.of("command", List.of("/bin/sh", "-c", "nosleep 5"))))))).isEqualTo(Duration.ZERO);
        assertThat(ContainerModel.preStopSleep(Map.of())).isEqualTo(Duration.ZERO);
    }

    @Test
    void aClassicJobThatReleasesTheSidecarItselfIsFine() throws Exception {
        String yaml = """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: j}
                spec:
                  template:
                    metadata:
                      labels: {sidecar.istio.io/inject: "true"}
                    spec:
                      containers:
                        - name: j
                          command: ["/bin/sh", "-c"]
                          args: ["trap 'curl -sf -XPOST http://127.0.0.1:15020/quitquitquit' EXIT; java -jar /app.jar"]
                """;
        List<Linter.Result> r = Linter.lint(ManifestReader.read("j.yaml", yaml).get(0));
        assertThat(r).singleElement().satisfies(x -> assertThat(x.findings()).isEmpty());
    }

    @Test
    void aLongerLibraryGracePeriodThanThePodsIsAnErrorAShorterOneAWarning() throws Exception {
        String template = """
                apiVersion: v1
                kind: Pod
                metadata: {name: p, annotations: {sidecar.istio.io/nativeSidecar: "true"}}
                spec:
                  terminationGracePeriodSeconds: %d
                  containers:
                    - name: app
                      env: [{name: SIDECAR_SHUTDOWN_GRACE_PERIOD, value: 40s}]
                      volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
                  volumes:
                    - name: podinfo
                      downwardAPI: {items: [{path: annotations, fieldRef: {fieldPath: metadata.annotations}}]}
                """;
        Finding longer = Linter.lint(ManifestReader.read("p", template.formatted(30)).get(0)).get(0).findings().stream()
                .filter(f -> f.rule() == Rule.GRACE_PERIOD_MISMATCH).findFirst().orElseThrow();
        Finding shorter = Linter.lint(ManifestReader.read("p", template.formatted(60)).get(0)).get(0).findings().stream()
                .filter(f -> f.rule() == Rule.GRACE_PERIOD_MISMATCH).findFirst().orElseThrow();

        assertThat(longer.severity()).isEqualTo(Finding.Severity.ERROR);
        assertThat(longer.message()).contains("its deadline lies after the kubelet's SIGKILL");
        assertThat(shorter.severity()).isEqualTo(Finding.Severity.WARNING);
        assertThat(shorter.fix()).isEqualTo("set SIDECAR_SHUTDOWN_GRACE_PERIOD: \"60s\" in container app");
    }

    @Test
    void everyRuleHasAKebabCaseId() {
        for (Rule r : Rule.values()) {
            assertThat(r.id()).matches("[a-z]+(-[a-z]+)*");
        }
    }

    private static final String CLASSIC_JOB = """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: j}
            spec:
              template:
                metadata:
                  labels: {sidecar.istio.io/inject: "true"}
                  annotations: {proxy.istio.io/config: '{"terminationDrainDuration": "25s"}'}
                spec:
                  containers:
                    - name: j
                      env: [%s]
                      volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
                  volumes:
                    - name: podinfo
                      downwardAPI: {items: [%s]}
            """;
    private static final String ANNOTATIONS_ITEM = "{path: annotations, fieldRef: {fieldPath: metadata.annotations}}";
    private static final String LABELS_ITEM = "{path: labels, fieldRef: {fieldPath: metadata.labels}}";

    private static List<String> rules(String yaml) throws Exception {
        return Linter.lint(ManifestReader.read("j.yaml", yaml).get(0)).get(0).findings().stream().map(f -> f.rule().id()).toList();
    }

    @Test
    void aClassicJobUsingTheLibraryInJobModeIsFineWhicheverWayJobModeIsSaid() throws Exception {
        // the setting, or auto with the labels mounted where the library reads them
        assertThat(rules(CLASSIC_JOB.formatted("{name: SIDECAR_SHUTDOWN_WORKLOAD, value: job}", ANNOTATIONS_ITEM))).isEmpty();
        assertThat(rules(CLASSIC_JOB.formatted("{name: SIDECAR_SHUTDOWN_GRACE_PERIOD, value: 30s}",
                ANNOTATIONS_ITEM + ", " + LABELS_ITEM))).isEmpty();
        assertThat(rules(CLASSIC_JOB.formatted("{name: SIDECAR_SHUTDOWN_WORKLOAD, value: auto}",
                ANNOTATIONS_ITEM + ", " + LABELS_ITEM))).isEmpty();
    }

    @Test
    void aMisspeltVariableIsRenamedRemovedBesideTheRealOneAndLeftToAPersonWhenNothingIsClose() throws Exception {
        // renamed, keeping its value; nothing else found: the job mode is set right
        List<Finding> renamed = Linter.lint(ManifestReader.read("j.yaml", CLASSIC_JOB.formatted(
                "{name: SIDECAR_SHUTDOWN_WORKLOAD, value: job}, {name: SIDECAR_SHUTDOWN_Grace_Period, value: 30s}",
                ANNOTATIONS_ITEM)).get(0)).get(0).findings();
        assertThat(renamed).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo(Rule.UNKNOWN_SETTING);
            assertThat(f.severity()).isEqualTo(Finding.Severity.WARNING);
            assertThat(f.message()).isEqualTo("container j: SIDECAR_SHUTDOWN_Grace_Period names no sidecar-shutdown setting and is "
                    + "ignored; did you mean SIDECAR_SHUTDOWN_GRACE_PERIOD? Every setting: docs/configuration.md");
            assertThat(f.fix()).isEqualTo("remove SIDECAR_SHUTDOWN_Grace_Period from container j; "
                    + "set SIDECAR_SHUTDOWN_GRACE_PERIOD: \"30s\" in container j");
        });

        // beside the setting it meant: only removed
        List<Finding> beside = Linter.lint(ManifestReader.read("j.yaml", CLASSIC_JOB.formatted(
                "{name: SIDECAR_SHUTDOWN_WORKLOAD, value: job}, {name: SIDECAR_SHUTDOWN_WORKLOADS, value: job}",
                ANNOTATIONS_ITEM)).get(0)).get(0).findings();
        assertThat(beside).singleElement().satisfies(f -> assertThat(f.fix())
                .isEqualTo("remove SIDECAR_SHUTDOWN_WORKLOADS from container j (SIDECAR_SHUTDOWN_WORKLOAD is set)"));

        // close to nothing: no guess, no edit
        List<Finding> unknown = Linter.lint(ManifestReader.read("j.yaml", CLASSIC_JOB.formatted(
                "{name: SIDECAR_SHUTDOWN_WORKLOAD, value: job}, {name: SIDECAR_SHUTDOWN_FEATURE_FLAGS, value: x}",
                ANNOTATIONS_ITEM)).get(0)).get(0).findings();
        assertThat(unknown).singleElement().satisfies(f -> {
            assertThat(f.changes()).isEmpty();
            assertThat(f.fix()).isEqualTo("Rename SIDECAR_SHUTDOWN_FEATURE_FLAGS in container j to the setting you meant, or remove it");
        });
    }

    @Test
    void aClassicJobUsingTheLibraryAsAServiceIsAnErrorWhoseFixNamesTheVariable() throws Exception {
        // labels mounted, but the workload said outright to be a service
        List<Linter.Result> r = Linter.lint(ManifestReader.read("j.yaml", CLASSIC_JOB.formatted(
                "{name: SIDECAR_SHUTDOWN_WORKLOAD, value: service}", ANNOTATIONS_ITEM + ", " + LABELS_ITEM)).get(0));

        assertThat(r.get(0).findings()).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo(Rule.JOB_WITHOUT_JOB_WORKLOAD);
            assertThat(f.severity()).isEqualTo(Finding.Severity.ERROR);
            assertThat(f.message()).contains("SIDECAR_SHUTDOWN_WORKLOAD=service");
            assertThat(f.fix()).startsWith("set SIDECAR_SHUTDOWN_WORKLOAD: \"job\" in container j");
        });
    }

    @Test
    void aJobInJobModeIsPlannedAsAJob() throws Exception {
        Linter.Result r = Linter.lint(ManifestReader.read("j.yaml", CLASSIC_JOB.formatted(
                "{name: SIDECAR_SHUTDOWN_GRACE_PERIOD, value: 30s}", ANNOTATIONS_ITEM + ", " + LABELS_ITEM)).get(0)).get(0);

        assertThat(r.plan().workload()).isEqualTo(io.github.sidecarshutdown.Workload.JOB);
        assertThat(r.plan().render()).contains("workload job", "keep serving 0ms");
    }

    @Test
    void anAmbientPodWithoutSidecarCallsIsCleanAndPlannedAsAmbient() throws Exception {
        String yaml = """
                apiVersion: v1
                kind: Pod
                metadata: {name: p, annotations: {ambient.istio.io/redirection: enabled}}
                spec:
                  containers:
                    - name: app
                      env: [{name: SIDECAR_SHUTDOWN_GRACE_PERIOD, value: 30s}]
                      command: ["java", "-jar", "/app.jar", "--port=15000"]
                      lifecycle: {preStop: {sleep: {seconds: 0}}}
                      volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
                  volumes:
                    - name: podinfo
                      downwardAPI: {items: [{path: annotations, fieldRef: {fieldPath: metadata.annotations}}]}
                """;
        Linter.Result r = Linter.lint(ManifestReader.read("p.yaml", yaml).get(0)).get(0);

        assertThat(r.findings()).isEmpty();
        assertThat(r.plan().facts().mode()).isEqualTo(io.github.sidecarshutdown.sidecar.SidecarMode.AMBIENT);
    }

    @Test
    void anAmbientPodCallingPilotAgentInItsCommandGetsTheWarning() throws Exception {
        String yaml = """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: j}
                spec:
                  template:
                    metadata: {annotations: {ambient.istio.io/redirection: enabled}}
                    spec:
                      containers:
                        - name: j
                          command: ["/bin/sh", "-c"]
                          args: ["java -jar /app.jar; curl -XPOST 127.0.0.1:15020/quitquitquit"]
                """;
        assertThat(rules(yaml)).containsExactly("ambient-sidecar-call");
    }
}
