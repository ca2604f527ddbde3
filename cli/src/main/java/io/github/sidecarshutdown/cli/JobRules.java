package io.github.sidecarshutdown.cli;

import io.github.sidecarshutdown.cli.Finding.Severity;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.pod.MeshAnnotations;
import io.github.sidecarshutdown.istio.PodFacts;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What ends a classic sidecar, and when: a Job whose sidecar nothing releases never completes; a
 * sidecar released under {@code restartPolicy: OnFailure} is gone for every retry; job mode in a
 * service's Pod loses the propagation delay and quits a live sidecar (docs/sidecar-states.md, "Jobs").
 * These fixes change the library's variables, so {@link Linter} computes the timing fixes after them.
 */
final class JobRules {

    private JobRules() {
    }

    /**
     * @param follow for the manifest with a finding's variables changed, the timing changes it then
     *               needs (job mode off adds the propagation delay back, the release adds its call),
     *               so that one fix never leaves an error that was not there; none on the first pass
     */
    static List<Finding> check(ContainerModel m, Function<ContainerModel, List<Change>> follow) {
        List<Finding> out = new ArrayList<>();
        Workload w = m.w;
        String workload = Setting.WORKLOAD.envName();
        String release = Setting.RELEASE_SIDECAR.envName();
        if (w.isService() && m.usesLibrary && m.settings.workload() == io.github.sidecarshutdown.Workload.JOB) {
            out.add(Finding.fixedBy(Rule.JOB_WORKLOAD_IN_SERVICE, Severity.ERROR,
                    w.kind() + ": container " + m.name + " sets " + workload + "=" + m.env.get(workload) + ", but a " + w.kind()
                            + "'s Pods are a service's, ended by their deletion, never by the app's exit. In job mode "
                            + serviceLosses(m),
                    follow(m, List.of(Change.env(m.name, workload, "service")), follow), ""));
        }
        if (!w.isBatch() || !m.classicSidecar()) {
            return out;
        }
        boolean onFailure = "OnFailure".equals(w.restartPolicy());
        // Kuma's control plane quits a Job's sidecar itself once the app container ended (kumahq/kuma#1497).
        boolean endsAlone = m.facts.mode() == SidecarMode.KUMA;
        String sidecar = sidecarName(m.facts.mode());
        if (!m.commandReleases() && !endsAlone) {
            if (!m.usesLibrary && m.classicIstio()) {
                out.add(Finding.fixedBy(Rule.JOB_WITHOUT_SIDECAR_RELEASE, Severity.ERROR,
                        w.kind() + " with a classic Istio sidecar: when container " + m.name + " exits, istio-proxy keeps running "
                                + "and the Job never completes",
                        List.of(Change.annotation(PodFacts.NATIVE_SIDECAR, "true")),
                        "(a native sidecar, Kubernetes >= 1.29 and Istio >= 1.24: the kubelet stops it after the app). "
                                + "Without one: use sidecar-shutdown with " + workload + ": \"job\" (it releases the sidecar after "
                                + "the app's cleanup and keeps its exit code)"));
            } else if (m.usesLibrary && !m.jobMode) {
                String set = m.env.get(workload);
                List<Change> changes = new ArrayList<>(List.of(Change.env(m.name, workload, "job")));
                changes.addAll(releaseOn(m, onFailure));
                out.add(Finding.fixedBy(Rule.JOB_WITHOUT_JOB_WORKLOAD, Severity.ERROR,
                        w.kind() + " with a " + sidecar + " sidecar: container " + m.name + " uses sidecar-shutdown "
                                + (set != null ? "with " + workload + "=" + set
                                        : "without the job workload (no " + workload + ", and no downward-API "
                                                + "volume puts metadata.labels at " + m.settings.labelsFile() + ")")
                                + ", so it leaves the live sidecar running when the app exits and the Job never completes",
                        follow(m, changes, follow), "(or mount metadata.labels at " + m.settings.labelsFile() + " with the downward API and leave "
                                + workload + " unset; see examples/kubernetes/batch-job-classic.yaml)"));
            } else if (m.usesLibrary && !m.settings.releaseSidecar()) {
                out.add(Finding.fixedBy(Rule.JOB_RELEASE_DISABLED, Severity.ERROR,
                        w.kind() + " with a " + sidecar + " sidecar: container " + m.name + " runs sidecar-shutdown in job mode with "
                                + release + "=" + m.env.getOrDefault(release, "false") + ". In a Job's Pod the release is what ends "
                                + "the sidecar when the app is done; without it nothing does, the Pod stays Running and the Job "
                                + "never completes",
                        follow(m, releaseOn(m, onFailure), follow), "(the default, true, releases the sidecar after the app's cleanup tasks)"));
            }
        }
        if (onFailure && (m.releasesInJob() || m.commandReleases())) {
            out.add(Finding.fixedBy(Rule.ONFAILURE_RELEASED_SIDECAR, Severity.ERROR,
                    w.kind() + " with restartPolicy: OnFailure and a " + sidecar + " sidecar that "
                            + (m.releasesInJob() ? "sidecar-shutdown (job mode) in container " + m.name + " releases"
                                    : "the command of container " + m.name + " ends")
                            + " when the app exits, failed or not. After a failure the kubelet restarts only container " + m.name
                            + " in the same Pod; the released sidecar exited 0 and is not restarted, so every retry's outbound "
                            + "calls fail until backoffLimit fails the Job",
                    List.of(restartNever(w)), "(the Job controller retries in a new Pod, with a new sidecar)"
                            + nativeAlternative(m.facts.mode())));
        }
        return out;
    }

