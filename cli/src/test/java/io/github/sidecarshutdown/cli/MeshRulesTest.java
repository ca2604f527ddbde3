package io.github.sidecarshutdown.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The linter's checks of Consul's grace period and Kuma's drain time against the Pod and the app's plan. */
class MeshRulesTest {

    /** A Deployment's Pod template: annotations, terminationGracePeriodSeconds, the app's SIDECAR_SHUTDOWN_* env. */
    private static final String POD = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                metadata:
                  annotations: {%s}
                spec:
                  terminationGracePeriodSeconds: %d
                  containers:
                    - name: app
                      env: [%s]
                      volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
                  volumes:
                    - name: podinfo
                      downwardAPI: {items: [{path: annotations, fieldRef: {fieldPath: metadata.annotations}}]}
            """;

    private static List<Finding> lint(String annotations, int grace, String env) throws Exception {
        return Linter.lint(ManifestReader.read("web.yaml", POD.formatted(annotations, grace, env)).get(0)).get(0).findings();
    }

    private static List<Finding> of(List<Finding> findings, Rule rule) {
        return findings.stream().filter(f -> f.rule() == rule).toList();
    }

    private static final String LIBRARY_60S = "{name: SIDECAR_SHUTDOWN_GRACE_PERIOD, value: 60s}";

    @Test
    void aConsulGracePeriodNotShorterThanThePodsIsAnError() throws Exception {
        List<Finding> f = lint("consul.hashicorp.com/connect-inject: \"true\", "
                + "consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds: \"40\"", 30, "");

        assertThat(of(f, Rule.MESH_WINDOW_EXCEEDS_GRACE)).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Finding.Severity.ERROR);
            assertThat(x.fix()).startsWith("annotate the Pod template with "
                    + "consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds: \"28\"");
        });
    }

    @Test
    void aConsulGracePeriodShorterThanTheAppsCleanupIsAnError() throws Exception {
        List<Finding> f = lint("consul.hashicorp.com/connect-inject: \"true\", "
                + "consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds: \"10\"", 60, LIBRARY_60S);

        assertThat(of(f, Rule.CLEANUP_EXCEEDS_WINDOW)).singleElement().satisfies(x -> {
            assertThat(x.message()).contains("consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds=10s");
            assertThat(x.fix()).contains("consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds: \"");
        });
    }

    @Test
    void aConsulGracePeriodFarLongerThanTheAppNeedsIsAWarningWithTheFittingValue() throws Exception {
        List<Finding> f = lint("consul.hashicorp.com/connect-inject: \"true\", "
                + "consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds: \"50\"", 60, LIBRARY_60S);

        // propagation 5 s + drain 10 s + one 5 s cleanup task: the app needs the sidecar for 20 s
        assertThat(of(f, Rule.MESH_WINDOW_LONGER_THAN_NEEDED)).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(Finding.Severity.WARNING);
            assertThat(x.fix()).isEqualTo("annotate the Pod template with "
                    + "consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds: \"21\"");
        });
        assertThat(of(f, Rule.CLEANUP_EXCEEDS_WINDOW)).isEmpty();
    }

    @Test
    void consulLifecycleOffLeavesTheAppWithoutOutbound() throws Exception {
        List<Finding> f = lint("consul.hashicorp.com/connect-inject: \"true\", "
                + "consul.hashicorp.com/enable-sidecar-proxy-lifecycle: \"false\"", 60, LIBRARY_60S);

        assertThat(of(f, Rule.CONSUL_LIFECYCLE_OFF)).singleElement()
                .satisfies(x -> assertThat(x.severity()).isEqualTo(Finding.Severity.ERROR));
    }

    @Test
    void aMalformedGracePeriodNamesTheAnnotationAndTheFix() throws Exception {
        List<Finding> f = lint("consul.hashicorp.com/connect-inject: \"true\", "
                + "consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds: \"30s\"", 60, "");

        assertThat(of(f, Rule.MALFORMED_ANNOTATION)).singleElement().satisfies(x -> assertThat(x.message())
                .contains("consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds: '30s'")
                .contains("such as \"30\""));
    }

    @Test
    void kumaDrainTimeAgainstTheGracePeriodAndTheAppsNeeds() throws Exception {
        List<Finding> tooLong = lint("kuma.io/sidecar-injection: enabled, kuma.io/sidecar-drain-time: 45s", 30, "");
        List<Finding> wasteful = lint("kuma.io/sidecar-injection: enabled, kuma.io/sidecar-drain-time: 50s", 60, LIBRARY_60S);
        List<Finding> fitting = lint("kuma.io/sidecar-injection: enabled, kuma.io/sidecar-drain-time: 24s", 60, LIBRARY_60S);

        assertThat(of(tooLong, Rule.MESH_WINDOW_EXCEEDS_GRACE)).singleElement()
                .satisfies(x -> assertThat(x.fix()).startsWith("annotate the Pod template with kuma.io/sidecar-drain-time: \"28s\""));
        assertThat(of(wasteful, Rule.MESH_WINDOW_LONGER_THAN_NEEDED)).singleElement()
                .satisfies(x -> assertThat(x.fix()).isEqualTo("annotate the Pod template with kuma.io/sidecar-drain-time: \"21s\""));
        assertThat(fitting).noneMatch(x -> x.rule() == Rule.MESH_WINDOW_EXCEEDS_GRACE || x.rule() == Rule.MESH_WINDOW_LONGER_THAN_NEEDED
                || x.rule() == Rule.CLEANUP_EXCEEDS_WINDOW);
    }
}
