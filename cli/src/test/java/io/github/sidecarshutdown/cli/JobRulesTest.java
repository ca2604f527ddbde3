package io.github.sidecarshutdown.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What ends a classic sidecar in a Job's Pod, and what must not end it in a service's: the rules of
 * issue 20 item 3 (restart in place after a release, a release turned off, job mode in a service).
 */
class JobRulesTest {

    /** A Job's Pod template: annotations, restartPolicy, the app's env, its command. */
    private static final String JOB = """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: j}
            spec:
              template:
                metadata:
                  annotations: {%s}
                spec:
                  restartPolicy: %s
                  containers:
                    - name: app
                      env: [%s]
                      command: [%s]
                      volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
                  volumes:
                    - name: podinfo
                      downwardAPI: {items: [{path: annotations, fieldRef: {fieldPath: metadata.annotations}}]}
            """;
    private static final String ISTIO = "sidecar.istio.io/inject: \"true\", proxy.istio.io/config: '{\"terminationDrainDuration\": \"25s\"}'";
    private static final String JOB_MODE = "{name: SIDECAR_SHUTDOWN_WORKLOAD, value: job}";
    private static final String RELEASE_OFF = "{name: SIDECAR_SHUTDOWN_RELEASE_SIDECAR, value: \"false\"}";
    private static final String JAVA = "java, -jar, /app.jar";
    private static final String TRAP = "/bin/sh, -c, \"trap 'curl -sf -XPOST http://127.0.0.1:15020/quitquitquit' EXIT; java -jar /app.jar\"";

    private static List<Finding> lint(String yaml) throws Exception {
        return Linter.lint(ManifestReader.read("m.yaml", yaml).get(0)).get(0).findings();
    }

