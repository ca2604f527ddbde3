package io.github.sidecarshutdown.testkit.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.sidecarshutdown.testkit.pod.fixtures.FakeAppMain;
import io.github.sidecarshutdown.testkit.pod.fixtures.FakeSidecarMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs real child JVMs (stand-in sidecar and app) through the simulator and checks what the
 * kubelet is supposed to do at Pod deletion.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PodSimulatorIT {

    private static final List<String> JVM_OPTIONS = List.of(
            "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m");
    private static final String SIDECAR = "istio-proxy";
    private static final String APP = "app";

    @TempDir
    Path tempDir;

    @AfterEach
    void noChildProcessIsLeft() {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(liveDescendants()).isEmpty());
    }

    @Test
    void classicDeletionSignalsAppAndSidecarAtTheSameInstant() throws Exception {
        // given a classic sidecar that exits at once and an app whose shutdown takes 1 s
        Path logs = tempDir.resolve("logs");
        try (PodSimulator pod = PodSimulator.builder()
                .sidecarKind(SidecarKind.CLASSIC)
                .sidecar(sidecar())
                .app(ready -> app("--shutdown-ms", "1000").toBuilder()
                        .env("SIDECAR_INBOUND", String.valueOf(ready.port("inbound")))
                        .build())
                .logDirectory(logs)
                .build()) {
            pod.start();
            assertThat(pod.sidecarReady().port("admin")).isEqualTo(15000);

            // when
            PodTermination termination = pod.deletePod();
            System.out.println(termination.toTimelineText());

            // then
            ContainerTermination app = termination.app();
            ContainerTermination sidecar = termination.sidecar().orElseThrow();
            assertThat(app.sigtermAt()).isNotNull();
            assertThat(sidecar.sigtermAt()).isNotNull();
            // both at once, as the kubelet does (bound for a busy machine: the two kill calls are back to back)
            assertThat(sidecar.sigtermAt().minus(app.sigtermAt()).abs())
                    .isLessThan(Duration.ofMillis(500));
            long sidecarSigterm = termination.firstOutput(SIDECAR, "SIDECAR_EMULATOR_EVENT sigterm")
                    .orElseThrow().ms();
            assertThat(sidecarSigterm).isLessThan(app.exitedAtMs()).isLessThan(1000);
            assertThat(app.exitedAtMs()).isBetween(1000L, 6000L);
            assertThat(app.exitCode()).isEqualTo(143);
            assertThat(sidecar.exitCode()).isEqualTo(143);
            assertThat(app.killedAtGrace()).isFalse();
            assertThat(sidecar.killedAtGrace()).isFalse();
            assertThat(termination.podEndMs())
                    .isEqualTo(Math.max(app.exitedAtMs(), sidecar.exitedAtMs()));
            assertThat(termination.firstOutput(APP, "APP_EVENT env")).get()
                    .extracting(TimelineEvent::detail).asString().endsWith("SIDECAR_INBOUND=15006");
            assertThat(termination.toTimelineText())
                    .contains("DELETED", "SIGTERM", "EXITED", "exit code 143",
                            "SIDECAR_EMULATOR_EVENT sigterm", "APP_EVENT shutdown-done");
            assertThat(Files.readString(logs.resolve("app.log"))).contains("stdout APP_READY");
            assertThat(Files.readString(logs.resolve(SIDECAR + ".log")))
                    .contains("stdout SIDECAR_EMULATOR_READY");
        }
    }

    @Test
    void nativeDeletionSignalsSidecarOnlyAfterTheAppExited() throws Exception {
        // given a native sidecar watching its preStop file and an app whose shutdown takes 1 s
        Path preStop = tempDir.resolve("native").resolve("prestop");
        try (PodSimulator pod = PodSimulator.builder()
                .sidecarKind(SidecarKind.NATIVE)
                .sidecar(sidecar("--exit-delay-ms", "200",
                        "--native-prestop-file", preStop.toString()))
                .app(app("--shutdown-ms", "1000"))
                .nativePreStopFile(preStop)
                .build()) {
            pod.start();

            // when
            PodTermination termination = pod.deletePod();
            System.out.println(termination.toTimelineText());

            // then
            ContainerTermination app = termination.app();
            ContainerTermination sidecar = termination.sidecar().orElseThrow();
            assertThat(preStop).exists();
            long preStopMs = termination.firstEvent(SIDECAR, TimelineEvent.Kind.PRESTOP)
                    .orElseThrow().ms();
            assertThat(app.sigtermAt()).isNotNull();
            assertThat(preStopMs).isLessThanOrEqualTo(app.sigtermAt().toMillis());
            assertThat(termination.firstOutput(SIDECAR, "SIDECAR_EMULATOR_EVENT prestop")
                    .orElseThrow().ms()).isLessThan(app.exitedAtMs());
            assertThat(sidecar.sigtermAt()).isNotNull();
            assertThat(sidecar.sigtermAt()).isGreaterThanOrEqualTo(app.exitedAt());
            assertThat(termination.firstOutput(SIDECAR, "SIDECAR_EMULATOR_EVENT sigterm")
                    .orElseThrow().ms()).isGreaterThanOrEqualTo(app.exitedAtMs());
            assertThat(app.exitCode()).isEqualTo(143);
            assertThat(sidecar.exitCode()).isEqualTo(143);
            assertThat(app.exitedAtMs()).isGreaterThanOrEqualTo(1000);
            assertThat(sidecar.exitedAtMs()).isGreaterThanOrEqualTo(app.exitedAtMs() + 200);
            assertThat(termination.podEndMs()).isEqualTo(sidecar.exitedAtMs());
        }
    }

    @Test
    void preStopLoopSignalsTheSidecarAtTheFirstCheckAfterTheAppStoppedListening() throws Exception {
        // given an app that keeps its port open 1.5 s after SIGTERM and exits at 3 s, and a
        // sidecar whose preStop loop checks that port every 500 ms
        try (PodSimulator pod = PodSimulator.builder()
                .sidecarKind(SidecarKind.PRESTOP_LOOP)
                .sidecar(sidecar())
                .app(app("--http", "--drain-ms", "1500", "--shutdown-ms", "3000"))
                .preStopLoopPort(ready -> ready.port("http"))
                .preStopLoopInterval(Duration.ofMillis(500))
                .build()) {
            pod.start();

            // when
            PodTermination termination = pod.deletePod();
            System.out.println(termination.toTimelineText());

            // then the sidecar got SIGTERM at the first check after the port closed: the loop
            // watches listening sockets, not the app's process, which still runs its hook
            ContainerTermination app = termination.app();
            ContainerTermination sidecar = termination.sidecar().orElseThrow();
            long portClosed = termination.firstOutput(APP, "APP_EVENT http-stopped").orElseThrow().ms();
            assertThat(termination.firstEvent(SIDECAR, TimelineEvent.Kind.PRESTOP)).get()
                    .extracting(TimelineEvent::detail).asString().contains("every 500 ms");
            assertThat(app.sigtermAt()).isLessThan(Duration.ofMillis(100));
            assertThat(sidecar.sigtermAt()).isNotNull();
            assertThat(sidecar.sigtermAt().toMillis()).isGreaterThanOrEqualTo(1500)
                    .isLessThanOrEqualTo(portClosed + 500 + 300)
                    .isLessThan(app.exitedAtMs());
            assertThat(app.exitedAtMs()).isGreaterThanOrEqualTo(3000);
            assertThat(app.exitCode()).isEqualTo(143);
            assertThat(sidecar.exitCode()).isEqualTo(143);
            assertThat(sidecar.killedAtGrace()).isFalse();
        }
    }

    @Test
    void appIgnoringSigtermIsKilledAtTheGracePeriod() throws Exception {
        // given an app that ignores SIGTERM and a grace period of 2 s
        try (PodSimulator pod = PodSimulator.builder()
                .sidecarKind(SidecarKind.CLASSIC)
                .sidecar(sidecar())
                .app(app("--ignore-sigterm"))
                .terminationGracePeriod(Duration.ofSeconds(2))
                .build()) {
            pod.start();

            // when
            PodTermination termination = pod.deletePod();
            System.out.println(termination.toTimelineText());

            // then
            ContainerTermination app = termination.app();
            assertThat(termination.firstOutput(APP, "APP_EVENT sigterm-ignored")).isPresent();
            assertThat(app.killedAtGrace()).isTrue();
            assertThat(app.exitCode()).isEqualTo(137);
            assertThat(app.exitedAtMs()).isBetween(2000L, 4000L);
            assertThat(termination.firstEvent(APP, TimelineEvent.Kind.SIGKILL).orElseThrow().ms())
                    .isGreaterThanOrEqualTo(2000L);
            ContainerTermination sidecar = termination.sidecar().orElseThrow();
            assertThat(sidecar.killedAtGrace()).isFalse();
            assertThat(sidecar.exitCode()).isEqualTo(143);
            assertThat(termination.toTimelineText()).contains("SIGKILL", "killed at the grace period");
        }
    }

    @Test
    void nativeSidecarIsKilledWithoutSigtermWhenTheAppUsesTheWholeGracePeriod() throws Exception {
        // given a native sidecar and an app that ignores SIGTERM
        try (PodSimulator pod = PodSimulator.builder()
                .sidecarKind(SidecarKind.NATIVE)
                .sidecar(sidecar())
                .app(app("--ignore-sigterm"))
                .terminationGracePeriod(Duration.ofMillis(1500))
                .build()) {
            pod.start();

            // when
            PodTermination termination = pod.deletePod();
            System.out.println(termination.toTimelineText());

            // then both are killed together at the grace period; the sidecar never got SIGTERM
            ContainerTermination sidecar = termination.sidecar().orElseThrow();
            assertThat(sidecar.sigtermAt()).isNull();
            assertThat(sidecar.killedAtGrace()).isTrue();
            assertThat(sidecar.exitCode()).isEqualTo(137);
            assertThat(termination.app().killedAtGrace()).isTrue();
            assertThat(termination.firstOutput(SIDECAR, "SIDECAR_EMULATOR_EVENT sigterm")).isEmpty();
            assertThat(termination.firstEvent(SIDECAR, TimelineEvent.Kind.PRESTOP).orElseThrow()
                    .detail()).isEqualTo("(no preStop file configured)");
        }
    }

    @Test
    void podWithoutSidecarRecordsExitCode143OfTheJvm() throws Exception {
        // given
        try (PodSimulator pod = PodSimulator.builder()
                .sidecarKind(SidecarKind.NONE)
                .app(app("--shutdown-ms", "300"))
                .build()) {
            pod.start();

            // when
            PodTermination termination = pod.deletePod();
            System.out.println(termination.toTimelineText());

            // then
            assertThat(termination.sidecar()).isEmpty();
            assertThat(termination.app().exitCode()).isEqualTo(143);
            assertThat(termination.app().exitedAtMs()).isBetween(300L, 5000L);
            assertThat(termination.podEndMs()).isEqualTo(termination.app().exitedAtMs());
            assertThat(termination.containers()).extracting(ContainerTermination::name)
                    .containsExactly(APP);
        }
    }

    @Test
    void inboundLoadCountsSuccessesAndFailuresOfAServerThatStopsMidRun() throws Exception {
        // A starved load may send nothing before SIGTERM, or during the app's 400 ms of 503s (seen: no 200 at all): that
        // run shows nothing and runs again (3 at most), then fails saying so.
        List<String> inconclusive = new ArrayList<>();
        for (int attempt = 1; attempt <= 3; attempt++) {
            Optional<String> why = loadAgainstAServerThatStopsMidRun();
            if (why.isEmpty()) {
                return;
            }
            inconclusive.add("run " + attempt + ": " + why.get());
            System.out.println("INCONCLUSIVE run " + attempt + " of 3: " + why.get());
        }
        throw new AssertionError("Inconclusive, not a verdict: the machine was too starved in 3 runs:\n  "
                + String.join("\n  ", inconclusive));
    }

    private Optional<String> loadAgainstAServerThatStopsMidRun() throws Exception {
        // given an app serving 200, then 503 for 400 ms after SIGTERM, then refusing, for 1.5 s
        try (PodSimulator pod = PodSimulator.builder()
                .sidecarKind(SidecarKind.NONE)
                .app(app("--http", "--drain-ms", "400", "--shutdown-ms", "1500"))
                .build()) {
            pod.start();
            int port = pod.appReady().port("http");
            pod.startInboundLoad(InboundLoad.builder()
                    .url("http://127.0.0.1:" + port + "/")
                    .clients(50)
                    .pause(Duration.ofMillis(10))
                    .requestTimeout(Duration.ofSeconds(2))
                    .leadTime(Duration.ofMillis(700))
                    .build());

            // when
            PodTermination termination = pod.deletePod();
            System.out.println(termination.toTimelineText());

            // then
            InboundLoadResult inbound = termination.inbound();
            long ok = inbound.count(InboundOutcome.OK);
            long unavailable = inbound.count(InboundOutcome.HTTP_ERROR);
            long refused = inbound.count(InboundOutcome.CONNECTION_REFUSED);
            Matcher served = Pattern.compile("served ok=(\\d+) unavailable=(\\d+)")
                    .matcher(termination.firstOutput(APP, "APP_EVENT served").orElseThrow().detail());
            assertThat(served.find()).isTrue();
            // the app's own counts: a verdict on each outcome needs requests that reached it in that stage
            if (Long.parseLong(served.group(1)) == 0 || Long.parseLong(served.group(2)) == 0) {
                return Optional.of("the app served " + served.group() + " (the 700 ms before SIGTERM, then 400 ms of 503s): "
                        + inbound.summary());
            }
            assertThat(ok).isPositive();
            assertThat(unavailable).isPositive();
            assertThat(refused).isPositive();
            assertThat(inbound.statusCounts().keySet()).containsExactlyInAnyOrder(200, 503);
            assertThat(inbound.counts().values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(inbound.total());
            assertThat(inbound.failures()).isEqualTo(inbound.total() - ok);

            assertThat(ok).isEqualTo(Long.parseLong(served.group(1)));
            assertThat(unavailable).isLessThanOrEqualTo(Long.parseLong(served.group(2)));

            Duration appSigterm = termination.sinceDeletion(
                    termination.app().firstLineContaining("APP_EVENT sigterm").orElseThrow().time());
            assertThat(inbound.requests())
                    .filteredOn(r -> r.outcome() == InboundOutcome.OK)
                    .allSatisfy(r -> assertThat(r.sentAt()).isLessThan(appSigterm));
            // a request sent just before the deletion may still be answered 503 (it queued at
            // the server), but no failure can be known before the deletion
            assertThat(inbound.requests())
                    .filteredOn(r -> r.outcome() != InboundOutcome.OK)
                    .allSatisfy(r -> assertThat(r.endedAt()).isPositive());
            assertThat(inbound.requests())
                    .filteredOn(r -> r.outcome() == InboundOutcome.CONNECTION_REFUSED)
                    .allSatisfy(r -> assertThat(r.endedAt()).isGreaterThan(appSigterm));
            assertThat(inbound.requests())
                    .allSatisfy(r -> assertThat(r.sentAt())
                            .isLessThan(termination.podEnd().plusSeconds(1)));
            assertThat(inbound.requests()).extracting(InboundRequest::client).contains(0, 49);
            assertThat(termination.firstEvent(TimelineEvent.LOAD, TimelineEvent.Kind.LOAD_STOPPED))
                    .isPresent();
            assertThat(termination.toTimelineText()).contains("Inbound: " + inbound.total());
            return Optional.empty();
        }
    }

    @Test
    void readinessTimeoutNamesTheContainerAndThePattern() {
        // given a sidecar that never prints its ready line
        PodSimulator pod = PodSimulator.builder()
                .sidecar(sidecar("--no-ready").toBuilder().startTimeout(Duration.ofSeconds(2)).build())
                .app(app())
                .build();

        // when / then
        try (pod) {
            assertThatThrownBy(pod::start)
                    .isInstanceOf(PodSimulatorException.class)
                    .hasMessageContaining("'" + SIDECAR + "'")
                    .hasMessageContaining("not ready within PT2S")
                    .hasMessageContaining("/^SIDECAR_EMULATOR_READY /")
                    .hasMessageContaining("starting fake sidecar");
            assertThat(pod.appProcess()).isEmpty();
            assertThat(pod.sidecarProcess().orElseThrow().isAlive()).isFalse();
        }
    }

    @Test
    void containerExitingBeforeItIsReadyIsReportedWithItsExitCode() {
        // given an app that exits with 3 before its ready line
        PodSimulator pod = PodSimulator.builder()
                .sidecar(sidecar())
                .app(app("--exit-before-ready", "3"))
                .build();

        // when / then
        try (pod) {
            assertThatThrownBy(pod::start)
                    .isInstanceOf(PodSimulatorException.class)
                    .hasMessageContaining("container 'app' exited with code 3")
                    .hasMessageContaining("/^APP_READY/")
                    .hasMessageContaining("fake app failing on purpose");
            assertThat(pod.sidecarProcess().orElseThrow().isAlive()).isFalse();
        }
    }

    @Test
    void closeKillsEverythingAndIsIdempotent() throws Exception {
        // given a running pod
        PodSimulator pod = PodSimulator.builder()
                .sidecar(sidecar())
                .app(app("--ignore-sigterm"))
                .build();
        pod.start();
        List<ProcessHandle> processes = new ArrayList<>();
        processes.add(pod.sidecarProcess().orElseThrow());
        processes.add(pod.appProcess().orElseThrow());
        assertThat(processes).allMatch(ProcessHandle::isAlive);

        // when
        pod.close();
        pod.close();

        // then
        assertThat(processes).noneMatch(ProcessHandle::isAlive);
        assertThatThrownBy(pod::deletePod)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("deletePod(): pod is CLOSED (expected: RUNNING)");
    }

    private static ContainerSpec sidecar(String... args) {
        return ContainerSpec.builder()
                .name(SIDECAR)
                .command(JavaProcess.javaCommand(JVM_OPTIONS, FakeSidecarMain.class, args))
                .readyPattern("^SIDECAR_EMULATOR_READY ")
                .startTimeout(Duration.ofSeconds(30))
                .build();
    }

    private static ContainerSpec app(String... args) {
        return ContainerSpec.builder()
                .name(APP)
                .command(JavaProcess.javaCommand(JVM_OPTIONS, FakeAppMain.class, args))
                .readyPattern("^APP_READY")
                .startTimeout(Duration.ofSeconds(30))
                .build();
    }

    private static List<ProcessHandle> liveDescendants() {
        List<ProcessHandle> live = new ArrayList<>();
        ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).forEach(live::add);
        return live;
    }
}
