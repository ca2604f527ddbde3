package io.github.sidecarshutdown.testkit.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import io.github.sidecarshutdown.testkit.scenario.PodCase.End;
import io.github.sidecarshutdown.testkit.scenario.PodCase.Mesh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plan is the run (issue 21): for every mesh, classic or native, service or Job (completing,
 * or deleted), release on or off, Consul's lifecycle and drain switches, and sidecar windows around
 * the grace period, the plan is built, the sequence runs against the emulated sidecar, and
 * {@link Agreement} checks that the calls the run made are exactly the plan's, that each problem of
 * the plan happened (the cleanup was cut, the sidecar outlived the grace period, work was cut at the
 * deadline, the Job never completes) and nothing happened that the plan did not warn about, and that
 * each problem's fix, applied to the Pod and rerun, makes the problem and its consequence go away.
 *
 * <p>Durations are scaled down: the cleanup call takes 1.3 s (task timeout 2 s, so the plan counts
 * it until 2.1 s), windows are 1 s (shorter than the cleanup), 4 s (between the cleanup and the grace
 * period), 5 s (equal to it) and 7 s (longer) against a grace period of 5 s, and one tight case per
 * Pod has a grace period of 2 s (shorter than the plan). Cases run in parallel worker JVMs, each
 * case alone in its JVM at a time (the library releases a sidecar once per process); fixes that
 * lead to a Pod outside the matrix are run in a second round. {@code -Dagreement.only=<regex>} runs
 * only the cases whose label matches, e.g. {@code -Dagreement.only='kuma.*service'}.
 */
class PlanRunAgreementIT {

