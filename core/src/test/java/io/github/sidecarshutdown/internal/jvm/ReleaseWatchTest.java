package io.github.sidecarshutdown.internal.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.ReleaseWait;
import io.github.sidecarshutdown.internal.Deadline;
import io.github.sidecarshutdown.internal.TimeSource;
import io.github.sidecarshutdown.sidecar.OutboundTraffic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The wait before the release: what it asks, in which order, how it ends and what it reports. */
class ReleaseWatchTest {

    private static final Duration CALL = Duration.ofMillis(500);

    /** A clock that moves only when the watch sleeps. */
    private static final class ManualTime implements TimeSource {
        long now = 1_000_000_000L;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleep(Duration d) {
            now += Math.max(d.toNanos(), 1);
        }

        @Override
        public boolean awaitDone(Future<?> f, Duration timeout) {
            throw new UnsupportedOperationException();
        }
    }

    /** A JVM that is not exiting: no hook thread to wait for. */
    private static final HookThreads NO_HOOKS = new HookThreads(new HookThreads.View() {
        @Override
        public List<LiveThread> threads() {
            return List.of();
        }

        @Override
        public @Nullable Thread joinTarget(LiveThread runner, List<LiveThread> threads) {
            return null;
        }

        @Override
        public Optional<NativeThreadStarts> nativeStarts() {
            return Optional.empty();
        }

        @Override
        public Optional<List<Thread>> registered() {
            return Optional.empty();
        }

        @Override
        public boolean registeredStarted() {
            return false;
        }
    });

    /** Sources scripted per poll (the n-th call of each). */
    private static final class Script implements ReleaseWatch.Sources {
        IntFunction<List<String>> coordinators = n -> List.of();
        IntFunction<Long> inbound = n -> 0L;
        IntFunction<Optional<OutboundTraffic>> outbound = n -> Optional.of(traffic(0, 10));
        Optional<OutboundTraffic> baseline = Optional.of(traffic(0, 10));
        boolean covered;
        final AtomicInteger polls = new AtomicInteger();
        final AtomicInteger outboundCalls = new AtomicInteger();
        final AtomicInteger baselineCalls = new AtomicInteger();
        final List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public List<String> coordinators(boolean jvmExiting) {
            order.add("coordinators");
            return coordinators.apply(polls.getAndIncrement());
        }

        @Override
        public boolean covered() {
            return covered;
        }

        @Override
        public long inboundInFlight() {
            order.add("inbound");
            return inbound.apply(polls.get() - 1);
        }

        @Override
        public Optional<OutboundTraffic> outbound(Duration timeout) {
            order.add("outbound");
            assertThat(timeout).isPositive().isLessThanOrEqualTo(CALL);
            return outbound.apply(outboundCalls.getAndIncrement());
        }

        @Override
        public Optional<OutboundTraffic> baseline(Duration timeout) {
            baselineCalls.incrementAndGet();
            return baseline;
        }
    }

    private static OutboundTraffic traffic(long active, long total) {
        return new OutboundTraffic(List.of(new OutboundTraffic.Upstream("outbound|4318||collector", "10.0.3.7:4318", active, total, 1, 1)));
    }

    private final ManualTime time = new ManualTime();

    private ReleaseWatch.Result watch(Script s, Duration budget) throws InterruptedException {
        return new ReleaseWatch(NO_HOOKS, time).await(s, Deadline.after(time, budget), CALL);
    }

    @Test
    void withNothingElseRunningItAsksEachOnceAndReturnsAtOnce() throws Exception {
        Script s = new Script();

        ReleaseWatch.Result r = watch(s, Duration.ofSeconds(20));

        assertThat(r.waits()).isEmpty();
        assertThat(r.cutOff()).isFalse();
        assertThat(r.describe()).isEmpty();
        assertThat(s.order).containsExactlyInAnyOrder("coordinators", "inbound", "outbound");
        assertThat(s.outboundCalls).hasValue(1);
        assertThat(time.now).isEqualTo(1_000_000_000L);
    }

