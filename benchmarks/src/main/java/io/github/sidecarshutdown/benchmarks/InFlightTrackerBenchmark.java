package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.InFlightTracker;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The library's cost per inbound request: {@link InFlightTracker#enter()} and
 * {@link InFlightTracker#exit(int)} around a request, against the same request untracked. One
 * tracker shared by all threads, as in an app ({@code contended}: 2 threads, the machine's cores;
 * {@code contended4}: 4 threads).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class InFlightTrackerBenchmark {

    private final InFlightTracker tracker = new InFlightTracker();

    /** The request itself: nothing the JIT can remove. */
    private static void request(Blackhole bh) {
        bh.consume(1);
    }

    @Benchmark
    @Threads(1)
    public void untracked(Blackhole bh) {
        request(bh);
    }

    @Benchmark
    @Threads(1)
    public void tracked(Blackhole bh) {
        int token = tracker.enter();
        try {
            request(bh);
        } finally {
            tracker.exit(token);
        }
    }

    @Benchmark
    @Threads(2)
    public void untrackedContended(Blackhole bh) {
        request(bh);
    }

    @Benchmark
    @Threads(2)
    public void trackedContended(Blackhole bh) {
        int token = tracker.enter();
        try {
            request(bh);
        } finally {
            tracker.exit(token);
        }
    }

    @Benchmark
    @Threads(4)
    public void untrackedContended4(Blackhole bh) {
        request(bh);
    }

    /** Four threads on the one tracker: more request threads than this machine has cores. */
    @Benchmark
    @Threads(4)
    public void trackedContended4(Blackhole bh) {
        int token = tracker.enter();
        try {
            request(bh);
        } finally {
            tracker.exit(token);
        }
    }
}
