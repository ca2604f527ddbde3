package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.StartupPolicy;
import io.github.sidecarshutdown.internal.engine.StartupWork;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs in a fresh JVM (started by {@link FootprintBenchmark}): builds, installs and awaits the
 * sidecar once, the way an app starts, waits for the work {@code install()} leaves running (its
 * thread, {@link StartupWork#THREAD_NAME}) to end, and prints {@code FOOTPRINT key=value} lines: the
 * time of {@code build()} and {@code install()}, how long the startup work ran, the threads alive
 * before and once it is done, and the heap in use after full GCs before and after (the coordinator is
 * kept reachable).
 *
 * <p>Arguments: the Envoy admin URL and the pilot-agent URL of a running sidecar emulator.
 */
public final class FootprintProbe {

    /** Keeps the coordinator reachable while the heap is measured. */
    static volatile Object keep;
    static volatile Object keepMore;

    private FootprintProbe() {
    }

    public static void main(String[] args) throws Exception {
        // Loaded before the first measurement, so that they do not count as the library's.
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        Set<String> before = threadNames();
        long heapBefore = usedHeapAfterGc(memory);

        long t0 = System.nanoTime();
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder().sidecarMode(SidecarMode.ISTIO)
                .adminUrl(URI.create(args[0])).agentUrl(URI.create(args[1])).startupPolicy(StartupPolicy.REQUIRED)
                .startupWait(Duration.ofSeconds(10)).gracePeriod(Duration.ofSeconds(30))
                .task("cleanup", ctx -> { })
                .build();
        long t1 = System.nanoTime();
        coordinator.install();
        long t2 = System.nanoTime();
        Set<String> installed = threadNames();
        installed.removeAll(before);
        coordinator.awaitSidecarReady();
        long t3 = System.nanoTime();
        keep = coordinator;
        // The plan is logged after install() on one thread: wait for it.
        awaitStartupWork();
        long t4 = System.nanoTime();

        Set<String> after = threadNames();
        long heapAfter = usedHeapAfterGc(memory);
        Set<String> started = new TreeSet<>(after);
        started.removeAll(before);
        // The marginal heap of an installed coordinator: ten more, built and installed, kept reachable.
        ShutdownCoordinator[] more = new ShutdownCoordinator[10];
        for (int i = 0; i < more.length; i++) {
            more[i] = ShutdownCoordinator.builder().sidecarMode(SidecarMode.ISTIO).adminUrl(URI.create(args[0]))
                    .agentUrl(URI.create(args[1])).task("cleanup", ctx -> { }).build().install();
        }
        keepMore = more;
        awaitStartupWork();
        long heapMore = usedHeapAfterGc(memory);
        System.out.println("FOOTPRINT buildMs=" + (t1 - t0) / 1e6);
        System.out.println("FOOTPRINT installMs=" + (t2 - t1) / 1e6);
        System.out.println("FOOTPRINT awaitSidecarReadyMs=" + (t3 - t2) / 1e6);
        System.out.println("FOOTPRINT startupWorkMs=" + (t4 - t1) / 1e6);
        System.out.println("FOOTPRINT threadsBefore=" + before.size());
        System.out.println("FOOTPRINT threadsAfter=" + after.size());
        System.out.println("FOOTPRINT threadsAfterInstall=" + installed.size());
        System.out.println("FOOTPRINT threadsStarted=" + started.size());
        System.out.println("FOOTPRINT heapPerCoordinatorBytes=" + (heapMore - heapAfter) / more.length);
        System.out.println("FOOTPRINT threadNames=" + String.join(",", started));
        System.out.println("FOOTPRINT heapRetainedBytes=" + (heapAfter - heapBefore));
        System.out.flush();
        // The hook is installed: let it run at exit, as it would in an app (no sidecar is terminating: no release).
    }

    /** Joins every thread of the startup work (bounded): it ends when its plan is logged. */
    private static void awaitStartupWork() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(StartupWork.THREAD_NAME)) {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        }
    }

    private static Set<String> threadNames() {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive()) {
                names.add(t.getName() + "#" + t.getId());
            }
        }
        return names;
    }

    /** Heap in use after GCs, once it stops shrinking (at most 5 rounds). */
    private static long usedHeapAfterGc(MemoryMXBean memory) throws InterruptedException {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            long used = memory.getHeapMemoryUsage().getUsed();
            if (used >= last) {
                return Math.min(used, last);
            }
            last = used;
        }
        return last;
    }
}