    /** {@code changes}, then what the manifest so changed needs besides. */
    private static List<Change> follow(ContainerModel m, List<Change> changes, Function<ContainerModel, List<Change>> follow) {
        List<Change> out = new ArrayList<>(changes);
        for (Change c : follow.apply(m.with(changes))) {
            if (!out.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /** The release on, and {@code restartPolicy: Never} when the Pod would otherwise restart the app without its sidecar. */
    private static List<Change> releaseOn(ContainerModel m, boolean onFailure) {
        List<Change> changes = new ArrayList<>();
        if (!m.settings.releaseSidecar()) {
            changes.add(Change.env(m.name, Setting.RELEASE_SIDECAR.envName(), null));
        }
        if (onFailure) {
            changes.add(restartNever(m.w));
        }
        return changes;
    }

    private static Change restartNever(Workload w) {
        return Change.podSpec(w, "restartPolicy", "Never");
    }

    /** What job mode costs a service's Pod, as far as this one is concerned. */
    private static String serviceLosses(ContainerModel m) {
        List<String> losses = new ArrayList<>();
        if (!m.env.containsKey(Setting.PROPAGATION_DELAY.envName())) {
            losses.add("the propagation delay defaults to 0, so every rollout fails the requests peers send while their "
                    + "endpoints still list the Pod");
        }
        if (m.classicSidecar() && m.settings.releaseSidecar()) {
            losses.add("every exit of the app alone (a crash, a failed liveness probe, an OOM kill) quits the live "
                    + sidecarName(m.facts.mode()) + " sidecar, which the kubelet restarts: outbound calls fail meanwhile");
        }
        return losses.isEmpty() ? "the library takes the app's exit for the Pod's end, which it never is here"
                : String.join("; and ", losses);
    }

    private static String sidecarName(SidecarMode mode) {
        return switch (mode.name()) {
            case "istio" -> "classic Istio";
            case "linkerd" -> "Linkerd";
            case "dapr" -> "Dapr";
            case "consul" -> "Consul";
            case "kuma" -> "Kuma";
            default -> mode.name();
        };
    }

    private static String nativeAlternative(SidecarMode mode) {
        return switch (mode.name()) {
            case "istio" -> "; or use a native sidecar: annotate the Pod template with " + PodFacts.NATIVE_SIDECAR
                    + ": \"true\" (Kubernetes >= 1.29, Istio >= 1.24)";
            case "linkerd" -> "; or use a native sidecar: annotate the Pod template with " + ContainerModel.LINKERD_NATIVE + ": \"true\"";
            case "consul" -> "; or use a native sidecar: annotate the Pod template with " + MeshAnnotations.CONSUL_NATIVE + ": \"true\"";
            default -> "";
        };
    }
}