    private static List<Finding> of(List<Finding> findings, Rule rule) {
        return findings.stream().filter(f -> f.rule() == rule).toList();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sidecar.istio.io/inject: \"true\"                       | classic Istio",
        "linkerd.io/inject: enabled                              | Linkerd",
        "dapr.io/enabled: \"true\"                               | Dapr",
        "consul.hashicorp.com/connect-inject: \"true\"           | Consul",
        "kuma.io/sidecar-injection: enabled                      | Kuma"
    })
    void aClassicSidecarReleasedInJobModeUnderOnFailureIsAnErrorWhoseFixIsRestartPolicyNever(String annotations, String sidecar)
            throws Exception {
        List<Finding> f = lint(JOB.formatted(annotations, "OnFailure", JOB_MODE, JAVA));

        assertThat(of(f, Rule.ONFAILURE_RELEASED_SIDECAR)).as(f.toString()).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Finding.Severity.ERROR);
            assertThat(x.message()).contains("a " + sidecar + " sidecar that sidecar-shutdown (job mode) in container app releases")
                    .contains("every retry's outbound calls fail until backoffLimit fails the Job");
            assertThat(x.changes()).containsExactly(new Change(Change.Target.POD_SPEC, "spec.template.spec.restartPolicy",
                    "restartPolicy", "Never"));
            assertThat(x.fix()).startsWith("set spec.template.spec.restartPolicy: Never (the Job controller retries in a new Pod");
        });
    }

    @Test
    void aShellTrapThatQuitsTheSidecarUnderOnFailureIsTheSameError() throws Exception {
        List<Finding> f = lint(JOB.formatted(ISTIO, "OnFailure", "", TRAP));

        assertThat(f).extracting(x -> x.rule().id()).containsExactly("onfailure-released-sidecar");
        assertThat(f.get(0).message()).contains("the command of container app ends");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // Never: the Job controller retries with a new Pod and a new sidecar
        "Never|" + ISTIO + "|" + JOB_MODE,
        // a native sidecar: the kubelet restarts it, and the library never releases it
        "OnFailure|sidecar.istio.io/nativeSidecar: \"true\"|" + JOB_MODE,
        "OnFailure|linkerd.io/inject: enabled, config.alpha.linkerd.io/proxy-enable-native-sidecar: \"true\"|" + JOB_MODE,
        "OnFailure|consul.hashicorp.com/connect-inject: \"true\", consul.hashicorp.com/enable-consul-dataplane-as-sidecar: \"true\"|"
                + JOB_MODE,
        // ambient: no sidecar at all
        "OnFailure|ambient.istio.io/redirection: enabled|" + JOB_MODE,
    })
    void noRestartInPlaceErrorWithoutAClassicSidecarReleasedUnderOnFailure(String row) throws Exception {
        String[] r = row.split("\\|");
        List<Finding> f = lint(JOB.formatted(r[1], r[0], r[2], JAVA));

        assertThat(f).as(row).noneMatch(x -> x.rule() == Rule.ONFAILURE_RELEASED_SIDECAR);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sidecar.istio.io/inject: \"true\"             | classic Istio",
        "linkerd.io/inject: enabled                    | Linkerd",
        "dapr.io/enabled: \"true\"                     | Dapr",
        "consul.hashicorp.com/connect-inject: \"true\" | Consul"
    })
    void jobModeWithTheReleaseOffNeverEndsTheJob(String annotations, String sidecar) throws Exception {
        List<Finding> f = lint(JOB.formatted(annotations, "Never", JOB_MODE + ", " + RELEASE_OFF, JAVA));

        assertThat(of(f, Rule.JOB_RELEASE_DISABLED)).as(f.toString()).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Finding.Severity.ERROR);
            assertThat(x.message()).startsWith("Job with a " + sidecar + " sidecar: container app runs sidecar-shutdown in job mode "
                    + "with SIDECAR_SHUTDOWN_RELEASE_SIDECAR=false").contains("the Job never completes");
            assertThat(x.fix()).startsWith("remove SIDECAR_SHUTDOWN_RELEASE_SIDECAR from container app (the default, true,");
        });
    }

    @Test
    void theReleaseTurnedOnUnderOnFailureAlsoSetsRestartPolicyNever() throws Exception {
        List<Finding> f = lint(JOB.formatted(ISTIO, "OnFailure", JOB_MODE + ", " + RELEASE_OFF, JAVA));

        assertThat(f).extracting(x -> x.rule().id()).containsExactly("job-release-disabled");
        assertThat(f.get(0).changes()).extracting(Change::key).containsExactly("SIDECAR_SHUTDOWN_RELEASE_SIDECAR", "restartPolicy");
    }

    @Test
    void theReleaseOffIsFineWhereSomethingElseEndsTheSidecar() throws Exception {
        // Kuma's control plane quits a finished Job's sidecar; a trap does it itself; a native sidecar needs nothing
        assertThat(lint(JOB.formatted("kuma.io/sidecar-injection: enabled", "Never", JOB_MODE + ", " + RELEASE_OFF, JAVA)))
                .noneMatch(x -> x.rule() == Rule.JOB_RELEASE_DISABLED);
        assertThat(lint(JOB.formatted(ISTIO, "Never", JOB_MODE + ", " + RELEASE_OFF, TRAP)))
                .noneMatch(x -> x.rule() == Rule.JOB_RELEASE_DISABLED);
        assertThat(lint(JOB.formatted("sidecar.istio.io/nativeSidecar: \"true\"", "Never", JOB_MODE + ", " + RELEASE_OFF, JAVA)))
                .noneMatch(x -> x.rule() == Rule.JOB_RELEASE_DISABLED);
    }

    @Test
    void aLinkerdJobUsingTheLibraryAsAServiceNeverCompletesEither() throws Exception {
        List<Finding> f = lint(JOB.formatted("linkerd.io/inject: enabled", "Never", "{name: SIDECAR_SHUTDOWN_GRACE_PERIOD, value: 30s}",
                JAVA));

        assertThat(of(f, Rule.JOB_WITHOUT_JOB_WORKLOAD)).singleElement()
                .satisfies(x -> assertThat(x.message()).startsWith("Job with a Linkerd sidecar: container app uses sidecar-shutdown"));
    }

    /** A service's Pod template of the given kind, behind a classic Istio sidecar. */
    private static final String SERVICE = """
            apiVersion: apps/v1
            kind: %s
            metadata: {name: s}
            spec:
              template:
                metadata:
                  annotations: {proxy.istio.io/config: '{"terminationDrainDuration": "25s"}'}
                spec:
                  containers:
                    - name: app
                      env: [%s]
                      volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
                  volumes:
                    - name: podinfo
                      downwardAPI: {items: [{path: annotations, fieldRef: {fieldPath: metadata.annotations}}]}
            """;

    @ParameterizedTest
    @ValueSource(strings = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})
    void jobModeInAServicesPodIsAnErrorWhoseFixIsTheServiceWorkload(String kind) throws Exception {
        List<Finding> f = lint(SERVICE.formatted(kind, JOB_MODE));

        assertThat(of(f, Rule.JOB_WORKLOAD_IN_SERVICE)).as(f.toString()).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Finding.Severity.ERROR);
            assertThat(x.message()).startsWith(kind + ": container app sets SIDECAR_SHUTDOWN_WORKLOAD=job")
                    .contains("the propagation delay defaults to 0, so every rollout fails the requests")
                    .contains("quits the live classic Istio sidecar");
            assertThat(x.fix()).startsWith("set SIDECAR_SHUTDOWN_WORKLOAD: \"service\" in container app");
        });
    }

    @Test
    void jobModeInABarePodOrAServiceModeDeploymentIsNotFlagged() throws Exception {
        String pod = """
                apiVersion: v1
                kind: Pod
                metadata: {name: p, annotations: {sidecar.istio.io/nativeSidecar: "true"}}
                spec:
                  restartPolicy: Never
                  containers:
                    - name: app
                      env: [{name: SIDECAR_SHUTDOWN_WORKLOAD, value: job}]
                """;
        assertThat(lint(pod)).noneMatch(x -> x.rule() == Rule.JOB_WORKLOAD_IN_SERVICE);
        assertThat(lint(SERVICE.formatted("Deployment", "{name: SIDECAR_SHUTDOWN_WORKLOAD, value: service}")))
                .noneMatch(x -> x.rule() == Rule.JOB_WORKLOAD_IN_SERVICE);
        assertThat(lint(SERVICE.formatted("Deployment", "{name: SIDECAR_SHUTDOWN_WORKLOAD, value: auto}")))
                .noneMatch(x -> x.rule() == Rule.JOB_WORKLOAD_IN_SERVICE);
    }
}
