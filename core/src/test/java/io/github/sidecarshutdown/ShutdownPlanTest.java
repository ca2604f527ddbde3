package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.internal.Durations;
import io.github.sidecarshutdown.internal.Json;
import io.github.sidecarshutdown.sidecar.SidecarFacts;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plan: phase bounds against the sidecar's window and the grace period, and the fixes it prints. */
class ShutdownPlanTest {

    private ShutdownCoordinatorBuilder builder() {
        return ShutdownCoordinator.builder().fromEnvironment(Map.of()).propagationDelay(Duration.ofSeconds(5))
                .drainTimeout(Duration.ofSeconds(10));
    }

    /** The plan a coordinator computes with a sidecar that reports {@code facts}: the engine's own. */
    private static ShutdownPlan plan(ShutdownCoordinatorBuilder b, SidecarFacts facts, List<ShutdownTask> tasks) {
        VirtualTime time = new VirtualTime();
        return new ShutdownCoordinator(b.settings(), new FakeSidecar(time, facts), tasks, List.of(), time, new RecordingHooks()).plan();
    }

    @Test
    void warnsWithTheExactAnnotationWhenCleanupOutlastsTheWindow() {
        // delay 5 + drain 10 + cleanup 5 = outbound until 20 s, window 5 s
        ShutdownPlan plan = plan(builder(), FakeSidecar.istio(Duration.ofSeconds(5)), List.of(ShutdownTask.of("flush", ctx -> { })));

        assertThat(plan.fits()).isFalse();
        assertThat(plan.warnings()).anySatisfy(w -> assertThat(w)
                .contains("until 20s after SIGTERM")
                .contains("terminationDrainDuration=5s")
                .contains("proxy.istio.io/config: '{\"terminationDrainDuration\": \"21s\"}'")
                .contains("costs nothing"));
    }

    @Test
    void thePlanNamesOnlyTheCallsTheSidecarHas() {
        ShutdownPlan none = plan(builder(), SidecarFacts.none("test"), List.of());
        ShutdownPlan nativeSidecar = plan(builder(), FakeSidecar.nativeSidecar(), List.of());
        ShutdownPlan istio = plan(builder(), FakeSidecar.istio(Duration.ofSeconds(25)), List.of());

        assertThat(none.render()).doesNotContain("drain_listeners").doesNotContain("quitquitquit");
        assertThat(nativeSidecar.render()).contains("drain_listeners?inboundonly&graceful&skip_exit").doesNotContain("quitquitquit");
        assertThat(istio.render()).contains("drain_listeners?inboundonly&graceful&skip_exit", "POST /quitquitquit if the sidecar is terminating");
    }

    @Test
    void eachStepLineIsTheFormatItWasWrittenFromShortAndLongFieldsAlike() {
        ShutdownPlan plan = plan(builder(), FakeSidecar.istio(Duration.ofSeconds(5)),
                List.of(ShutdownTask.of("flush", ctx -> { }), ShutdownTask.builder("slow", ctx -> { })
                        .timeout(Duration.ofSeconds(10_000_000)).build()));
        // the long task timeout makes starts and ends wider than their columns: padded, never cut
        assertThat(plan.steps()).anySatisfy(st -> assertThat(Durations.format(st.end()).length()).isGreaterThan(8));

        StringBuilder expected = new StringBuilder();
        for (ShutdownPlan.Step st : plan.steps()) {
            expected.append(String.format(Locale.ROOT, "%n  %-18s %8s .. %-8s %s%s", st.phase().tagValue(),
                    Durations.format(st.start()), Durations.format(st.end()), st.what(), st.needsSidecar() ? " [needs sidecar]" : ""));
        }
        String rendered = plan.render();
        assertThat(rendered).contains(expected.toString());
        assertThat(rendered).startsWith("sidecar-shutdown plan: budget ").contains(", outbound window 5s [");
    }

    @Test
    void aLongWindowFits() {
        ShutdownPlan plan = plan(builder(), FakeSidecar.istio(Duration.ofSeconds(25)), List.of(ShutdownTask.of("flush", ctx -> { })));

        assertThat(plan.warnings()).isEmpty();
        assertThat(plan.fits()).isTrue();
    }

    @Test
    void localTasksDoNotNeedTheWindow() {
        ShutdownPlan plan = plan(builder(), FakeSidecar.istio(Duration.ofSeconds(5)),
                List.of(ShutdownTask.builder("close-pool", ctx -> { }).phase(ShutdownPhase.RELEASE).build()));

        assertThat(plan.warnings()).isEmpty();
    }

