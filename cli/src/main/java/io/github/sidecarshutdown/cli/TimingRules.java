package io.github.sidecarshutdown.cli;

import static io.github.sidecarshutdown.cli.Linter.fmt;

import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.cli.Finding.Severity;
import io.github.sidecarshutdown.config.Setting;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Whether the Pod's grace period, the sidecar's window, a preStop sleep and the library's plan add
 * up. Every value a fix sets comes from {@link Targets}.
 */
final class TimingRules {

    private TimingRules() {
    }

    static void check(ContainerModel m, Targets t, List<Finding> findings) {
        Optional<Duration> window = m.facts.guaranteedWindow();
        Duration margin = m.settings.safetyMargin();
        // the grace period vs the classic sidecar's window
        if (m.classicIstio() && window.isPresent() && m.grace.compareTo(window.get()) < 0) {
            findings.add(Finding.fixedBy(Rule.GRACE_SHORTER_THAN_DRAIN, Severity.ERROR,
                    "terminationGracePeriodSeconds=" + m.grace.toSeconds() + " is shorter than the sidecar's drain window "
                            + fmt(window.get()) + ": the kubelet SIGKILLs the Pod before Envoy's window ends",
                    t.graceChanges(), ""));
        }
        if (!m.usesLibrary) {
            return;
        }
        Duration planEnd = m.planEnd();
        if (!m.preStop.isZero() && m.preStop.plus(planEnd).plus(margin).compareTo(m.grace) > 0) {
            findings.add(Finding.fixedBy(Rule.PRESTOP_EXCEEDS_GRACE, Severity.ERROR,
                    "container " + m.name + ": the preStop sleep (" + fmt(m.preStop) + ") runs before SIGTERM, and the library's "
                            + "plan then needs up to " + fmt(planEnd) + " plus safety-margin " + fmt(margin) + ": "
                            + fmt(m.preStop.plus(planEnd).plus(margin)) + " > terminationGracePeriodSeconds=" + m.grace.toSeconds(),
                    t.graceChanges(), "(the sleep itself is not needed with the library: its propagation delay, "
                            + Setting.PROPAGATION_DELAY.envName() + ", keeps serving after SIGTERM)"));
        }
        boolean windowed = m.facts.hasOutboundWindow() && window.isPresent() && !m.facts.exitOnZeroActiveConnections();
        Duration lastOutbound = m.lastOutbound();
        if (windowed && !m.preStop.isZero() && m.preStop.plus(lastOutbound).compareTo(window.get()) > 0) {
            findings.add(Finding.fixedBy(Rule.PRESTOP_EATS_WINDOW, Severity.ERROR,
                    "container " + m.name + ": the sidecar gets SIGTERM when the preStop starts, not after it; its "
                            + fmt(window.get()) + " window is over before the cleanup ends at " + fmt(m.preStop) + " + "
                            + fmt(lastOutbound) + " = " + fmt(m.preStop.plus(lastOutbound)),
                    t.windowChanges(), ""));
        }
        // the library's budget vs the window, and the whole plan vs its budget: core's plan check
        for (ShutdownPlan.Problem p : m.plan.problems()) {
            if (p.kind().equals("cleanup-exceeds-window")) {
                findings.add(Finding.fixedBy(Rule.CLEANUP_EXCEEDS_WINDOW, Severity.ERROR, p.problem(), t.windowChanges(), ""));
            } else if (p.kind().equals("plan-exceeds-grace")) {
                findings.add(Finding.fixedBy(Rule.PLAN_EXCEEDS_GRACE, Severity.ERROR, p.problem(), t.graceChanges(),
                        "(or shorten propagation-delay, drain-timeout or task timeouts)"));
            }
            // "grace-period=... is shorter than the window" is checked against the Pod itself, above and in MeshRules.
        }
        // the library's grace period vs the Pod's
        Duration expected = m.grace.minus(m.preStop);
        if (!m.settings.gracePeriod().equals(expected)) {
            String name = Setting.GRACE_PERIOD.envName();
            boolean set = m.env.containsKey(name);
            boolean longer = m.settings.gracePeriod().compareTo(expected) > 0;
            findings.add(Finding.fixedBy(Rule.GRACE_PERIOD_MISMATCH, longer ? Severity.ERROR : Severity.WARNING,
                    "container " + m.name + ": " + (set ? name + "=" + m.env.get(name)
                            : name + " is not set, so the library assumes " + fmt(m.settings.gracePeriod()))
                            + ", but the app has " + fmt(expected) + " from SIGTERM (terminationGracePeriodSeconds=" + m.grace.toSeconds()
                            + (m.preStop.isZero() ? "" : " minus the " + fmt(m.preStop) + " preStop sleep") + ")"
                            + (longer ? ": its deadline lies after the kubelet's SIGKILL" : ": it gives up earlier than it must"),
                    t.libraryGraceChanges(m), ""));
        }
    }

}
