package io.github.sidecarshutdown.flush;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.TaskOutcome;
import io.github.sidecarshutdown.testkit.emulator.EmulatorMode;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real Log4j2 context: Log4j2's own {@code Http} appender behind an {@code Async} appender,
 * posting through the sidecar emulator (its HttpURLConnection asks the JVM's ProxySelector, which
 * the test points at the emulator for the backend's port only), beside a local writer appender.
 */
class Log4j2FlushTest {

    @RegisterExtension
    static SidecarEmulatorExtension sidecar = SidecarEmulatorExtension.of(
            SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26).terminationDrainDuration(Duration.ofSeconds(20)));

    private final Downstream backend = new Downstream();
    private final LoggerContext context = new LoggerContext("flush-test");
    private final StringWriter local = new StringWriter();
    private final ProxySelector previous = ProxySelector.getDefault();

    Log4j2FlushTest() throws IOException {
    }

    @AfterEach
    void tearDown() {
        context.stop();
        ProxySelector.setDefault(previous);
        backend.close();
    }

    /** The app's context: ASYNC_NET -> NET (Http) and LOCAL (a writer) on the root logger. */
    private Logger app(SidecarEmulator emulator) throws IOException {
        InetSocketAddress proxy = emulator.outboundProxyAddress();
        int port = backend.port();
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                return uri.getPort() == port ? List.of(new Proxy(Proxy.Type.HTTP, proxy)) : List.of(Proxy.NO_PROXY);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            }
        });
        String xml = """
                <Configuration status="warn" shutdownHook="disable">
                  <Appenders>
                    <Http name="NET" url="%s" connectTimeoutMillis="1000" readTimeoutMillis="60000">
                      <PatternLayout pattern="%%m"/>
                    </Http>
                    <Async name="ASYNC_NET"><AppenderRef ref="NET"/></Async>
                  </Appenders>
                  <Loggers>
                    <Root level="info"><AppenderRef ref="ASYNC_NET"/></Root>
                  </Loggers>
                </Configuration>
                """.formatted(backend.url("/logs"));
        Configuration config = new XmlConfiguration(context,
                new ConfigurationSource(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))));
        context.start(config);
        Configuration running = context.getConfiguration();
        WriterAppender localAppender = WriterAppender.newBuilder().setName("LOCAL").setTarget(local)
                .setLayout(PatternLayout.newBuilder().withPattern("%m%n").build()).build();
        localAppender.start();
        running.addAppender(localAppender);
        running.getRootLogger().addAppender(localAppender, null, null);
        context.updateLoggers();
        return context.getLogger("app");
    }

    private static List<String> logLines(Logger app, String prefix, int count) {
        List<String> lines = IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
        lines.forEach(app::info);
        return lines;
    }

    private List<String> delivered() {
        return backend.received("/logs").stream().map(Downstream.Received::text).toList();
    }

    @Test
    void queuedLinesReachTheBackendBeforeTheSidecarIsReleasedAndLaterLinesStayLocal(SidecarEmulator emulator) throws Exception {
        backend.delay(Duration.ofMillis(20));
        Logger app = app(emulator);
        List<String> lines = logLines(app, "line", 40);
        assertThat(Log4j2Flush.networkAppenders(context)).containsExactlyInAnyOrder("NET", "ASYNC_NET");
        ShutdownCoordinator coordinator = Coordinators.beside(emulator).task(Log4j2Flush.task(context)).build();
        coordinator.awaitSidecarReady(Duration.ofSeconds(10));

        emulator.terminate();
        ShutdownReport report = coordinator.shutdown();
        app.info("after-the-flush");

        assertThat(report.task(Log4j2Flush.TASK_NAME).orElseThrow().outcome()).as(report.summaryLine())
                .isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(delivered()).containsExactlyElementsOf(lines);
        long exit = Coordinators.exitNanos(emulator);
        assertThat(backend.received("/logs")).allSatisfy(r -> assertThat(r.atNanos()).isLessThan(exit));
        Configuration config = context.getConfiguration();
        assertThat(config.getRootLogger().getAppenders()).containsOnlyKeys("LOCAL");
        assertThat(config.<Appender>getAppender("NET").isStopped()).isTrue();
        assertThat(config.<Appender>getAppender("ASYNC_NET").isStopped()).isTrue();
        assertThat(local.toString()).contains("line-39").contains("after-the-flush");
        assertThat(delivered()).doesNotContain("after-the-flush");
    }

    /**
     * What the task prevents: an appender that ships in batches holds its lines until it is
     * stopped, and the context stopped after the release (Log4j2's own hook, late) cannot send
     * them any more. (A queue that sends line after line mostly gets out anyway: the release waits
     * for requests in flight through the sidecar.)
     */
    @Test
    void contextStoppedAfterTheReleaseLosesTheBatchStillHeld(SidecarEmulator emulator) throws Exception {
        Logger app = app(emulator);
        BatchingAppender batching = new BatchingAppender(new LinePoster(backend.url("/log-batches"),
                emulator.outboundProxyAddress(), Duration.ofSeconds(10)));
        batching.start();
        Configuration running = context.getConfiguration();
        running.addAppender(batching);
        running.getRootLogger().addAppender(batching, null, null);
        context.updateLoggers();
        logLines(app, "line", 40);
        ShutdownCoordinator coordinator = Coordinators.beside(emulator).build();
        coordinator.awaitSidecarReady(Duration.ofSeconds(10));

        emulator.terminate();
        assertThat(coordinator.shutdown().sidecarReleased()).isTrue();
        Coordinators.exitNanos(emulator);
        assertThat(backend.received("/log-batches")).as("nothing of the batch before the sidecar left").isEmpty();
        context.stop();

        assertThat(batching.poster.failed).hasValue(1);
        assertThat(backend.received("/log-batches")).isEmpty();
    }

    /** Holds every line and posts them in one request when stopped, as batching shippers do. */
    private static final class BatchingAppender extends org.apache.logging.log4j.core.appender.AbstractAppender {
        final LinePoster poster;
        private final List<String> held = new java.util.ArrayList<>();

        BatchingAppender(LinePoster poster) {
            super("BATCHING", null, null, true, org.apache.logging.log4j.core.config.Property.EMPTY_ARRAY);
            this.poster = poster;
        }

        @Override
        public synchronized void append(org.apache.logging.log4j.core.LogEvent event) {
            held.add(event.getMessage().getFormattedMessage());
        }

        @Override
        public synchronized boolean stop(long timeout, java.util.concurrent.TimeUnit unit) {
            if (isStarted() && !held.isEmpty()) {
                poster.post(String.join("\n", held));
                held.clear();
            }
            return super.stop(timeout, unit);
        }
    }

    @Test
    void aBackendThatNeverAnswersIsCutAtTheTasksTimeout(SidecarEmulator emulator) throws Exception {
        backend.hang();
        Logger app = app(emulator);
        logLines(app, "stuck", 5);
        ShutdownCoordinator coordinator = Coordinators.beside(emulator)
                .task(Log4j2Flush.task(context, Duration.ofSeconds(1)))
                .build();
        coordinator.awaitSidecarReady(Duration.ofSeconds(10));

        emulator.terminate();
        long start = System.nanoTime();
        ShutdownReport report = coordinator.shutdown();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(report.task(Log4j2Flush.TASK_NAME).orElseThrow().outcome()).as(report.summaryLine())
                .isEqualTo(TaskOutcome.TIMED_OUT);
        assertThat(report.sidecarReleased()).isTrue();
        assertThat(took).isLessThan(Duration.ofSeconds(15));
        backend.close(); // lets the Http appender's pending read end before the context stops
    }

    @Test
    void fileConsoleAndAsyncLocalAppendersStaySocketAndHttpStop(SidecarEmulator emulator) throws Exception {
        app(emulator);
        Configuration config = context.getConfiguration();

        assertThat(Log4j2Flush.sendsElsewhere(config.getAppender("NET"))).isTrue();
        assertThat(Log4j2Flush.sendsElsewhere(config.getAppender("ASYNC_NET"))).isTrue();
        assertThat(Log4j2Flush.sendsElsewhere(config.getAppender("LOCAL"))).isFalse();
        assertThat(Log4j2Flush.sendsElsewhere(
                org.apache.logging.log4j.core.appender.ConsoleAppender.newBuilder().setName("C").build())).isFalse();
    }
}
