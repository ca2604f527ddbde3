package io.github.sidecarshutdown.testkit.pod;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * One run of a container: the OS process, its output readers, its exit watcher and what was
 * observed (lines, ready line, signals, exit). A container restarted in place
 * ({@link RestartingContainer}) has one of these per run. Times are {@link System#nanoTime()} values.
 *
 * <p>Long because a real child process needs every edge handled in one place: start, readiness line,
 * output capture, signals, exit code, and a bounded cleanup that never leaks a process.
 */
final class ContainerProcess {

    /** Receives events; implemented by the simulator. */
    interface EventSink {
        void event(long nanos, String source, TimelineEvent.Kind kind, String detail);

        Instant instantOf(long nanos);
    }

    private static final int TAIL_LINES = 5;

    private final ContainerSpec spec;
    private final ContainerRole role;
    private final int restart;
    private final EventSink sink;
    private final List<String> markers;
    private final @Nullable Path logFile;
    private final List<OutputLine> lines = new ArrayList<>();
    private final CompletableFuture<ReadyLine> ready = new CompletableFuture<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final List<Thread> readers = new ArrayList<>();
    private final AtomicInteger openStreams = new AtomicInteger(2);
    private @Nullable Writer log;
    private @Nullable Process process;
    private volatile long startNanos;
    private volatile long exitNanos;
    private volatile long sigtermNanos;
    private volatile boolean killedAtGrace;

    /**
     * @param restart 0 for the container's first run, n for its n-th restart in place (its log file is
     *     then {@code <name>.restart-<n>.log}, as {@code kubectl logs --previous} keeps the runs apart)
     */
    ContainerProcess(ContainerSpec spec, ContainerRole role, EventSink sink, List<String> markers,
            @Nullable Path logDirectory, int restart) {
        this.spec = spec;
        this.role = role;
        this.restart = restart;
        this.sink = sink;
        this.markers = List.copyOf(markers);
        this.logFile = logDirectory == null ? null
                : logDirectory.resolve(spec.name() + (restart == 0 ? "" : ".restart-" + restart) + ".log");
    }

    int restart() {
        return restart;
    }

    String name() {
        return spec.name();
    }

    ContainerRole role() {
        return role;
    }

    /** Starts the process, its two reader threads and its exit watcher. */
    void start() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(spec.command());
        builder.environment().putAll(spec.environment());
        spec.workingDirectory().ifPresent(dir -> builder.directory(dir.toFile()));
        if (logFile != null) {
            log = Files.newBufferedWriter(logFile, UTF_8);
        }
        Process started;
        try {
            started = builder.start();
        } catch (IOException e) {
            closeLog();
            throw e;
        }
        startNanos = System.nanoTime();
        process = started;
        started.getOutputStream().close();
        sink.event(startNanos, name(), TimelineEvent.Kind.STARTED,
                "pid " + started.pid() + (restart == 0 ? "" : ", restart " + restart));
        if (spec.readyPattern().isEmpty()) {
            ReadyLine line = new ReadyLine(name(), "", List.of(""), sink.instantOf(startNanos));
            ready.complete(line);
            sink.event(startNanos, name(), TimelineEvent.Kind.READY, "(no ready pattern)");
        }
        readers.add(startReader(started.getInputStream(), OutputLine.Channel.STDOUT));
        readers.add(startReader(started.getErrorStream(), OutputLine.Channel.STDERR));
        Thread watcher = new Thread(() -> watchExit(started), "pod-sim-" + name() + "-exit");
        watcher.setDaemon(true);
        watcher.start();
    }

    private Thread startReader(InputStream stream, OutputLine.Channel channel) {
        Thread reader = new Thread(() -> read(stream, channel),
                "pod-sim-" + name() + "-" + channel.name().toLowerCase(Locale.ROOT));
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    private void read(InputStream stream, OutputLine.Channel channel) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, UTF_8))) {
            String text;
            while ((text = reader.readLine()) != null) {
                onLine(channel, text);
            }
        } catch (IOException e) {
            // The stream was closed under us (close() or the process died): nothing more to read.
        } finally {
            if (channel == OutputLine.Channel.STDOUT && !ready.isDone()) {
                ready.completeExceptionally(new EndOfOutput());
            }
            if (openStreams.decrementAndGet() == 0) {
                closeLog();
            }
        }
    }

    private void onLine(OutputLine.Channel channel, String text) {
        long now = System.nanoTime();
        Instant time = sink.instantOf(now);
        OutputLine line = new OutputLine(name(), channel, time, text);
        synchronized (lines) {
            lines.add(line);
        }
        Writer writer = log;
        if (writer != null) {
            synchronized (this) {
                try {
                    writer.write(time + " " + channel.name().toLowerCase(Locale.ROOT) + " "
                            + text + System.lineSeparator());
                    writer.flush();
                } catch (IOException e) {
                    // Tee is best effort: the captured lines stay in memory.
                }
            }
        }
        if (channel == OutputLine.Channel.STDOUT && !ready.isDone()) {
            Pattern pattern = spec.readyPattern().orElse(null);
            if (pattern != null) {
                Matcher matcher = pattern.matcher(text);
                if (matcher.find()) {
                    ReadyLine readyLine = ReadyLine.of(name(), text, matcher, time);
                    sink.event(now, name(), TimelineEvent.Kind.READY, text);
                    ready.complete(readyLine);
                    return;
                }
            }
        }
        for (String marker : markers) {
            if (text.contains(marker)) {
                sink.event(now, name(), TimelineEvent.Kind.OUTPUT, text);
                break;
            }
        }
    }

    private void watchExit(Process started) {
        boolean interrupted = false;
        while (true) {
            try {
                int code = started.waitFor();
                exitNanos = System.nanoTime();
                sink.event(exitNanos, name(), TimelineEvent.Kind.EXITED, "exit code " + code);
                exit.complete(code);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for the ready line, bounded by the spec's start timeout.
     *
     * @throws PodSimulatorException if the container is not ready in time or its output ended
     */
    ReadyLine awaitReady() throws InterruptedException {
        Duration timeout = spec.startTimeout();
        try {
            return ready.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new PodSimulatorException("container '" + name() + "' not ready within " + timeout
                    + ": no stdout line matched the ready pattern /" + patternText() + "/ ("
                    + processState() + "; " + tails() + ")");
        } catch (ExecutionException e) {
            // Output ended: give the exit watcher a moment to observe the exit code.
            Integer code = null;
            try {
                code = exit.get(2, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException ignored) {
                // Still running with a closed stdout; report it as such.
            }
            String state = code == null ? "stdout closed, process alive" : "exited with code " + code;
            throw new PodSimulatorException("container '" + name() + "' " + state
                    + " before printing a stdout line matching the ready pattern /" + patternText()
                    + "/ (" + tails() + ")");
        }
    }

    private String patternText() {
        return spec.readyPattern().map(Pattern::pattern).orElse("");
    }

    private String processState() {
        Process p = process;
        if (p == null) {
            return "not started";
        }
        return p.isAlive() ? "process alive, pid " + p.pid() : "process exited";
    }

    private String tails() {
        List<OutputLine> snapshot = lines();
        return "last stdout: " + tail(snapshot, OutputLine.Channel.STDOUT)
                + "; last stderr: " + tail(snapshot, OutputLine.Channel.STDERR);
    }

    private static List<String> tail(List<OutputLine> all, OutputLine.Channel channel) {
        List<String> texts = all.stream()
                .filter(l -> l.channel() == channel)
                .map(OutputLine::text)
                .collect(Collectors.toList());
        return texts.subList(Math.max(0, texts.size() - TAIL_LINES), texts.size());
    }

    /**
     * Sends SIGTERM if the process is alive; records it.
     *
     * <p>Through {@link ProcessHandle#destroy()}, not {@link Process#destroy()}: the latter sends
     * the same signal but also closes our ends of the process's stdout and stderr pipes, which
     * would lose every line the process prints while it shuts down.
     */
    void sigterm() {
        Process p = process;
        if (p != null && p.isAlive()) {
            long now = System.nanoTime();
            sigtermNanos = now;
            sink.event(now, name(), TimelineEvent.Kind.SIGTERM, "pid " + p.pid());
            p.toHandle().destroy();
        }
    }

    /** Sends SIGKILL (to the process and its descendants) because the grace period ran out. */
    void sigkillAtGrace() {
        sigkillBecause("grace period over");
    }

    /**
     * Sends SIGKILL (to the process and its descendants) because a bound ran out; marks the
     * container as killed and records why.
     */
    void sigkillBecause(String why) {
        Process p = process;
        if (p != null && p.isAlive()) {
            killedAtGrace = true;
            sink.event(System.nanoTime(), name(), TimelineEvent.Kind.SIGKILL, why + ", pid " + p.pid());
            killTree(p);
        }
    }

    /** Kills the process and its descendants without recording anything; for close(). */
    void destroyForcibly() {
        Process p = process;
        if (p != null) {
            killTree(p);
        }
    }

    /** SIGKILL via the handle, keeping the pipes open so buffered output is still read. */
    private static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.toHandle().destroyForcibly();
    }

    /** Whether the exit watcher recorded the exit (the exit code and time are known). */
    boolean hasExited() {
        return exit.isDone();
    }

    boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /**
     * Waits until the exit watcher recorded the exit, or the deadline ({@code System.nanoTime()}).
     *
     * @return whether the container exited
     */
    boolean awaitExit(long deadlineNanos) throws InterruptedException {
        if (process == null) {
            return true;
        }
        long remaining = deadlineNanos - System.nanoTime();
        try {
            exit.get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("exit watcher failed", e);
        }
    }

    /**
     * Waits until the container printed a line containing {@code text}, or the deadline
     * ({@code System.nanoTime()}), or its exit.
     *
     * @return whether such a line was printed
     */
    boolean awaitLineContaining(String text, long deadlineNanos) throws InterruptedException {
        while (true) {
            synchronized (lines) {
                for (OutputLine line : lines) {
                    if (line.text().contains(text)) {
                        return true;
                    }
                }
            }
            if (!isAlive() || deadlineNanos - System.nanoTime() <= 0) {
                return false;
            }
            Thread.sleep(10);
        }
    }

    /** Waits (bounded) until both readers reached the end of the output. */
    void awaitOutput(long deadlineNanos) throws InterruptedException {
        for (Thread reader : readers) {
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining > 0) {
                TimeUnit.NANOSECONDS.timedJoin(reader, remaining);
            }
        }
    }

    /** Closes the log file (if any) once output is done or the container is abandoned. */
    void closeLog() {
        synchronized (this) {
            Writer writer = log;
            log = null;
            if (writer != null) {
                try {
                    writer.close();
                } catch (IOException e) {
                    // Best effort.
                }
            }
        }
    }

    @Nullable ProcessHandle handle() {
        Process p = process;
        return p == null ? null : p.toHandle();
    }

    @Nullable ReadyLine readyLineOrNull() {
        return ready.isDone() && !ready.isCompletedExceptionally() ? ready.join() : null;
    }

    List<OutputLine> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    long startNanos() {
        return startNanos;
    }

    long exitNanos() {
        return exitNanos;
    }

    long sigtermNanos() {
        return sigtermNanos;
    }

    boolean killedAtGrace() {
        return killedAtGrace;
    }

    int exitCode() {
        Integer code = exit.getNow(null);
        if (code == null) {
            throw new IllegalStateException("container '" + name() + "' has not exited");
        }
        return code;
    }

    /** Marks the end of stdout before a ready line. */
    private static final class EndOfOutput extends Exception {
        private static final long serialVersionUID = 1L;

        EndOfOutput() {
            super("end of output", null, false, false);
        }
    }
}
