package io.github.sidecarshutdown.benchmarks;

import java.lang.reflect.Method;
import java.util.List;

/**
 * The JVM's own class-loading counters of this process (HotSpot's perf data, the ones
 * {@code jcmd PerfCounter.print} shows), read in-process: how many classes the application class
 * loader defined (the library and its dependencies; the JDK's own are not among them) and how long
 * the JVM spent loading, linking, verifying and initialising classes, all threads together. Reading
 * them needs {@link #JVM_OPTIONS} on the command line; the package is the JDK's, reached by
 * reflection so that nothing is needed to compile this.
 *
 * <p>For the {@code startup-added} cell ({@link LatencyBenchmark}): what share of the library's
 * path to Ready is class loading, the cost that a smaller class graph or an AppCDS archive removes.
 */
final class JvmClassCounters {

    /** What the JVM needs to let this class read its counters. */
    static final List<String> JVM_OPTIONS = List.of("--add-exports", "jdk.internal.jvmstat/sun.jvmstat.monitor=ALL-UNNAMED");

    /** Classes defined by the application class loader. */
    private static final String DEFINED = "sun.cls.defineAppClasses";
    /** Time in class loading, nested steps included once (ticks of {@code sun.os.hrt.frequency}). */
    private static final String TIME = "sun.cls.time";

    private final Object vm;
    private final Method findByName;
    private final Method getValue;
    private final double nanosPerTick;

    private JvmClassCounters() throws ReflectiveOperationException {
        Class<?> hostType = Class.forName("sun.jvmstat.monitor.MonitoredHost");
        Class<?> vmId = Class.forName("sun.jvmstat.monitor.VmIdentifier");
        Object host = hostType.getMethod("getMonitoredHost", String.class).invoke(null, "localhost");
        Object id = vmId.getConstructor(String.class).newInstance(String.valueOf(ProcessHandle.current().pid()));
        vm = hostType.getMethod("getMonitoredVm", vmId).invoke(host, id);
        findByName = Class.forName("sun.jvmstat.monitor.MonitoredVm").getMethod("findByName", String.class);
        // The interface's method: the counters' own classes are in a package that stays closed.
        getValue = Class.forName("sun.jvmstat.monitor.Monitor").getMethod("getValue");
        nanosPerTick = 1e9 / read("sun.os.hrt.frequency");
    }

    /** This JVM's counters; fails with what to add to the command line when they cannot be read. */
    static JvmClassCounters open() {
        try {
            return new JvmClassCounters();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read this JVM's perf counters (start it with "
                    + String.join(" ", JVM_OPTIONS) + ", and without -XX:-UsePerfData): " + e, e);
        }
    }

    /** Classes defined by the application class loader so far. */
    long appClassesDefined() {
        return read(DEFINED);
    }

    /** Nanoseconds spent in class loading so far, all threads. */
    long classLoadingNanos() {
        return Math.round(read(TIME) * nanosPerTick);
    }

    private long read(String name) {
        try {
            Object monitor = findByName.invoke(vm, name);
            if (monitor == null) {
                throw new IllegalStateException("this JVM has no perf counter " + name);
            }
            return ((Number) getValue.invoke(monitor)).longValue();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("reading perf counter " + name + ": " + e, e);
        }
    }
}
