package io.github.sidecarshutdown.internal.jvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each thread of this process started, as Linux records it: {@code /proc/self/task/<tid>/stat}
 * field 22 ({@code starttime}, clock ticks since boot, 10 ms apart at the usual 100 Hz), matched to
 * Java threads by the native name in {@code /proc/self/task/<tid>/comm}. HotSpot names a Java
 * thread's native thread after it when the thread starts (the first 15 bytes of its name, the
 * {@code pthread_setname_np} limit; measured on JDK 17 and 25), so a Java thread is known by its
 * name's first 15 bytes, ambiguously when several threads share them.
 *
 * <p>Not available off Linux, without {@code /proc}, or when it cannot be read: then
 * {@link #read()} is empty. A thread's start is read once (it never changes); its native name is
 * read again at every read during its first {@link #NAME_SETTLES} here: a new thread shows its
 * creator's name until it first runs and HotSpot names it (a read at SIGTERM, while the JVM starts
 * the hooks, can see a hook under the name of the thread starting them). After that a later read
 * lists the directory and reads only threads it has not seen; a thread that renames itself later
 * keeps the name read last.
 */
final class NativeThreadStarts {

    /** The native thread name's limit, terminating NUL excluded. */
    static final int NATIVE_NAME_BYTES = 15;
    private static final Path TASKS = Paths.get("/proc/self/task");
    /**
     * How long after a thread was first read its native name is read again: longer than a new
     * thread waits to be scheduled for the first time, even on a crowded node.
     */
    static final Duration NAME_SETTLES = Duration.ofSeconds(1);

    /** Native name (bytes as ISO-8859-1 chars) to the start ticks of the threads that have it. */
    private final Map<String, long[]> ticks;

    private NativeThreadStarts(Map<String, long[]> ticks) {
        this.ticks = ticks;
    }

    /** What was read of a thread: its start never changes; its native name may, until it settled. */
    private record Task(String comm, long start, long firstReadNanos) {

        boolean nameSettled(long now) {
            return now - firstReadNanos >= NAME_SETTLES.toNanos();
        }
    }

    /** By thread id: only threads not seen before are read, so a poll costs a directory listing. */
    private static final Map<String, Task> SEEN = new ConcurrentHashMap<>();

    /** Every thread of this process now; empty when {@code /proc} cannot tell. */
    static Optional<NativeThreadStarts> read() {
        if (!Files.isDirectory(TASKS)) {
            return Optional.empty();
        }
        Map<String, long[]> ticks = new HashMap<>();
        Set<String> live = new HashSet<>();
        long now = System.nanoTime();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                String tid = task.getFileName().toString();
                Task t = SEEN.get(tid);
                if (t == null || !t.nameSettled(now)) {
                    try {
                        String comm = nativeText(Files.readAllBytes(task.resolve("comm")));
                        t = t != null ? new Task(comm, t.start(), t.firstReadNanos())
                                : new Task(comm, startTicks(new String(Files.readAllBytes(task.resolve("stat")), StandardCharsets.ISO_8859_1)), now);
                    } catch (IOException | RuntimeException e) {
                        continue; // the thread ended meanwhile, or an unreadable line: it cannot be matched
                    }
                    SEEN.put(tid, t);
                }
                live.add(tid);
                ticks.merge(t.comm(), new long[] {t.start()}, NativeThreadStarts::concat);
            }
        } catch (IOException | RuntimeException e) {
            // the listing itself failed midway: what was read is still true
        }
        SEEN.keySet().retainAll(live); // a thread id the kernel reuses is read again
        return ticks.isEmpty() ? Optional.empty() : Optional.of(new NativeThreadStarts(ticks));
    }

    /** For tests: starts by native name. */
    static NativeThreadStarts of(Map<String, long[]> ticks) {
        return new NativeThreadStarts(Map.copyOf(ticks));
    }

    /** The native name HotSpot gives a Java thread called {@code javaName}. */
    static String nativeName(String javaName) {
        byte[] b = javaName.getBytes(StandardCharsets.UTF_8);
        return new String(b, 0, Math.min(NATIVE_NAME_BYTES, b.length), StandardCharsets.ISO_8859_1);
    }

    /** The earliest start tick of a live thread with {@code javaName}'s native name, or -1 when none has it. */
    long earliestStart(String javaName) {
        long[] t = ticks.get(nativeName(javaName));
        long earliest = -1;
        if (t != null) {
            for (long v : t) {
                earliest = earliest < 0 ? v : Math.min(earliest, v);
            }
        }
        return earliest;
    }

    /** Whether a thread with {@code javaName}'s native name started between {@code from} and {@code to} ticks (inclusive). */
    boolean startedBetween(String javaName, long from, long to) {
        long[] t = ticks.get(nativeName(javaName));
        if (t != null) {
            for (long v : t) {
                if (v >= from && v <= to) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code comm} without its line break, its bytes kept as they are (a truncated name may end mid-character). */
    private static String nativeText(byte[] comm) {
        int n = comm.length;
        while (n > 0 && (comm[n - 1] == '\n' || comm[n - 1] == 0)) {
            n--;
        }
        return new String(comm, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** Field 22 of a {@code stat} line; the name in field 2 may hold spaces and parentheses, so fields are counted after its last ')'. */
    static long startTicks(String stat) {
        int close = stat.lastIndexOf(')');
        String[] fields = stat.substring(close + 2).trim().split(" ");
        return Long.parseLong(fields[19]); // field 3 (state) is fields[0]; field 22 is fields[19]
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = new long[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