    @Test
    void anInboundRequestInFlightHoldsItAndTheSidecarIsAskedOnlyOnceItEnded() throws Exception {
        Script s = new Script();
        s.inbound = n -> n < 3 ? 1L : 0L;

        ReleaseWatch.Result r = watch(s, Duration.ofSeconds(20));

        assertThat(r.waits()).singleElement().satisfies(w -> {
            assertThat(w.kind()).isEqualTo(ReleaseWait.Kind.INBOUND_REQUESTS);
            assertThat(w.waited()).isEqualTo(ReleaseWatch.INBOUND_POLL.multipliedBy(3));
            assertThat(w.cutOff()).isFalse();
        });
        // not while the request was in flight: once it ended, and once more a moment later
        assertThat(s.outboundCalls).hasValue(2);
        assertThat(r.describe()).startsWith("waited for inbound requests in-flight tracker");
    }

    @Test
    void anOutboundRequestBegunSinceTheStartHoldsItUntilTheDeadlineCutsItOff() throws Exception {
        Script s = new Script();
        s.outbound = n -> Optional.of(traffic(1, 11)); // never ends

        ReleaseWatch.Result r = watch(s, Duration.ofSeconds(2));

        assertThat(r.cutOff()).isTrue();
        assertThat(r.waits()).singleElement().satisfies(w -> {
            assertThat(w.kind()).isEqualTo(ReleaseWait.Kind.OUTBOUND_REQUESTS);
            assertThat(w.name()).isEqualTo("outbound|4318||collector (10.0.3.7:4318)");
            assertThat(w.waited()).isEqualTo(Duration.ofSeconds(2));
        });
        assertThat(r.describe()).contains("the deadline cut off outbound requests outbound|4318||collector");
        assertThat(s.baselineCalls).as("the baseline is read once").hasValue(1);
    }

    @Test
    void anOutboundRequestNothingInTheJvmWaitsForIsCutAfterItsOwnBoundNotAtTheDeadline() throws Exception {
        // a task cut at its timeout left its request hanging at the collector: nobody waits for it any more
        Script s = new Script();
        s.outbound = n -> Optional.of(traffic(1, 11)); // never ends
        long start = time.now;

        ReleaseWatch.Result r = new ReleaseWatch(NO_HOOKS, time).await(s, Deadline.after(time, Duration.ofSeconds(25)), CALL,
                Duration.ofSeconds(5));

        assertThat(r.cutOff()).isTrue();
        assertThat(r.waits()).singleElement().satisfies(w -> assertThat(w.waited())
                .isGreaterThanOrEqualTo(Duration.ofSeconds(5)).isLessThan(Duration.ofSeconds(6)));
        assertThat(time.now - start).as("ended at its bound, not at the 25 s deadline").isLessThan(Duration.ofSeconds(6).toNanos());
    }

    @Test
    void theOutboundBoundCountsOnlyWhileNothingElseIsAtWork() throws Exception {
        // an inbound request runs for 3 s, its call-out (begun since the start) as long: the bound starts when it ends
        Script s = new Script();
        long start = time.now;
        s.inbound = n -> time.now - start < Duration.ofSeconds(3).toNanos() ? 1L : 0L;
        s.outbound = n -> Optional.of(traffic(time.now - start < Duration.ofSeconds(4).toNanos() ? 1 : 0, 11));

        ReleaseWatch.Result r = new ReleaseWatch(NO_HOOKS, time).await(s, Deadline.after(time, Duration.ofSeconds(25)), CALL,
                Duration.ofSeconds(2));

        assertThat(r.cutOff()).as(r.describe()).isFalse();
        assertThat(time.now - start).isGreaterThanOrEqualTo(Duration.ofSeconds(4).toNanos());
    }