    static final Duration GRACE = Duration.ofSeconds(5);
    static final Duration TIGHT_GRACE = Duration.ofSeconds(2);
    static final List<Duration> WINDOWS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofSeconds(5),
            Duration.ofSeconds(7));
    /** The windows of Pods whose window annotation the sidecar ignores (Consul's lifecycle off) or that one check suffices for. */
    static final List<Duration> TWO_WINDOWS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(7));
    /** Linkerd's and Dapr's own time from SIGTERM to exit (no annotation the library reads). */
    static final Duration OWN_SHUTDOWN = Duration.ofSeconds(4);

    private static final int WORKERS = 4;
    private static final Duration ROUND_LIMIT = Duration.ofMinutes(6);
    private static final List<String> JVM_OPTIONS = List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Xmx128m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

    @TempDir
    Path dir;

    /** The matrix, per way the Pod ends. */
    static List<PodCase> matrix() {
        List<PodCase> cases = new ArrayList<>();
        for (End end : End.values()) {
            for (boolean release : List.of(true, false)) {
                for (Mesh mesh : List.of(Mesh.ISTIO, Mesh.CONSUL, Mesh.KUMA)) {
                    for (Duration w : WINDOWS) {
                        cases.add(PodCase.of(mesh, end, release, w, GRACE));
                    }
                    cases.add(PodCase.of(mesh, end, release, Duration.ofSeconds(4), TIGHT_GRACE));
                }
                for (Duration w : TWO_WINDOWS) {
                    cases.add(PodCase.of(Mesh.CONSUL, end, release, w, GRACE).withConsul(false, true));
                }
                for (Mesh mesh : List.of(Mesh.LINKERD, Mesh.DAPR)) {
                    cases.add(PodCase.of(mesh, end, release, OWN_SHUTDOWN, GRACE));
                }
            }
            cases.add(PodCase.of(Mesh.CONSUL, end, true, Duration.ofSeconds(1), TIGHT_GRACE).withConsul(false, true));
            for (Duration w : TWO_WINDOWS) {
                cases.add(PodCase.of(Mesh.CONSUL, end, true, w, GRACE).withConsul(true, false));
            }
            // Linkerd's and Dapr's own shutdown time is not in the plan (no window): the tight case
            // keeps the release on, where the deadline, not that time, decides. A daprd that got its
            // SIGTERM is never released (its shutdown call would only join its own), so on a deletion
            // its own time decides: Dapr's tight case is the completing Job only.
            cases.add(PodCase.of(Mesh.LINKERD, end, true, OWN_SHUTDOWN, TIGHT_GRACE));
            if (end == End.JOB_COMPLETES) {
                cases.add(PodCase.of(Mesh.DAPR, end, true, OWN_SHUTDOWN, TIGHT_GRACE));
            }
            for (Mesh mesh : List.of(Mesh.ISTIO_NATIVE, Mesh.CONSUL_NATIVE, Mesh.AMBIENT, Mesh.NONE)) {
                cases.add(PodCase.of(mesh, end, true, Duration.ZERO, GRACE));
                cases.add(PodCase.of(mesh, end, true, Duration.ZERO, TIGHT_GRACE));
            }
        }
        return cases;
    }

    @TestFactory
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    Stream<DynamicTest> theRunMakesExactlyThePlansCallsAndEachWarningHappens() throws Exception {
        long start = System.nanoTime();
        String only = System.getProperty("agreement.only", "");
        List<PodCase> matrix = matrix().stream().filter(c -> c.label().matches(".*(" + only + ").*")).toList();
        assertThat(new LinkedHashSet<>(matrix)).as("no case twice").hasSameSizeAs(matrix);
        Map<PodCase, CaseObservation> seen = new LinkedHashMap<>();
        List<PodCase> round = matrix;
        int rounds = 0;
        while (!round.isEmpty() && rounds < 3) {
            seen.putAll(run(round, rounds++));
            Set<PodCase> next = new LinkedHashSet<>();
            for (CaseObservation o : seen.values()) {
                for (PodCase f : Agreement.fixedCases(o)) {
                    if (!seen.containsKey(f)) {
                        next.add(f);
                    }
                }
            }
            round = List.copyOf(next);
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        Map<String, Integer> kinds = new java.util.TreeMap<>();
        seen.values().forEach(o -> o.plan().kinds().forEach(k -> kinds.merge(k, 1, Integer::sum)));
        long calls = seen.values().stream().filter(o -> !o.appCalls().isEmpty()).count();
        System.out.printf("plan/run agreement: %d matrix cases and %d fix reruns in %d rounds, %d s with %d worker JVMs; "
                + "cases per problem kind %s; %d runs made sidecar calls%n", matrix.size(), seen.size() - matrix.size(), rounds, seconds,
                WORKERS, kinds, calls);
        if (only.isEmpty()) {
            // The matrix exercises what it claims: every kind of problem, and runs with and without sidecar calls.
            assertThat(kinds.keySet()).as("problem kinds raised across the matrix").contains(Agreement.CLEANUP_EXCEEDS_WINDOW,
                    Agreement.GRACE_SHORTER_THAN_WINDOW, Agreement.WINDOW_EXCEEDS_GRACE, Agreement.PLAN_EXCEEDS_GRACE);
            assertThat(calls).as("runs that made sidecar calls").isBetween(1L, seen.size() - 1L);
        }
        return seen.values().stream().map(o -> DynamicTest.dynamicTest((matrix.contains(o.pod()) ? "" : "fix rerun: ") + o.pod().label(),
                () -> judge(o, seen)));
    }

    private static void judge(CaseObservation o, Map<PodCase, CaseObservation> seen) {
        List<String> disagreements;
        try {
            disagreements = Agreement.disagreements(o, seen::get);
        } catch (Agreement.Inconclusive e) {
            Assumptions.abort("inconclusive on this run: " + e.getMessage());
            return;
        }
        assertThat(disagreements).as("plan and run of %s", o.describe()).isEmpty();
    }

    /** Runs {@code cases} in worker JVMs, longest first, and collects every observation. */
    private Map<PodCase, CaseObservation> run(List<PodCase> cases, int round) throws Exception {
        List<List<PodCase>> shards = new ArrayList<>();
        long[] load = new long[Math.min(WORKERS, cases.size())];
        for (int i = 0; i < load.length; i++) {
            shards.add(new ArrayList<>());
        }
        List<PodCase> byLength = new ArrayList<>(cases);
        byLength.sort(Comparator.comparingLong(PlanRunAgreementIT::estimateMillis).reversed());
        for (PodCase c : byLength) {
            int least = 0;
            for (int i = 1; i < load.length; i++) {
                if (load[i] < load[least]) {
                    least = i;
                }
            }
            shards.get(least).add(c);
            load[least] += estimateMillis(c);
        }
        List<Process> workers = new ArrayList<>();
        List<Path> outs = new ArrayList<>();
        try {
            for (int i = 0; i < shards.size(); i++) {
                Path out = Files.createDirectories(dir.resolve("round" + round + "-worker" + i));
                Path casesFile = out.resolve("cases.bin");
                AgreementWorker.writeCases(casesFile, shards.get(i));
                ProcessBuilder pb = new ProcessBuilder(JavaProcess.javaCommand(JVM_OPTIONS, AgreementWorker.class,
                        casesFile.toString(), out.toString()));
                pb.redirectOutput(out.resolve("stdout.log").toFile()).redirectError(out.resolve("stderr.log").toFile());
                workers.add(pb.start());
                outs.add(out);
            }
            long until = System.nanoTime() + ROUND_LIMIT.toNanos();
            for (Process p : workers) {
                p.waitFor(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            for (Process p : workers) {
                if (p.isAlive()) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        Map<PodCase, CaseObservation> observed = new LinkedHashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            List<PodCase> shard = shards.get(i);
            for (int j = 0; j < shard.size(); j++) {
                Path obs = outs.get(i).resolve(j + ".obs");
                observed.put(shard.get(j), Files.exists(obs) ? AgreementWorker.readObservation(obs)
                        : CaseObservation.failed(shard.get(j), "the worker JVM did not run it; its output:\n" + tail(outs.get(i))));
            }
        }
        return observed;
    }

    /** A rough length of a case, to balance the workers. */
    private static long estimateMillis(PodCase c) {
        long app = 2_500;
        if (!c.end().deletion || !c.mesh().classic()) {
            return app;
        }
        return Math.max(app, Math.min(c.naturalEnd().toMillis(), c.grace().toMillis() + 700));
    }

    private static String tail(Path out) {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("stdout.log", "stderr.log")) {
            try {
                List<String> lines = Files.readAllLines(out.resolve(f));
                sb.append(f).append(":\n").append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())))
                        .append('\n');
            } catch (IOException e) {
                sb.append(f).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return sb.toString();
    }
}