    @Test
    void warnsWhenTheGracePeriodIsShorterThanTheDrainDuration() {
        ShutdownPlan plan = plan(builder().propagationDelay(Duration.ZERO).drainTimeout(Duration.ofSeconds(1)),
                FakeSidecar.istio(Duration.ofSeconds(45)), List.of());

        assertThat(plan.warnings()).singleElement().satisfies(w -> assertThat(w)
                .contains("grace-period=30s")
                .contains("shorter than terminationDrainDuration=45s")
                .contains("terminationGracePeriodSeconds: 47"));
    }

    @Test
    void warnsWhenThePlanNeedsMoreThanTheBudget() {
        ShutdownPlan plan = plan(builder(), SidecarFacts.none("test"),
                List.of(ShutdownTask.builder("slow", ctx -> { }).timeout(Duration.ofSeconds(20)).needsSidecar(false).build()));

        // 5 + 10 + 20 = 35 s > 28 s
        assertThat(plan.warnings()).singleElement().satisfies(w -> assertThat(w)
                .contains("may need 35s")
                .contains("leaves 28s")
                .contains("terminationGracePeriodSeconds: 37"));
    }

    @Test
    void exitOnZeroIsNotHeldToTheMinimumDrain() {
        ShutdownPlan plan = plan(builder(), FakeSidecar.exitOnZero(), List.of(ShutdownTask.of("flush", ctx -> { })));

        assertThat(plan.warnings()).isEmpty();
    }

    @Test
    void stepsAreOrderedAndEarlyTasksOverlapTheDelay() {
        ShutdownPlan plan = plan(builder(), FakeSidecar.istio(Duration.ofSeconds(30)), List.of(
                ShutdownTask.builder("deregister", ctx -> { }).phase(ShutdownPhase.EARLY_OUTBOUND).timeout(Duration.ofSeconds(2)).build(),
                ShutdownTask.of("flush", ctx -> { })));

        assertThat(plan.steps()).extracting(ShutdownPlan.Step::phase).containsExactly(ShutdownPhase.READINESS_OFF,
                ShutdownPhase.PROPAGATION_DELAY, ShutdownPhase.EARLY_OUTBOUND, ShutdownPhase.INBOUND_DRAIN, ShutdownPhase.CLEANUP,
                ShutdownPhase.RELEASE, ShutdownPhase.SIDECAR_RELEASE);
        ShutdownPlan.Step early = plan.steps().get(2);
        assertThat(early.start()).isZero();
        assertThat(early.end()).isEqualTo(Duration.ofSeconds(2));
        assertThat(plan.steps().get(3).start()).isEqualTo(Duration.ofSeconds(5));
        assertThat(plan.worstCaseEnd()).isEqualTo(Duration.ofSeconds(21)); // 5 + 10 + 5 + 1 s release call
    }

    @Test
    void renderAndJsonShowEveryPhaseAndWarning() {
        ShutdownPlan plan = plan(builder(), FakeSidecar.istio(Duration.ofSeconds(5)), List.of(ShutdownTask.of("flush", ctx -> { })));

        String text = plan.render();
        assertThat(text).contains("budget 28s", "outbound window 5s", "cleanup", "flush", "[needs sidecar]",
                "WARNING [cleanup-exceeds-window]: ");
        Map<?, ?> json = (Map<?, ?>) Json.parse(plan.toJson());
        assertThat(json.get("sidecarMode")).isEqualTo("istio");
        assertThat((List<?>) json.get("steps")).hasSize(7);
        assertThat((List<?>) json.get("warnings")).hasSize(1);
        List<?> problems = (List<?>) json.get("problems");
        assertThat(problems).hasSize(1);
        Map<?, ?> problem = (Map<?, ?>) problems.get(0);
        assertThat(problem.get("kind")).isEqualTo("cleanup-exceeds-window");
        Map<?, ?> fix = (Map<?, ?>) problem.get("fix");
        // The fix a tool can apply: the annotation that lengthens Istio's window, as the plan's own value.
        assertThat((Map<?, ?>) fix.get("podAnnotations")).isEqualTo(plan.problems().get(0).fix().podAnnotations());
        assertThat((String) fix.get("text")).isEqualTo(plan.problems().get(0).fix().text());
    }
}
