package io.github.sidecarshutdown.internal.jvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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
 * {@link #read()} is empty. A thread's start is read once (it never changes), and so is its native
 * name, with one exception: a new thread shows its creator's name until it first runs and HotSpot
 * names it, so a read at SIGTERM, while the JVM starts the hooks, can see a hook under the name of
 * the thread starting them. A thread younger than {@link #NAME_SETTLES_TICKS} (by
 * {@code /proc/uptime}) whose name another live thread also has is read again at the next read.
 * A thread that renames itself later keeps the name read last.
 */
final class NativeThreadStarts {

    /** The native thread name's limit, terminating NUL excluded. */
    static final int NATIVE_NAME_BYTES = 15;
    private static final Path TASKS = Paths.get("/proc/self/task");
    private static final Path UPTIME = Paths.get("/proc/uptime");
    /**
     * How young a thread's native name is still read again, in clock ticks (1 s at the usual 100 Hz):
     * longer than a new thread waits to be scheduled for the first time, even on a crowded node.
     */
    static final long NAME_SETTLES_TICKS = 100;

    /** Native name (bytes as ISO-8859-1 chars) to the start ticks of the threads that have it. */
    private final Map<String, long[]> ticks;

    private NativeThreadStarts(Map<String, long[]> ticks) {
        this.ticks = ticks;
    }

    /** What was read of a thread: its start never changes; its native name may, while it is young. */
    private record Task(String comm, long start) {
    }

    /** By thread id: only threads not seen before are read, so a poll costs a directory listing. */
    private static final Map<String, Task> SEEN = new ConcurrentHashMap<>();

    /** Every thread of this process now; empty when {@code /proc} cannot tell. */
    static Optional<NativeThreadStarts> read() {
        if (!Files.isDirectory(TASKS)) {
            return Optional.empty();
        }
        Map<String, Task> live = new HashMap<>();
        Set<String> fresh = new HashSet<>();
        Map<String, Integer> named = new HashMap<>(); // how many live threads have each native name
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                String tid = task.getFileName().toString();
                Task t = SEEN.get(tid);
                if (t == null) {
                    try {
                        t = new Task(comm(task), startTicks(new String(Files.readAllBytes(task.resolve("stat")), StandardCharsets.ISO_8859_1)));
                    } catch (IOException | RuntimeException e) {
                        continue; // the thread ended meanwhile, or an unreadable line: it cannot be matched
                    }
                    SEEN.put(tid, t);
                    fresh.add(tid);
                }
                live.put(tid, t);
                named.merge(t.comm(), 1, Integer::sum);
            }
        } catch (IOException | RuntimeException e) {
            // the listing itself failed midway: what was read is still true
        }
        SEEN.keySet().retainAll(live.keySet()); // a thread id the kernel reuses is read again
        rereadUnsettledNames(live, fresh, named);
        Map<String, long[]> ticks = new HashMap<>();
        for (Task t : live.values()) {
            ticks.merge(t.comm(), new long[] {t.start()}, NativeThreadStarts::concat);
        }
        return ticks.isEmpty() ? Optional.empty() : Optional.of(new NativeThreadStarts(ticks));
    }

    /**
     * Reads again the native name of each young thread (under {@link #NAME_SETTLES_TICKS}) whose
     * kept name another live thread also has: the name it showed before it first ran was its
     * creator's. Only those: a read of every young thread's name cost the release's first look about
     * 2 ms in a JVM under a second old, where every thread is young.
     */
    private static void rereadUnsettledNames(Map<String, Task> live, Set<String> fresh, Map<String, Integer> named) {
        long young = -1;
        for (Map.Entry<String, Task> e : live.entrySet()) {
            Task t = e.getValue();
            if (named.getOrDefault(t.comm(), 1) < 2 || fresh.contains(e.getKey())) {
                continue; // its own name, or read just now
            }
            if (young < 0) {
                young = nowTicks() - NAME_SETTLES_TICKS; // read only when some name is shared
            }
            if (t.start() < young) {
                continue; // named long ago
            }
            try {
                Task renamed = new Task(comm(TASKS.resolve(e.getKey())), t.start());
                e.setValue(renamed);
                SEEN.put(e.getKey(), renamed);
            } catch (IOException | RuntimeException ex) {
                // ended meanwhile: keep what was read
            }
        }
    }

    private static String comm(Path task) throws IOException {
        return nativeText(Files.readAllBytes(task.resolve("comm")));
    }

    /**
     * Clock ticks since boot now, from {@code /proc/uptime} (seconds, two decimals: ticks of 100 Hz);
     * {@link Long#MAX_VALUE} when it cannot be read, so that no thread counts as young.
     */
    private static long nowTicks() {
        try {
            String up = new String(Files.readAllBytes(UPTIME), StandardCharsets.ISO_8859_1);
            int end = up.indexOf(' ');
            String seconds = end < 0 ? up.trim() : up.substring(0, end);
            int dot = seconds.indexOf('.');
            if (dot < 0) {
                return Long.parseLong(seconds) * 100;
            }
            String hundredths = (seconds.substring(dot + 1) + "00").substring(0, 2);
            return Long.parseLong(seconds.substring(0, dot)) * 100 + Long.parseLong(hundredths);
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE;
        }
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

    /** The start ticks of the live threads with {@code javaName}'s native name (tests). */
    long[] startsOf(String javaName) {
        long[] t = ticks.get(nativeName(javaName));
        return t == null ? new long[0] : t.clone();
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
