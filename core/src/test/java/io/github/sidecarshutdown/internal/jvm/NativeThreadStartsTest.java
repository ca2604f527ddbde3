package io.github.sidecarshutdown.internal.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Paths;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Threads' native start times from /proc, matched by the native name HotSpot gives them. */
class NativeThreadStartsTest {

    @Test
    void aJavaThreadsNativeNameIsTheFirst15BytesOfItsName() {
        assertThat(NativeThreadStarts.nativeName("Thread-0")).isEqualTo("Thread-0");
        assertThat(NativeThreadStarts.nativeName("otel-sdk-shutdown-hook")).isEqualTo("otel-sdk-shutdo");
        // bytes, not characters: a name cut inside a character keeps the bytes before the cut
        assertThat(NativeThreadStarts.nativeName("arrêt-du-crochet-final").length()).isEqualTo(15);
    }

    @Test
    void theStartTimeIsField22CountedAfterTheNameWhateverTheNameHolds() {
        String stat = "4242 (odd) name (x)) S 1 4242 4242 0 -1 4194624 18 0 0 0 0 0 0 0 20 0 27 0 62774 4000 100 18446744073709551615";
        assertThat(NativeThreadStarts.startTicks(stat)).isEqualTo(62774);
    }

    @Test
    void aThreadStartedNowIsFoundByItsName() throws Exception {
        if (!Files.isDirectory(Paths.get("/proc/self/task"))) {
            assertThat(NativeThreadStarts.read()).as("no /proc: nothing to tell").isEmpty();
            return;
        }
        Optional<NativeThreadStarts> before = NativeThreadStarts.read();
        assertThat(before).isPresent();
        assertThat(before.get().earliestStart("nts-probe-thread")).isEqualTo(-1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            started.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "nts-probe-thread");
        t.start();
        started.await();
        try {
            NativeThreadStarts after = NativeThreadStarts.read().orElseThrow();
            long tick = after.earliestStart("nts-probe-thread");
            assertThat(tick).isPositive();
            assertThat(after.startedBetween("nts-probe-thread", tick, tick)).isTrue();
            assertThat(after.startedBetween("nts-probe-thread", tick + 1, tick + 5)).isFalse();
        } finally {
            done.countDown();
            t.join();
        }
    }

    /**
     * A new thread shows its creator's native name until HotSpot names it, which the thread does
     * itself when it first runs. A read in between (a scan at SIGTERM, while the JVM starts the
     * hooks) sees two live threads with one name, and must not keep it for the new one: here a
     * thread shares its name with another when read, then renames itself (which changes its
     * native name the same way).
     */
    @Test
    void aSharedNativeNameThatChangesAfterAReadIsSeenOnTheNextRead() throws Exception {
        if (!Files.isDirectory(Paths.get("/proc/self/task"))) {
            return; // nothing to read off Linux: the test above checks that read() says so
        }
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch renamed = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread creator = new Thread(() -> await(done), "nts-creator");
        Thread created = new Thread(() -> {
            await(read);
            Thread.currentThread().setName("nts-renamed"); // a thread's own rename reaches its native name
            renamed.countDown();
            await(done);
        }, "nts-creator");
        creator.start();
        created.start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                long[] starts = NativeThreadStartsTest.starts(NativeThreadStarts.read().orElseThrow(), "nts-creator");
                return starts.length == 2;
            });
            read.countDown();
            renamed.await();
            NativeThreadStarts after = NativeThreadStarts.read().orElseThrow();
            assertThat(after.earliestStart("nts-renamed")).isPositive();
            assertThat(starts(after, "nts-creator")).hasSize(1);
        } finally {
            done.countDown();
            creator.join();
            created.join();
        }
    }

    /** A thread that keeps its own name is not read again: its name stays as first read. */
    @Test
    void aThreadWithANameOfItsOwnIsReadOnce() throws Exception {
        if (!Files.isDirectory(Paths.get("/proc/self/task"))) {
            return;
        }
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch renamed = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            await(read);
            Thread.currentThread().setName("nts-own-later");
            renamed.countDown();
            await(done);
        }, "nts-own-name");
        t.start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> NativeThreadStarts.read().orElseThrow().earliestStart("nts-own-name") > 0);
            read.countDown();
            renamed.await();
            assertThat(NativeThreadStarts.read().orElseThrow().earliestStart("nts-own-name")).isPositive();
        } finally {
            done.countDown();
            t.join();
        }
    }

    private static long[] starts(NativeThreadStarts s, String javaName) {
        return s.startsOf(javaName);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