    /**
     * What ended just before a look (a hook, an inbound request) may have sent a request a moment
     * before it ended: the sidecar's counters are read after the rest, so that request is counted.
     */
    @Test
    void aCallOutSentByWhatEndedJustBeforeTheLookIsWaitedFor() throws Exception {
        Script s = new Script();
        java.util.concurrent.atomic.AtomicBoolean sent = new java.util.concurrent.atomic.AtomicBoolean();
        s.inbound = n -> {
            sent.set(true); // the last inbound request ended as it was read, its call-out just sent
            return 0L;
        };
        AtomicInteger afterSent = new AtomicInteger();
        s.outbound = n -> Optional.of(!sent.get() ? traffic(0, 10) : afterSent.getAndIncrement() < 2 ? traffic(1, 11) : traffic(0, 11));

        ReleaseWatch.Result r = watch(s, Duration.ofSeconds(20));

        assertThat(r.waits()).as(r.describe()).singleElement()
                .satisfies(w -> assertThat(w.kind()).isEqualTo(ReleaseWait.Kind.OUTBOUND_REQUESTS));
        assertThat(r.cutOff()).isFalse();
    }

    @Test
    void otherCoordinatorsStillWorkingAtTheDeadlineAreReturned() throws Exception {
        Script s = new Script();
        s.coordinators = n -> List.of("with tasks second-cleanup");

        ReleaseWatch.Result r = watch(s, Duration.ofMillis(100));

        assertThat(r.coordinators()).containsExactly("with tasks second-cleanup");
        assertThat(s.outboundCalls).as("not asked while others work").hasValue(0);
    }

    @Test
    void anotherCoordinatorsReleaseEndsTheWait() throws Exception {
        Script s = new Script();
        s.covered = true;

        assertThat(watch(s, Duration.ofSeconds(20)).covered()).isTrue();
        assertThat(s.order).isEmpty();
    }

    @Test
    void withoutABaselineTheSidecarsCountersCannotHoldItAndTheReportSaysSo() throws Exception {
        Script s = new Script();
        s.baseline = Optional.empty();
        s.outbound = n -> Optional.of(traffic(3, 11)); // in flight, but since when?

        ReleaseWatch.Result r = watch(s, Duration.ofSeconds(20));

        assertThat(r.waits()).isEmpty();
        assertThat(s.outboundCalls).as("not asked: nothing to compare its answer with").hasValue(0);
        assertThat(r.note()).contains("outbound requests not waited for");
    }

    @Test
    void countersThatStopAnsweringAfterARequestWasSeenInFlightStillHoldIt() throws Exception {
        Script s = new Script();
        s.outbound = n -> n == 0 ? Optional.of(traffic(1, 11)) : Optional.empty();

        ReleaseWatch.Result r = watch(s, Duration.ofSeconds(1));

        assertThat(r.cutOff()).isTrue();
        assertThat(r.note()).contains("unavailable");
    }

    @Test
    void aHookThreadIsWaitedForUntilItEndsByJoiningIt() throws Exception {
        Thread hook = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "Thread-9");
        StackTraceElement runs = new StackTraceElement("java.lang.ApplicationShutdownHooks", "runHooks", null, -1);
        Thread runnerThread = new Thread(() -> { }, "SIGTERM handler");
        HookThreads hooks = new HookThreads(new HookThreads.View() {
            @Override
            public List<LiveThread> threads() {
                List<LiveThread> all = new ArrayList<>();
                all.add(new LiveThread(runnerThread, Thread.State.WAITING, new StackTraceElement[] {runs}));
                if (hook.isAlive()) {
                    all.add(new LiveThread(hook, Thread.State.TIMED_WAITING, new StackTraceElement[0]));
                }
                return all;
            }

            @Override
            public @Nullable Thread joinTarget(LiveThread runner, List<LiveThread> threads) {
                return hook.isAlive() ? hook : null;
            }

            @Override
            public Optional<NativeThreadStarts> nativeStarts() {
                return Optional.empty();
            }

            @Override
            public Optional<List<Thread>> registered() {
                return Optional.empty();
            }

            @Override
            public boolean registeredStarted() {
                return false;
            }
        });
        hook.start();

        ReleaseWatch.Result r = new ReleaseWatch(hooks, TimeSource.system()).await(new Script(),
                Deadline.after(TimeSource.system(), Duration.ofSeconds(20)), CALL);

        assertThat(hook.isAlive()).as("it returned once the hook ended").isFalse();
        assertThat(r.waits()).singleElement().satisfies(w -> {
            assertThat(w.name()).isEqualTo("'Thread-9'");
            assertThat(w.cutOff()).isFalse();
        });
    }
}
