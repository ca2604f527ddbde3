package io.github.sidecarshutdown.cli;

import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.cli.Finding.Severity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Lints one workload: models each app container ({@link ContainerModel}), runs the rules, and gives
 * every fix its values from one {@link Targets}, computed after the rules that change what the
 * library does (job mode, the release) so that the timing fixes fit the manifest as fixed.
 */
final class Linter {

    /** What the linter concluded for one app container of one workload. */
    record Result(Workload workload, String container, List<Finding> findings, @Nullable ShutdownPlan plan,
            Duration preStop, List<String> assumptions) {

        boolean hasErrors() {
            return findings.stream().anyMatch(f -> f.severity() == Severity.ERROR);
        }
    }

    private Linter() {
    }

    /** One result per app container: those that set {@code SIDECAR_SHUTDOWN_*}, else the first; none without containers. */
    static List<Result> lint(Workload w) {
        List<Map<?, ?>> containers = w.appContainers();
        List<Map<?, ?>> app = new ArrayList<>();
        for (Map<?, ?> c : containers) {
            if (ContainerModel.env(c).keySet().stream().anyMatch(k -> k.startsWith("SIDECAR_SHUTDOWN_"))) {
                app.add(c);
            }
        }
        boolean usesLibrary = !app.isEmpty();
        if (app.isEmpty() && !containers.isEmpty()) {
            app.add(containers.get(0));
        }
        if (app.isEmpty()) {
            return List.of();
        }
        List<ContainerModel> now = new ArrayList<>();
        List<ContainerModel> fixed = new ArrayList<>();
        List<List<Finding>> jobFindings = new ArrayList<>();
        for (Map<?, ?> c : app) {
            ContainerModel m = ContainerModel.of(w, c, usesLibrary);
            // These fixes change the library's variables (job mode, the release), hence its plan:
            // the values of the timing fixes are computed for the manifest so fixed too.
            List<Finding> jobs = JobRules.check(m, changed -> List.of());
            now.add(m);
            fixed.add(m.with(jobs.stream().flatMap(f -> f.changes().stream()).toList()));
        }
        Targets targets = Targets.of(now, fixed);
        for (ContainerModel m : now) {
            jobFindings.add(JobRules.check(m, targets::changesNeededBy));
        }
        List<Result> out = new ArrayList<>();
        for (int i = 0; i < now.size(); i++) {
            ContainerModel m = now.get(i);
            List<Finding> findings = new ArrayList<>();
            InputRules.check(m, findings);
            TimingRules.check(m, targets, findings);
            m.mesh.ifPresent(mesh -> mesh.check(m, targets, findings));
            PodRules.check(m, targets, findings);
            findings.addAll(jobFindings.get(i));
            out.add(new Result(w, m.name, List.copyOf(findings), m.plan, m.preStop, m.assumptions));
        }
        return out;
    }

    static String fmt(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        return d.toSeconds() + "s";
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
