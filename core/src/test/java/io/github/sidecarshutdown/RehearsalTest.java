package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.engine.Engine;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.sidecar.Sidecar;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rehearsal (run beside a JVM's first shutdown that may release) warms the sequence up without touching anything of the app's: it runs
 * the whole sequence (every phase, a task in each task phase, the release), makes no network call,
 * starts only daemon threads and leaves none behind, tells no listener of the app's, leaves the
 * app's readiness alone, and neither waits for nor takes the process-wide release.
 */
@Timeout(60)
class RehearsalTest {

    @Test
    @SuppressWarnings("removal")
    void rehearsesTheWholeSequenceWithoutAnyNetworkCallEvenWhenTheSettingsNameAListeningSidecar() throws Exception {
        try (Recorder sidecar = new Recorder()) {
            ShutdownSettings settings = ShutdownCoordinator.builder().fromEnvironment(Map.of())
                    .sidecarMode(SidecarMode.ISTIO).adminUrl(sidecar.url()).agentUrl(sidecar.url()).settings();

            ConnectRecorder recorder = new ConnectRecorder();
            ShutdownReport report;
            System.setSecurityManager(recorder);
            try {
                report = Engine.rehearse(settings).orElseThrow();
            } finally {
                System.setSecurityManager(null);
            }

            assertThat(report.complete()).as(report.summaryLine()).isTrue();
            assertThat(report.outcome()).as(report.summaryLine()).isEqualTo(ReportOutcome.CLEAN);
            assertThat(report.tasks()).as("a task ran in each task phase").hasSize(3)
                    .allMatch(t -> t.outcome() == TaskOutcome.SUCCEEDED);
            assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().outcome())
                    .as("the release path is rehearsed too").isEqualTo(TaskOutcome.SUCCEEDED);
            assertThat(sidecar.accepted.get()).as("connections to the sidecar the settings name").isZero();
            assertThat(recorder.connects).as("connect attempts anywhere during the rehearsal").isEmpty();
        }
    }

    @Test
    void startsOnlyDaemonThreadsAndLeavesNoneBehind() throws Exception {
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        Map<Thread, Boolean> seen = new ConcurrentHashMap<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        // The rehearsal's threads are short-lived: watch for them while it runs.
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (!before.contains(t) && t.getName().startsWith("sidecar-shutdown")) {
                        seen.put(t, t.isDaemon());
                    }
                }
                Thread.onSpinWait();
            }
        }, "rehearsal-test-watcher");
        watcher.setDaemon(true);
        watcher.start();
        Optional<ShutdownReport> report = Optional.empty();
        try {
            // The threads live for microseconds; a starved watcher may miss every one of a run: rehearse
            // again (a bounded number of times) until it has seen some.
            for (int i = 0; i < 50 && (i == 0 || seen.isEmpty()); i++) {
                report = Engine.rehearse(ShutdownCoordinator.builder().fromEnvironment(Map.of()).sidecarMode(SidecarMode.ISTIO)
                        .settings());
            }
        } finally {
            watching.set(false);
            watcher.join(5_000);
        }

        assertThat(report).isPresent();
        assertThat(seen).as("threads the rehearsal started").isNotEmpty();
        assertThat(seen.entrySet()).as("every thread it started is a daemon").allMatch(Map.Entry::getValue);
        // Waited for before run() returned: none outlives it (install() leaves no thread behind).
        assertThat(seen.keySet()).as("threads of the rehearsal alive after it returned").noneMatch(Thread::isAlive);
    }

    @Test
    void aRehearsalTellsNoListenerOfTheAppsAndLeavesItsReadinessAlone() {
        List<String> heard = new CopyOnWriteArrayList<>();
        ShutdownCoordinator c = ShutdownCoordinator.builder().fromEnvironment(Map.of()).runtimeHooks(new RecordingHooks())
                .sidecar(Sidecar.none())
                .listener(new ShutdownListener() {
                    @Override
                    public void onPhaseStarted(ShutdownPhase phase) {
                        heard.add(phase.tagValue());
                    }

                    @Override
                    public void onShutdownCompleted(ShutdownReport report) {
                        heard.add("completed");
                    }
                }).build();
        c.readiness().markReady();

        c.install();
        Engine.rehearse(c.settings()).orElseThrow();

        assertThat(heard).as("the app's listeners").isEmpty();
        assertThat(c.readiness().isReady()).as("the app's readiness").isTrue();
        assertThat(c.state()).isEqualTo(ShutdownCoordinator.State.INSTALLED);
        assertThat(c.report()).as("no sequence of the app's ran").isEmpty();
    }

    @Test
    void aRehearsalDuringTheAppsCleanupNeitherWaitsForItNorTakesItsRelease() throws Exception {
        FakeSidecar sidecar = new FakeSidecar(new VirtualTime(), FakeSidecar.istio(Duration.ofSeconds(30)));
        CountDownLatch inCleanup = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        // Real time: the app's cleanup really blocks while the rehearsal runs.
        ShutdownCoordinator app = ShutdownCoordinator.builder().fromEnvironment(Map.of())
                .runtimeHooks(new RecordingHooks()).sidecar(sidecar).propagationDelay(Duration.ZERO)
                .task(ShutdownTask.builder("deregister", ctx -> {
                    inCleanup.countDown();
                    finish.await();
                }).timeout(Duration.ofSeconds(20)).build()).build();
        CompletableFuture<ShutdownReport> appReport = app.shutdownAsync();
        assertThat(inCleanup.await(10, TimeUnit.SECONDS)).isTrue();

        // The app's coordinator is mid-cleanup: a rehearsal sharing the process-wide release would wait for it
        // (until its own deadline), then claim the release and leave the app's release "already released".
        CompletableFuture<Optional<ShutdownReport>> rehearsal = CompletableFuture.supplyAsync(() -> Engine.rehearse(app.settings()));
        Optional<ShutdownReport> rehearsed = rehearsal.get(10, TimeUnit.SECONDS);
        finish.countDown();
        ShutdownReport report = appReport.get(20, TimeUnit.SECONDS);

        assertThat(rehearsed).isPresent();
        assertThat(report.phase(ShutdownPhase.SIDECAR_RELEASE).orElseThrow().outcome()).as(report.summaryLine())
                .isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(sidecar.count("release")).isEqualTo(1);
    }

    /** Records every connect attempt made while it is installed; allows everything. */
    @SuppressWarnings("removal")
    private static final class ConnectRecorder extends SecurityManager {
        final List<String> connects = new CopyOnWriteArrayList<>();

        @Override
        public void checkPermission(java.security.Permission perm) {
            // everything is allowed: this manager only watches connects
        }

        @Override
        public void checkPermission(java.security.Permission perm, Object context) {
            // everything is allowed
        }

        @Override
        public void checkConnect(String host, int port) {
            connects.add(Thread.currentThread().getName() + " -> " + host + ":" + port);
        }

        @Override
        public void checkConnect(String host, int port, Object context) {
            checkConnect(host, port);
        }
    }

    /** A listening socket that counts the connections it accepts. */
    private static final class Recorder implements AutoCloseable {
        private final ServerSocket server;
        final AtomicInteger accepted = new AtomicInteger();
        private final List<Socket> sockets = new ArrayList<>();

        Recorder() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        accepted.incrementAndGet();
                        synchronized (sockets) {
                            sockets.add(s);
                        }
                    } catch (SocketException closed) {
                        return;
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "rehearsal-test-recorder");
            t.setDaemon(true);
            t.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
