package io.github.sidecarshutdown.flush;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.net.SocketAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.TaskOutcome;
import io.github.sidecarshutdown.TaskResult;
import io.github.sidecarshutdown.testkit.emulator.EmulatorMode;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorExtension;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real Logback context: an {@code AsyncAppender} in front of an appender that posts each line
 * over HTTP through the sidecar emulator, beside a local appender. The task drains the queue while
 * the sidecar forwards; the local appender keeps the later lines.
 */
class LogbackFlushTest {

    @RegisterExtension
    static SidecarEmulatorExtension sidecar = SidecarEmulatorExtension.of(
            SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26).terminationDrainDuration(Duration.ofSeconds(20)));

    private final Downstream backend = new Downstream();
    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream local = new ByteArrayOutputStream();
    private OutputStreamAppender<ILoggingEvent> localAppender;
    private AsyncAppender async;
    private HttpLineAppender http;

    LogbackFlushTest() throws Exception {
    }

    @AfterEach
    void tearDown() {
        context.stop();
        backend.close();
    }

    /** The app's context: LOCAL (a stream in memory) and ASYNC_HTTP -> HTTP, both on the root logger. */
    private Logger app(SidecarEmulator emulator) {
        context.setName("flush-test");
        context.setMDCAdapter(new LogbackMDCAdapter()); // what Logback's SLF4J provider sets up
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        localAppender = new OutputStreamAppender<>();
        localAppender.setName("LOCAL");
        localAppender.setContext(context);
        localAppender.setEncoder(encoder);
        localAppender.setOutputStream(local);
        localAppender.start();
        http = new HttpLineAppender(backend.url("/logs"), emulator.outboundProxyAddress());
        http.setContext(context);
        http.start();
        async = new AsyncAppender();
        async.setName("ASYNC_HTTP");
        async.setContext(context);
        async.setDiscardingThreshold(0); // keep INFO lines when the queue fills
        async.addAppender(http);
        async.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(localAppender);
        root.addAppender(async);
        return context.getLogger("app");
    }

    private List<String> logLines(Logger app, String prefix, int count) {
        List<String> lines = IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
        lines.forEach(app::info);
        return lines;
    }

    private List<String> delivered() {
        return backend.received("/logs").stream().map(Downstream.Received::text).toList();
    }

    @Test
    void queuedLinesReachTheBackendBeforeTheSidecarIsReleasedAndLaterLinesStayLocal(SidecarEmulator emulator) throws Exception {
        // given a slow log backend and lines still queued in the async appender
        backend.delay(Duration.ofMillis(20));
        Logger app = app(emulator);
        List<String> lines = logLines(app, "line", 40);
        assertThat(LogbackFlush.networkAppenders(context)).containsExactly("ASYNC_HTTP");
        ShutdownCoordinator coordinator = Coordinators.beside(emulator).task(LogbackFlush.task(context)).build();
        coordinator.awaitSidecarReady(Duration.ofSeconds(10));

        // when the Pod is deleted
        emulator.terminate();
        ShutdownReport report = coordinator.shutdown();
        app.info("after-the-flush");

        // then every queued line went out through the sidecar before it exited
        TaskResult task = report.task(LogbackFlush.TASK_NAME).orElseThrow();
        assertThat(task.outcome()).as(report.summaryLine()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(delivered()).containsExactlyElementsOf(lines);
        assertThat(http.failed).hasValue(0);
        long exit = Coordinators.exitNanos(emulator);
        assertThat(backend.received("/logs")).allSatisfy(r -> assertThat(r.atNanos()).isLessThan(exit));
        // and the network appenders are off the loggers and stopped; the local one still writes
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getAppender("ASYNC_HTTP")).isNull();
        assertThat(async.isStarted()).isFalse();
        assertThat(http.isStarted()).isFalse();
        assertThat(root.getAppender("LOCAL")).isSameAs(localAppender);
        assertThat(local.toString(StandardCharsets.UTF_8)).contains("line-39").contains("after-the-flush");
        assertThat(delivered()).doesNotContain("after-the-flush");
    }

    /**
     * What the task prevents: an appender that ships in batches holds its lines until it is
     * stopped, and the logging context stopped after the release (Logback's own hook, the JVM's
     * exit) cannot send them any more. (A queue that sends line after line mostly gets out anyway:
     * the release waits for requests in flight through the sidecar.)
     */
    @Test
    void contextStoppedAfterTheReleaseLosesTheBatchStillHeld(SidecarEmulator emulator) throws Exception {
        Logger app = app(emulator);
        BatchingHttpAppender batching = new BatchingHttpAppender(backend.url("/log-batches"), emulator.outboundProxyAddress());
        batching.setContext(context);
        batching.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(batching);
        logLines(app, "line", 40);
        ShutdownCoordinator coordinator = Coordinators.beside(emulator).build();
        coordinator.awaitSidecarReady(Duration.ofSeconds(10));

        emulator.terminate();
        assertThat(coordinator.shutdown().sidecarReleased()).isTrue();
        Coordinators.exitNanos(emulator);
        assertThat(backend.received("/log-batches")).as("nothing of the batch before the sidecar left").isEmpty();
        context.stop(); // what Logback's own hook or the JVM's exit does later

        assertThat(batching.failed).hasValue(1);
        assertThat(backend.received("/log-batches")).isEmpty();
    }

    @Test
    void aBackendThatNeverAnswersIsCutAtTheTasksTimeout(SidecarEmulator emulator) throws Exception {
        backend.hang();
        Logger app = app(emulator);
        logLines(app, "stuck", 5);
        ShutdownCoordinator coordinator = Coordinators.beside(emulator)
                .task(LogbackFlush.task(context, Duration.ofSeconds(1)))
                .build();
        coordinator.awaitSidecarReady(Duration.ofSeconds(10));

        emulator.terminate();
        long start = System.nanoTime();
        ShutdownReport report = coordinator.shutdown();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(report.task(LogbackFlush.TASK_NAME).orElseThrow().outcome()).as(report.summaryLine())
                .isEqualTo(TaskOutcome.TIMED_OUT);
        assertThat(report.sidecarReleased()).isTrue();
        assertThat(took).isLessThan(Duration.ofSeconds(15)); // not the appender's 60 s per line
    }

    @Test
    void consoleFileAndAsyncLocalAppendersStayEverythingElseStops() {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        AsyncAppender asyncConsole = new AsyncAppender();
        asyncConsole.addAppender(console);
        AsyncAppender asyncSocket = new AsyncAppender();
        asyncSocket.addAppender(new SocketAppender());

        assertThat(LogbackFlush.sendsElsewhere(console)).isFalse();
        assertThat(LogbackFlush.sendsElsewhere(new ch.qos.logback.core.rolling.RollingFileAppender<>())).isFalse();
        assertThat(LogbackFlush.sendsElsewhere(asyncConsole)).isFalse();
        assertThat(LogbackFlush.sendsElsewhere(new SocketAppender())).isTrue();
        assertThat(LogbackFlush.sendsElsewhere(asyncSocket)).isTrue();
        assertThat(LogbackFlush.sendsElsewhere(new HttpLineAppender(backend.url("/logs"),
                new java.net.InetSocketAddress("127.0.0.1", 1)))).isTrue();
    }

    @Test
    void taskWithoutLogbackBehindSlf4jSaysSo() {
        // In this module's tests SLF4J is bound to Logback: the default task builds.
        assertThat(LogbackFlush.task().name()).isEqualTo(LogbackFlush.TASK_NAME);
    }
}
